import { DROPPED_LEGACY_FOREIGN_KEYS, tablesOwnedBy } from '@nafs/contracts';
import { createLegacyDatabase, createMigratedDatabase, diffCatalogs, readTableCatalogs, type TestDatabase } from '@nafs/database/testing';

import { AUTH_SCHEMA } from '../src/database/schema';

describe('auth schema equals the legacy auth tables', () => {
  let legacy: TestDatabase;
  let target: TestDatabase;

  beforeAll(async () => {
    [legacy, target] = await Promise.all([createLegacyDatabase(), createMigratedDatabase('auth', AUTH_SCHEMA)]);
  });
  afterAll(() => Promise.all([legacy?.drop(), target?.drop()]));

  it('has the same columns, constraints, indexes and triggers', async () => {
    const tables = tablesOwnedBy('auth');
    const diff = diffCatalogs(await readTableCatalogs(legacy.url, tables), await readTableCatalogs(target.url, tables), {
      droppedConstraints: DROPPED_LEGACY_FOREIGN_KEYS.map((fk) => `${fk.table}.${fk.legacyConstraint}`),
      // Migration 1700000000001: constant-time API-token lookup (sha256 of the plaintext, NULL for
      // legacy rows until their first use; the second index finds those rows for the bcrypt fallback).
      addedColumns: ['api_tokens.token_sha256'],
      addedIndexes: ['api_tokens.idx_api_tokens_token_sha256', 'api_tokens.idx_api_tokens_sha256_missing'],
    });
    console.log(`schema-equality auth: ${JSON.stringify(diff.compared)}, differences: ${diff.differences.length}`);
    expect(diff.differences).toEqual([]);
    expect(diff.compared).toMatchObject({ tables: 7, columns: 69 });
  });
});
