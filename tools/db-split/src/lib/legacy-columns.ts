import type { LegacyTable } from '@nafs/contracts';

/**
 * The columns of the 17 legacy tables in the final legacy schema (migrations 001-029), in legacy
 * order. `plan` compares a source with these when the target databases do not exist yet, so it
 * can report a missing column (a monolith whose migration 029 never ran lacks the last three of
 * export_jobs) before anything is created. Once the targets are migrated, their real columns are
 * used instead; a test keeps this list equal to both the fixture schema and the migrated targets.
 */
export const LEGACY_COLUMNS: Record<LegacyTable, readonly string[]> = {
  tenants: ['id', 'name', 'slug', 'settings', 'is_active', 'created_at', 'updated_at', 'plan', 'max_users', 'status'],
  users: ['id', 'tenant_id', 'email', 'password_hash', 'first_name', 'last_name', 'role', 'created_at', 'updated_at', 'last_login', 'is_active', 'email_verified', 'deleted_at', 'avatar_url'],
  sessions: ['id', 'user_id', 'refresh_token', 'expires_at', 'ip_address', 'user_agent', 'created_at'],
  password_resets: ['id', 'user_id', 'token', 'expires_at', 'used', 'created_at'],
  audit_logs: ['id', 'tenant_id', 'user_id', 'action', 'resource_type', 'resource_id', 'changes', 'ip_address', 'user_agent', 'created_at'],
  api_tokens: ['id', 'user_id', 'tenant_id', 'token_hash', 'name', 'scopes', 'expires_at', 'created_at', 'updated_at', 'last_used_at', 'is_active'],
  api_token_usage: ['id', 'token_id', 'endpoint', 'method', 'timestamp', 'processing_time', 'response_status', 'ip_address', 'user_agent', 'tenant_id', 'created_at'],
  tools: ['id', 'key', 'name', 'description', 'active', 'created_at', 'updated_at', 'slug', 'code_path'],
  tool_configs: ['id', 'tool_id', 'version', 'display_mode', 'layout_settings', 'is_active', 'created_at', 'updated_at'],
  tool_registry: ['id', 'tool_id', 'name', 'description', 'version', 'icon', 'route', 'api_base', 'permissions', 'status', 'is_exported', 'exported_at', 'service_url', 'database_name', 'manifest_json', 'created_at', 'updated_at', 'created_by'],
  export_jobs: ['job_id', 'tool_id', 'user_id', 'status', 'steps_completed', 'steps_total', 'current_step', 'progress_percentage', 'package_path', 'package_size_bytes', 'error_message', 'created_at', 'updated_at', 'started_at', 'completed_at', 'download_count', 'last_downloaded_at', 'package_expires_at', 'package_retention_days', 'package_checksum', 'package_algorithm', 'checksum_verified_at'],
  drawing_projects: ['id', 'user_id', 'name', 'description', 'template_data', 'thumbnail', 'is_active', 'created_at', 'updated_at'],
  forms: ['id', 'user_id', 'tenant_id', 'title', 'description', 'status', 'created_at', 'updated_at', 'qr_code_url'],
  form_themes: ['id', 'name', 'description', 'thumbnail_url', 'theme_config', 'usage_count', 'is_active', 'created_by', 'created_at', 'updated_at', 'is_custom', 'creator_id', 'theme_definition'],
  form_schemas: ['id', 'form_id', 'schema_version', 'schema_json', 'is_published', 'render_token', 'expires_at', 'created_at', 'updated_at', 'theme_id'],
  form_submissions: ['id', 'form_schema_id', 'values_json', 'submitted_at', 'submitter_ip', 'user_id', 'metadata'],
  short_links: ['id', 'code', 'original_url', 'expires_at', 'created_by', 'click_count', 'last_accessed', 'created_at', 'updated_at', 'qr_code_url', 'form_schema_id'],
};

/**
 * Rows that a target's own migrations insert and the source also holds (hazard A01: the default
 * tenant, inserted by legacy migration 001 and again by the auth baseline migration). copy treats
 * a table holding only these rows as empty and deletes them inside the table's load transaction,
 * so the source's version of the row (with its original timestamps) replaces it instead of
 * colliding with it. Only rows whose key the source also has are deleted.
 */
export const MIGRATION_SEEDED_ROWS: Partial<Record<LegacyTable, { column: string; values: readonly string[] }>> = {
  tenants: { column: 'id', values: ['00000000-0000-0000-0000-000000000000'] },
};
