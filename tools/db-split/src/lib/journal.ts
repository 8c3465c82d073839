import type { Client } from 'pg';

import { TOOL_SCHEMA } from './catalog';

/**
 * The copy journal: one row per table whose load committed, written in the same transaction as
 * the table's rows. A killed copy therefore leaves each table either complete and journaled, or
 * untouched; the rerun (which cannot reuse the dead run's snapshot) skips a journaled table only
 * if its row count still equals both the journal and the source, and reloads it otherwise.
 * It lives in its own schema so it never mixes with a service's tables; drop it after cut-over
 * with `DROP SCHEMA db_split CASCADE`.
 */
export const JOURNAL = `${TOOL_SCHEMA}.copy_journal`;

export interface JournalEntry {
  table: string;
  source: string;
  rows: number;
}

export async function ensureJournal(client: Client): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${TOOL_SCHEMA}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${JOURNAL} (
    table_name   text PRIMARY KEY,
    source       text NOT NULL,
    rows         bigint NOT NULL,
    bytes        bigint NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now()
  )`);
}

export async function readJournal(client: Client): Promise<Map<string, JournalEntry>> {
  const exists = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [JOURNAL]);
  if (!exists.rows[0].found) return new Map();
  const { rows } = await client.query<{ table_name: string; source: string; rows: string }>(
    `SELECT table_name, source, rows FROM ${JOURNAL}`,
  );
  return new Map(rows.map((row) => [row.table_name, { table: row.table_name, source: row.source, rows: Number(row.rows) }]));
}

export async function recordCompleted(client: Client, table: string, source: string, rows: number, bytes: number): Promise<void> {
  await client.query(
    `INSERT INTO ${JOURNAL} (table_name, source, rows, bytes) VALUES ($1, $2, $3, $4)
     ON CONFLICT (table_name) DO UPDATE SET source = EXCLUDED.source, rows = EXCLUDED.rows, bytes = EXCLUDED.bytes, completed_at = now()`,
    [table, source, rows, bytes],
  );
}

export async function forget(client: Client, tables: string[]): Promise<void> {
  await client.query(`DELETE FROM ${JOURNAL} WHERE table_name = ANY($1::text[])`, [tables]);
}
