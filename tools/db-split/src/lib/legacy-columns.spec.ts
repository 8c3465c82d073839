import { LEGACY_TABLES } from '@nafs/contracts';
import { createLegacyDatabase, type TestDatabase } from '@nafs/database/testing';
import { Client } from 'pg';

import { LEGACY_COLUMNS } from './legacy-columns';

// plan compares a source with this list before the targets exist; it must be the fixture's schema.
describe('the built-in legacy column list', () => {
  let legacy: TestDatabase;
  beforeAll(async () => {
    legacy = await createLegacyDatabase('dbcols');
  });
  afterAll(() => legacy?.drop());

  it('equals the columns of the 17 tables in monolith-schema.sql, in order (185 in all)', async () => {
    const client = new Client({ connectionString: legacy.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ table: string; columns: string[] }>(
        `SELECT c.relname::text AS table, array_agg(a.attname::text ORDER BY a.attnum) AS columns
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          WHERE c.relkind = 'r' GROUP BY c.relname`,
      );
      expect(Object.fromEntries(rows.map((r) => [r.table, r.columns]))).toEqual(LEGACY_COLUMNS);
      expect(LEGACY_TABLES.reduce((n, t) => n + LEGACY_COLUMNS[t].length, 0)).toBe(185);
    } finally {
      await client.end();
    }
  });
});
