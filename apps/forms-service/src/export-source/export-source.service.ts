import { createHash } from 'node:crypto';

import {
  type ExportedFormSchema,
  type FormExportSource,
  isUuid,
  type RpcErrorCode,
  THEME_ASSET_CHUNK_MAX_CHARS,
  THEME_ASSET_COLUMNS,
  THEME_ASSET_INLINE_MAX_CHARS,
  type ThemeAssetChunk,
  type ThemeAssetChunkRequest,
  type ThemeAssetColumn,
  type ThemeAssetRef,
  type ThemeExportSource,
} from '@nafs/contracts';
import { Injectable } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';

import type { FormSchemaEntity } from '../forms/form-schema.entity';
import type { FormThemeEntity } from '../themes/form-theme.entity';
import { ExportSourceRepository } from './export-source.repository';

export function rpcError(code: RpcErrorCode, message: string): RpcException {
  return new RpcException({ code, message });
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function fieldCount(schemaJson: unknown): number {
  const fields = (schemaJson as { fields?: unknown } | null)?.fields;
  return Array.isArray(fields) ? fields.length : 0;
}

function toSchema(row: FormSchemaEntity): ExportedFormSchema {
  return {
    id: row.id,
    formId: row.formId,
    schemaVersion: row.schemaVersion,
    schemaJson: row.schemaJson,
    isPublished: row.isPublished,
    themeId: row.themeId,
    createdAt: iso(row.createdAt),
    fieldCount: fieldCount(row.schemaJson),
  };
}

// The data URLs web's package writer turns into files (export-strategy.ts), base64 ones only.
const BASE64_DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+)?;base64,/i;
const BASE64_PAYLOAD = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * `value` with every large strict-base64 `data:` URL below its root replaced by a ThemeAssetRef
 * (web reads those in chunks). Strict base64 only, so that decoding chunk by chunk gives exactly
 * the bytes decoding the whole string would.
 */
export function withAssetRefs(value: unknown, column: ThemeAssetColumn): unknown {
  const walk = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'string') {
      if (path.length === 0 || node.length <= THEME_ASSET_INLINE_MAX_CHARS) return node;
      const header = BASE64_DATA_URL.exec(node)?.[0];
      if (!header) return node;
      const payload = node.slice(header.length);
      if (!BASE64_PAYLOAD.test(payload)) return node;
      const ref: ThemeAssetRef = {
        $themeAsset: { column, path, header, length: payload.length, sha256: createHash('sha256').update(payload).digest('hex') },
      };
      return ref;
    }
    if (Array.isArray(node)) return node.map((child, index) => walk(child, [...path, String(index)]));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) out[key] = walk(child, [...path, key]);
      return out;
    }
    return node;
  };
  return walk(value, []);
}

function toTheme(row: FormThemeEntity): ThemeExportSource {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isActive: row.isActive,
    thumbnailUrl: row.thumbnailUrl,
    themeConfig: withAssetRefs(row.themeConfig, 'theme_config'),
    themeDefinition: withAssetRefs(row.themeDefinition, 'theme_definition'),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** What web-service's export strategies need from forms' own data (legacy-api.md 5.7). */
@Injectable()
export class ExportSourceService {
  constructor(private readonly rows: ExportSourceRepository) {}

  async formSource(formSchemaId: unknown): Promise<FormExportSource> {
    if (typeof formSchemaId !== 'string' || !isUuid(formSchemaId)) throw rpcError('INVALID_ARGUMENT', 'formSchemaId must be a uuid');
    const requested = await this.rows.schema(formSchemaId);
    if (!requested) throw rpcError('NOT_FOUND', `Form schema ${formSchemaId} not found`);
    const [form, latest, submissionCount] = await Promise.all([
      this.rows.form(requested.formId),
      this.rows.latestSchemaOf(requested.formId),
      this.rows.submissionCount(requested.formId),
    ]);
    if (!form) throw rpcError('NOT_FOUND', `Form ${requested.formId} not found`);
    const schema = latest ?? requested;
    const theme = schema.themeId ? await this.rows.theme(schema.themeId) : null;
    return {
      form: {
        id: form.id,
        title: form.title,
        description: form.description,
        status: form.status,
        createdAt: iso(form.createdAt),
        updatedAt: iso(form.updatedAt),
      },
      requestedSchemaId: requested.id,
      latestSchema: toSchema(schema),
      submissionCount,
      theme: theme ? toTheme(theme) : null,
    };
  }

  async themeSource(themeId: unknown): Promise<ThemeExportSource> {
    if (typeof themeId !== 'string' || !isUuid(themeId)) throw rpcError('INVALID_ARGUMENT', 'themeId must be a uuid');
    const theme = await this.rows.theme(themeId);
    if (!theme) throw rpcError('NOT_FOUND', `Theme ${themeId} not found`);
    return toTheme(theme);
  }

  async themeAssetChunk(request: unknown): Promise<ThemeAssetChunk> {
    const { themeId, column, path, offset, length } = (request ?? {}) as Partial<ThemeAssetChunkRequest>;
    if (typeof themeId !== 'string' || !isUuid(themeId)) throw rpcError('INVALID_ARGUMENT', 'themeId must be a uuid');
    // `column` is interpolated into the SQL: only the two names of the enum get there.
    if (typeof column !== 'string' || !(THEME_ASSET_COLUMNS as readonly string[]).includes(column))
      throw rpcError('INVALID_ARGUMENT', `column must be one of ${THEME_ASSET_COLUMNS.join(', ')}`);
    if (!Array.isArray(path) || path.length === 0 || path.length > 64 || !path.every((key) => typeof key === 'string'))
      throw rpcError('INVALID_ARGUMENT', 'path must be a non-empty array of keys');
    if (!Number.isSafeInteger(offset) || (offset as number) < 0) throw rpcError('INVALID_ARGUMENT', 'offset must be an integer >= 0');
    if (!Number.isSafeInteger(length) || (length as number) < 1 || (length as number) > THEME_ASSET_CHUNK_MAX_CHARS)
      throw rpcError('INVALID_ARGUMENT', `length must be an integer in 1..${THEME_ASSET_CHUNK_MAX_CHARS}`);
    const slice = await this.rows.assetSlice(themeId, column as ThemeAssetColumn, path, offset as number, length as number);
    if (!slice) throw rpcError('NOT_FOUND', `Theme ${themeId} has no asset at ${column}.${path.join('.')}`);
    return slice;
  }
}
