import {
  CROSS_SERVICE_REFERENCES,
  type CrossServiceReference,
  type LegacyOnDelete,
  type ServiceName,
  TABLE_OWNERSHIP,
} from '@nafs/contracts';
import type { EntityManager } from 'typeorm';

export type UserReference = CrossServiceReference & { references: 'users'; onDelete: LegacyOnDelete };

/**
 * The former foreign keys to users.id on the tables one service owns, from the one list in
 * libs/contracts. CASCADE references come first: deleting those rows first means the SET NULL
 * updates that follow do not touch rows that are about to disappear anyway.
 */
export function userReferencesOf(service: ServiceName): UserReference[] {
  return CROSS_SERVICE_REFERENCES.filter(
    (ref): ref is UserReference => ref.references === 'users' && ref.onDelete !== null && TABLE_OWNERSHIP[ref.table] === service,
  ).sort((a, b) => (a.onDelete === b.onDelete ? 0 : a.onDelete === 'CASCADE' ? -1 : 1));
}

export interface OnDeleteResult {
  table: string;
  column: string;
  onDelete: LegacyOnDelete;
  /** Rows deleted (CASCADE) or set to NULL (SET NULL) directly; rows removed by in-database cascades are not counted. */
  rows: number;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Replays the legacy ON DELETE rules for one deleted user in the service's database, inside the
 * caller's transaction: CASCADE deletes the rows (the foreign keys inside the service's database
 * then cascade further, e.g. forms → form_schemas → form_submissions, short_links), SET NULL
 * clears the column. Running it twice changes nothing the second time.
 */
export async function applyUserOnDeleteRules(
  manager: EntityManager,
  service: ServiceName,
  userId: string,
  hooks: {
    /** Runs after the CASCADE deletes and before the SET NULL updates (forms resolves hazard F17 there). */
    beforeSetNull?: () => Promise<void>;
  } = {},
): Promise<OnDeleteResult[]> {
  const results: OnDeleteResult[] = [];
  let setNullStarted = false;
  for (const ref of userReferencesOf(service)) {
    if (ref.onDelete === 'SET NULL' && !setNullStarted) {
      setNullStarted = true;
      await hooks.beforeSetNull?.();
    }
    const sql =
      ref.onDelete === 'CASCADE'
        ? `WITH affected AS (DELETE FROM ${ident(ref.table)} WHERE ${ident(ref.column)} = $1 RETURNING 1) SELECT count(*)::int AS rows FROM affected`
        : `WITH affected AS (UPDATE ${ident(ref.table)} SET ${ident(ref.column)} = NULL WHERE ${ident(ref.column)} = $1 RETURNING 1) SELECT count(*)::int AS rows FROM affected`;
    const [{ rows }] = (await manager.query(sql, [userId])) as { rows: number }[];
    results.push({ table: ref.table, column: ref.column, onDelete: ref.onDelete, rows });
  }
  if (!setNullStarted) await hooks.beforeSetNull?.();
  return results;
}
