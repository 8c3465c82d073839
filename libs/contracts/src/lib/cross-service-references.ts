import type { LegacyTable } from './tables';

export type LegacyOnDelete = 'CASCADE' | 'SET NULL';

export interface CrossServiceReference {
  table: LegacyTable;
  column: string;
  references: 'users' | 'tenants';
  /** The legacy foreign key's constraint name, or null where legacy had no constraint at all. */
  legacyConstraint: string | null;
  /** What legacy did on delete of the referenced row; consumers replay it from auth's events. */
  onDelete: LegacyOnDelete | null;
}

/**
 * References that cross a service boundary. The first eight were foreign keys to users.id in the
 * monolith; they become plain uuid columns, checked in the application on write and replayed as
 * event handlers on delete. forms.tenant_id never had a foreign key.
 */
export const CROSS_SERVICE_REFERENCES: readonly CrossServiceReference[] = [
  {
    table: 'tool_registry',
    column: 'created_by',
    references: 'users',
    legacyConstraint: 'fk_tool_registry_created_by',
    onDelete: 'SET NULL',
  },
  { table: 'export_jobs', column: 'user_id', references: 'users', legacyConstraint: 'export_jobs_user_id_fkey', onDelete: 'SET NULL' },
  {
    table: 'drawing_projects',
    column: 'user_id',
    references: 'users',
    legacyConstraint: 'drawing_projects_user_id_fkey',
    onDelete: 'CASCADE',
  },
  { table: 'forms', column: 'user_id', references: 'users', legacyConstraint: 'fk_forms_user_id', onDelete: 'CASCADE' },
  { table: 'form_themes', column: 'created_by', references: 'users', legacyConstraint: 'fk_form_themes_created_by', onDelete: 'SET NULL' },
  { table: 'form_themes', column: 'creator_id', references: 'users', legacyConstraint: 'fk_form_themes_creator_id', onDelete: 'SET NULL' },
  {
    table: 'form_submissions',
    column: 'user_id',
    references: 'users',
    legacyConstraint: 'fk_form_submissions_user_id',
    onDelete: 'SET NULL',
  },
  {
    table: 'short_links',
    column: 'created_by',
    references: 'users',
    legacyConstraint: 'short_links_created_by_fkey',
    onDelete: 'SET NULL',
  },
  { table: 'forms', column: 'tenant_id', references: 'tenants', legacyConstraint: null, onDelete: null },
];

/** The legacy foreign keys that the split drops (the documented schema difference). */
export const DROPPED_LEGACY_FOREIGN_KEYS = CROSS_SERVICE_REFERENCES.filter(
  (ref): ref is CrossServiceReference & { legacyConstraint: string } => ref.legacyConstraint !== null,
);
