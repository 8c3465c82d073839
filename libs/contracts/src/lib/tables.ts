import type { ServiceName } from './services';

/**
 * Which service owns each of the 17 legacy tables, in the order the legacy schema creates them.
 * The services' migrations, the migration tool (tools/db-split) and the schema-equality tests all
 * read this one map, so they can never disagree about where a table lives.
 */
export const TABLE_OWNERSHIP = {
  tenants: 'auth',
  users: 'auth',
  sessions: 'auth',
  password_resets: 'auth',
  audit_logs: 'auth',
  api_tokens: 'auth',
  api_token_usage: 'auth',
  tools: 'web',
  tool_configs: 'web',
  tool_registry: 'web',
  export_jobs: 'web',
  drawing_projects: 'web',
  forms: 'forms',
  form_themes: 'forms',
  form_schemas: 'forms',
  form_submissions: 'forms',
  short_links: 'forms',
} as const satisfies Record<string, ServiceName>;

export type LegacyTable = keyof typeof TABLE_OWNERSHIP;

export const LEGACY_TABLES = Object.keys(TABLE_OWNERSHIP) as LegacyTable[];

/** Legacy views: not data, never copied (the auth migrations recreate `tenant_users`). */
export const LEGACY_VIEWS = ['tenant_users'] as const;

export function tablesOwnedBy(service: ServiceName): LegacyTable[] {
  return LEGACY_TABLES.filter((table) => TABLE_OWNERSHIP[table] === service);
}

export function isLegacyTable(name: string): name is LegacyTable {
  return Object.prototype.hasOwnProperty.call(TABLE_OWNERSHIP, name);
}
