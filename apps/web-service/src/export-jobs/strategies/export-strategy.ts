import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { isThemeAssetRef, type ThemeAssetRef } from '@nafs/contracts';
import type { ObjectStorage } from '@nafs/storage';

import type { ToolRegistryEntryEntity } from '../../tool-registry/tool-registry-entry.entity';
import type { FormsSourceClient } from '../forms-source.client';

export const TOOL_TYPES = ['forms', 'themes', 'workflows'] as const;
export type ToolType = (typeof TOOL_TYPES)[number];

export interface ToolManifest {
  toolType?: unknown;
  toolMetadata?: { formSchemaId?: unknown; themeId?: unknown; workflowId?: unknown };
  config?: { toolType?: unknown; formSchemaId?: unknown };
}

export function manifestOf(tool: ToolRegistryEntryEntity): ToolManifest {
  const manifest = tool.manifestJson;
  return manifest && typeof manifest === 'object' && !Array.isArray(manifest) ? (manifest as ToolManifest) : {};
}

/**
 * The tool's type, one rule for pre-flight and execution (legacy used `manifest.toolType` in one
 * and `manifest.config.toolType` in the other, 5.7): `toolType`, else `config.toolType`, else a
 * `tool_id` containing form, theme or workflow.
 */
export function toolTypeOf(tool: ToolRegistryEntryEntity): ToolType | null {
  const manifest = manifestOf(tool);
  for (const candidate of [manifest.toolType, manifest.config?.toolType]) {
    if (typeof candidate === 'string' && (TOOL_TYPES as readonly string[]).includes(candidate)) return candidate as ToolType;
  }
  if (manifest.toolType === undefined && manifest.config?.toolType === undefined) {
    if (tool.toolId.includes('form')) return 'forms';
    if (tool.toolId.includes('theme')) return 'themes';
    if (tool.toolId.includes('workflow')) return 'workflows';
  }
  return null;
}

export function metadataId(tool: ToolRegistryEntryEntity, name: 'formSchemaId' | 'themeId' | 'workflowId'): string | null {
  const manifest = manifestOf(tool);
  const value = manifest.toolMetadata?.[name] ?? (name === 'formSchemaId' ? manifest.config?.formSchemaId : undefined);
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** A step failed for a reason another attempt will not fix (missing data): no retry. */
export class PermanentStepError extends Error {
  override name = 'PermanentStepError';
}

export interface StepContext {
  jobId: string;
  tool: ToolRegistryEntryEntity;
  /** This job's scratch directory on this replica; its files become the package. */
  workDir: string;
  signal: AbortSignal;
  forms: FormsSourceClient;
  storage: ObjectStorage;
  /** What earlier steps found (the forms source, ...) for later ones. */
  state: Record<string, unknown>;
  /** Writes `relativePath` under the package root. */
  write(relativePath: string, content: string | Buffer): Promise<void>;
  /** Streams `source` into `relativePath` under the package root, with backpressure. */
  writeFrom(relativePath: string, source: AsyncIterable<Buffer>): Promise<void>;
}

export interface ExportStep {
  name: string;
  /** Transient failures (forms RPC, storage) are retried with backoff. */
  retryable?: boolean;
  run(context: StepContext): Promise<void>;
  /** Undoes what `run` left outside the scratch directory (which is removed anyway). */
  rollback?(context: StepContext): Promise<void>;
}

export interface ExportStrategy {
  type: ToolType;
  steps: ExportStep[];
}

export function fileWriter(workDir: string) {
  return async (relativePath: string, content: string | Buffer) => {
    const path = join(workDir, relativePath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  };
}

export function fileStreamWriter(workDir: string, signal?: AbortSignal) {
  return async (relativePath: string, source: AsyncIterable<Buffer>) => {
    const path = join(workDir, relativePath);
    await mkdir(dirname(path), { recursive: true });
    await pipeline(source, createWriteStream(path), { signal });
  };
}

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+)?(;base64)?,/i;

/**
 * Writes every `data:` URL found in `value` (theme backgrounds, logos) as a file under `dir` and
 * returns a copy of `value` that references the files instead. Large assets thus leave the JSON.
 * A ThemeAssetRef (a large asset forms did not put in its reply) is streamed from `readAsset`
 * into its file, named as the inline URL would have been.
 */
export async function extractDataUrlAssets(
  value: unknown,
  dir: string,
  context: Pick<StepContext, 'write' | 'writeFrom'>,
  readAsset: (ref: ThemeAssetRef) => AsyncIterable<Buffer>,
): Promise<{ value: unknown; files: string[] }> {
  const files: string[] = [];
  const fileName = (header: RegExpExecArray, path: string) => {
    const extension = (header[1]?.split('/')[1] ?? 'bin').replace(/[^a-z0-9]/gi, '').slice(0, 10) || 'bin';
    return `${dir}/${path.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'asset'}.${extension}`;
  };
  const walk = async (node: unknown, path: string): Promise<unknown> => {
    if (typeof node === 'string') {
      const match = DATA_URL.exec(node);
      if (!match) return node;
      const name = fileName(match, path);
      const payload = node.slice(match[0].length);
      await context.write(name, match[2] ? Buffer.from(payload, 'base64') : Buffer.from(decodeURIComponent(payload)));
      files.push(name);
      return `./${name}`;
    }
    const header = isThemeAssetRef(node) ? DATA_URL.exec(node.$themeAsset.header) : null;
    if (header && isThemeAssetRef(node)) {
      const name = fileName(header, path);
      await context.writeFrom(name, readAsset(node));
      files.push(name);
      return `./${name}`;
    }
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (let i = 0; i < node.length; i++) out.push(await walk(node[i], `${path}-${i}`));
      return out;
    }
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = await walk(child, path ? `${path}-${key}` : key);
      return out;
    }
    return node;
  };
  return { value: await walk(value, ''), files };
}
