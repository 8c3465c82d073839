import { type FormThemeDto, toThemeDto } from '../../themes/dto/theme.dto';
import type { FormThemeEntity } from '../../themes/form-theme.entity';
import type { FormEntity } from '../form.entity';
import type { FormOwner } from '../form-owners';
import type { FormSchemaEntity } from '../form-schema.entity';
import type { FormSubmissionEntity } from '../form-submission.entity';

const iso = (value: Date | string | null | undefined) => (value === null || value === undefined ? null : new Date(value).toISOString());
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `FormSchema` (legacy-api.md 3.3): `schema_json` spread out, `settings.themeId` copied from the column. */
export function toSchemaDto(row: FormSchemaEntity, theme?: FormThemeEntity | null) {
  const json = isObject(row.schemaJson) ? row.schemaJson : {};
  const settings = isObject(json.settings) ? { ...json.settings } : {};
  if (row.themeId) settings.themeId = row.themeId;
  const dto: Record<string, unknown> = {
    id: row.id,
    formId: row.formId,
    version: row.schemaVersion,
    fields: Array.isArray(json.fields) ? json.fields : [],
    settings,
    isPublished: row.isPublished,
    renderToken: row.renderToken,
    expiresAt: iso(row.expiresAt),
    themeId: row.themeId,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
  if (json.iframeEmbedOptions !== undefined) dto.iframeEmbedOptions = json.iframeEmbedOptions;
  if (json.category !== undefined) dto.category = json.category;
  if (theme) dto.theme = toThemeDto(theme) satisfies FormThemeDto;
  return dto;
}

/** `FormMetadata` (+ `schema` when given; `owner` in lists). */
export function toFormDto(
  form: FormEntity,
  extra: { schema?: FormSchemaEntity | null; theme?: FormThemeEntity | null; shortCode?: string | null; owner?: FormOwner } = {},
) {
  const dto: Record<string, unknown> = {
    id: form.id,
    userId: form.userId,
    tenantId: form.tenantId,
    title: form.title,
    description: form.description,
    status: form.status,
    qrCodeUrl: form.qrCodeUrl,
    createdAt: iso(form.createdAt),
    updatedAt: iso(form.updatedAt),
  };
  if (extra.shortCode !== undefined) dto.shortCode = extra.shortCode ?? undefined;
  if (extra.owner) dto.owner = extra.owner;
  if (extra.schema) dto.schema = toSchemaDto(extra.schema, extra.theme);
  return dto;
}

/** IPv4 (also IPv4-mapped IPv6) as `a.b._._`, as the legacy list and export showed it. */
export function maskIp(ip: string | null): string | null {
  if (!ip) return ip;
  return ip.replace(/(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/, '$1.$2._._');
}

const truncate = (value: unknown): unknown => {
  if (typeof value === 'string') return value.length > 100 ? `${value.slice(0, 100)}...` : value;
  if (Array.isArray(value)) return value.map(truncate);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, truncate(child)]));
  return value;
};

/** F11 item: IPv4 masked, strings over 100 characters cut (legacy-api.md 3.3). */
export function toSubmissionDto(row: FormSubmissionEntity) {
  return {
    id: row.id,
    formSchemaId: row.formSchemaId,
    values: truncate(row.valuesJson),
    submittedAt: iso(row.submittedAt),
    submitterIp: maskIp(row.submitterIp ? String(row.submitterIp).replace(/\/\d+$/, '') : null),
    userId: row.userId,
    metadata: row.metadata ?? undefined,
  };
}
