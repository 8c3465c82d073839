import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';

import { Inject, Injectable } from '@nestjs/common';

import { ToolRegistryRepository } from '../tool-registry/tool-registry.repository';
import type { ToolRegistryEntryEntity } from '../tool-registry/tool-registry-entry.entity';
import { EXPORT_JOBS_OPTIONS, type ExportJobsOptions } from './export-jobs.config';
import { FormsSourceClient, FormsSourceError, FormsUnavailableError } from './forms-source.client';
import { metadataId, TOOL_TYPES, toolTypeOf } from './strategies/export-strategy';

export interface ValidationEntry {
  message: string;
  field: string;
  severity: 'error';
}

/** W26's body (legacy `ValidationResult`). */
export interface ValidationResult {
  success: boolean;
  errors: ValidationEntry[];
  warnings: { message: string; field: string }[];
  info: string[];
  timestamp: string;
  estimatedDurationMs: number;
}

export interface PreflightReport {
  result: ValidationResult;
  tool: ToolRegistryEntryEntity | null;
  /** Every error is a transient one (forms-service unreachable): a queued job may still succeed. */
  onlyTransientErrors: boolean;
}

/**
 * The pre-flight check (legacy-api.md 5.7) of W26 and W27. Not cached (legacy cached 5 minutes
 * per process): it reads forms' live data, and a stale "ok" would hide a deleted schema.
 */
@Injectable()
export class ExportPreflight {
  constructor(
    private readonly registry: ToolRegistryRepository,
    private readonly forms: FormsSourceClient,
    @Inject(EXPORT_JOBS_OPTIONS) private readonly options: ExportJobsOptions,
  ) {}

  async check(toolKey: string): Promise<PreflightReport> {
    const errors: ValidationEntry[] = [];
    const warnings: { message: string; field: string }[] = [];
    const info: string[] = [];
    let transient = 0;
    const error = (message: string, field: string, isTransient = false) => {
      errors.push({ message, field, severity: 'error' });
      if (isTransient) transient++;
    };
    const askForms = async <T>(field: string, what: string, call: () => Promise<T>): Promise<T | null> => {
      try {
        return await call();
      } catch (failure) {
        if (failure instanceof FormsSourceError) error(failure.code === 'NOT_FOUND' ? `${what} not found` : failure.message, field);
        else if (failure instanceof FormsUnavailableError)
          error(`Cannot check the ${what.toLowerCase()}: ${failure.message}`, 'formsService', true);
        else throw failure;
        return null;
      }
    };

    const tool = await this.registry.findByToolId(toolKey);
    if (!tool) {
      error(`Tool '${toolKey}' not found`, 'toolId');
    } else {
      if (tool.status !== 'active') warnings.push({ message: `Tool status is '${tool.status ?? 'unset'}', not 'active'`, field: 'status' });
      const type = toolTypeOf(tool);
      if (!type) error(`Tool type must be one of: ${TOOL_TYPES.join(', ')}`, 'manifest_json.toolType');
      if (type === 'forms') {
        const formSchemaId = metadataId(tool, 'formSchemaId');
        if (!formSchemaId) error('Form schema ID is required for forms tools', 'toolMetadata.formSchemaId');
        else {
          const source = await askForms('toolMetadata.formSchemaId', `Form schema ${formSchemaId}`, () =>
            this.forms.formSource(formSchemaId),
          );
          if (source) {
            if (source.latestSchema.fieldCount === 0) error('Form schema has no fields', 'schema.fields');
            if (source.submissionCount === 0) warnings.push({ message: 'Form has no submissions', field: 'submissions' });
            if (source.theme && !source.theme.isActive)
              warnings.push({ message: `Theme '${source.theme.name}' is not active`, field: 'theme' });
            info.push(
              `Form '${source.form.title}': schema version ${source.latestSchema.schemaVersion}, ${source.latestSchema.fieldCount} fields, ${source.submissionCount} submissions`,
            );
          }
        }
      }
      if (type === 'themes') {
        const themeId = metadataId(tool, 'themeId');
        if (!themeId) error('Theme ID is required for themes tools', 'toolMetadata.themeId');
        else {
          const theme = await askForms('toolMetadata.themeId', `Theme ${themeId}`, () => this.forms.themeSource(themeId));
          if (theme && !theme.isActive) error(`Theme '${theme.name}' is not active`, 'theme');
          if (theme && (theme.themeConfig === null || typeof theme.themeConfig !== 'object'))
            error(`Theme '${theme.name}' has no config`, 'theme.themeConfig');
        }
      }
      if (type === 'workflows' && !metadataId(tool, 'workflowId'))
        error('Workflow ID is required for workflows tools', 'toolMetadata.workflowId');
    }
    try {
      await mkdir(this.options.tempDir, { recursive: true });
      await access(this.options.tempDir, constants.W_OK);
    } catch {
      error('Export scratch directory is not writable', 'EXPORT_TEMP_DIR');
    }
    info.push(`Node.js ${process.version}; packages are built in process (tar-stream, zlib): no tar, npm or Docker binary needed`);
    return {
      tool,
      onlyTransientErrors: errors.length > 0 && transient === errors.length,
      result: {
        success: errors.length === 0,
        errors,
        warnings,
        info,
        timestamp: new Date().toISOString(),
        estimatedDurationMs: 30_000 + 5_000 * warnings.length,
      },
    };
  }
}
