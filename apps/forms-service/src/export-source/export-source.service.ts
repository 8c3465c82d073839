import { type ExportedFormSchema, type FormExportSource, isUuid, type RpcErrorCode, type ThemeExportSource } from '@nafs/contracts';
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

function toTheme(row: FormThemeEntity): ThemeExportSource {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isActive: row.isActive,
    thumbnailUrl: row.thumbnailUrl,
    themeConfig: row.themeConfig,
    themeDefinition: row.themeDefinition,
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
}
