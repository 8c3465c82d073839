/**
 * Message patterns answered by forms-service over the NestJS Redis transport, for web-service's
 * export jobs (legacy-api.md 5.7: the forms and themes strategies build packages from the real
 * data; web never reads forms' database). Idempotent reads only (see rpc.ts for why). Failures
 * are thrown as an `RpcErrorEnvelope`: NOT_FOUND, INVALID_ARGUMENT.
 */
export const FORMS_PATTERNS = {
  ping: 'forms.ping',
  /** `FormExportSourceRequest` → `FormExportSource`; NOT_FOUND when the schema does not exist. */
  formExportSource: 'forms.export-source.form',
  /** `ThemeExportSourceRequest` → `ThemeExportSource`; NOT_FOUND when the theme does not exist. */
  themeExportSource: 'forms.export-source.theme',
} as const;

export type FormsPattern = (typeof FORMS_PATTERNS)[keyof typeof FORMS_PATTERNS];

export interface FormsPingResponse {
  service: 'forms-service';
  uptime: number;
  timestamp: string;
}

export interface FormExportSourceRequest {
  /** `tool_registry.manifest_json.toolMetadata.formSchemaId`: any schema version of the form. */
  formSchemaId: string;
}

export interface ThemeExportSourceRequest {
  themeId: string;
}

export interface ExportedForm {
  id: string;
  title: string;
  description: string | null;
  status: string;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface ExportedFormSchema {
  id: string;
  formId: string;
  schemaVersion: number;
  /** `form_schemas.schema_json` as stored. */
  schemaJson: unknown;
  isPublished: boolean;
  themeId: string | null;
  createdAt: string | null;
  /** Number of entries in `schemaJson.fields` (0 when it has none or is not an array). */
  fieldCount: number;
}

export interface ThemeExportSource {
  id: string;
  name: string;
  description: string | null;
  isActive: boolean;
  thumbnailUrl: string | null;
  /** `form_themes.theme_config` as stored (may embed `data:` URL assets). */
  themeConfig: unknown;
  themeDefinition: unknown;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface FormExportSource {
  form: ExportedForm;
  /** The requested schema row. */
  requestedSchemaId: string;
  /** The form's latest schema (highest `schema_version`), which the package carries. */
  latestSchema: ExportedFormSchema;
  /** Submissions of the form, over all its schema versions. */
  submissionCount: number;
  /** The latest schema's theme, or null when it has none or it no longer exists. */
  theme: ThemeExportSource | null;
}
