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
  /** `ThemeAssetChunkRequest` → `ThemeAssetChunk`: a slice of an asset a `ThemeAssetRef` stands for. */
  themeAssetChunk: 'forms.export-source.theme-asset',
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
  /**
   * `form_themes.theme_config` as stored, except that every base64 `data:` URL longer than
   * THEME_ASSET_INLINE_MAX_CHARS below the top level is replaced by a `ThemeAssetRef`: a 5 MB
   * asset no longer travels (and is held, several times over) inside one RPC reply.
   */
  themeConfig: unknown;
  /** `form_themes.theme_definition`, large assets replaced the same way. */
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

/** Base64 `data:` URLs up to this many characters stay inline in `ThemeExportSource`. */
export const THEME_ASSET_INLINE_MAX_CHARS = 64 * 1024;
/** Largest `length` a `ThemeAssetChunkRequest` may ask (base64 characters, a multiple of 4). */
export const THEME_ASSET_CHUNK_MAX_CHARS = 512 * 1024;
export const THEME_ASSET_COLUMNS = ['theme_config', 'theme_definition'] as const;
export type ThemeAssetColumn = (typeof THEME_ASSET_COLUMNS)[number];

/** Stands in for a large base64 `data:` URL of a theme; its payload is read with `themeAssetChunk`. */
export interface ThemeAssetRef {
  $themeAsset: {
    column: ThemeAssetColumn;
    /** Keys (array indices as decimal strings) from the column's root to the string. */
    path: string[];
    /** The URL up to and including the comma, e.g. `data:image/png;base64,`. */
    header: string;
    /** Characters of the base64 payload after `header`. */
    length: number;
    /** SHA-256 (hex) of the payload text, to detect a theme changed while it is read. */
    sha256: string;
  };
}

export function isThemeAssetRef(value: unknown): value is ThemeAssetRef {
  const ref = (value as Partial<ThemeAssetRef> | null)?.$themeAsset;
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof ref === 'object' &&
    ref !== null &&
    Array.isArray(ref.path) &&
    typeof ref.header === 'string' &&
    typeof ref.length === 'number' &&
    typeof ref.sha256 === 'string'
  );
}

export interface ThemeAssetChunkRequest {
  themeId: string;
  column: ThemeAssetColumn;
  path: string[];
  /** 0-based offset into the whole `data:` URL string (so the payload starts at `header.length`). */
  offset: number;
  /** Characters wanted, at most THEME_ASSET_CHUNK_MAX_CHARS. */
  length: number;
}

export interface ThemeAssetChunk {
  /** The string's characters `[offset, offset + length)` (fewer at its end). */
  data: string;
  /** The whole string's current length, header included, to detect a theme changed while it is read. */
  total: number;
}
