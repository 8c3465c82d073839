import { DROPPED_LEGACY_FOREIGN_KEYS, tablesOwnedBy } from '@nafs/contracts';
import { createLegacyDatabase, createMigratedDatabase, diffCatalogs, readTableCatalogs, type TestDatabase } from '@nafs/database/testing';

import { FORMS_SCHEMA } from '../src/database/schema';

describe('forms schema equals the legacy forms tables', () => {
  let legacy: TestDatabase;
  let target: TestDatabase;

  beforeAll(async () => {
    [legacy, target] = await Promise.all([createLegacyDatabase(), createMigratedDatabase('forms', FORMS_SCHEMA)]);
  });
  afterAll(() => Promise.all([legacy?.drop(), target?.drop()]));

  it('has the same columns, constraints, indexes and triggers', async () => {
    const tables = tablesOwnedBy('forms');
    const diff = diffCatalogs(await readTableCatalogs(legacy.url, tables), await readTableCatalogs(target.url, tables), {
      droppedConstraints: DROPPED_LEGACY_FOREIGN_KEYS.map((fk) => `${fk.table}.${fk.legacyConstraint}`),
    });
    console.log(`schema-equality forms: ${JSON.stringify(diff.compared)}, differences: ${diff.differences.length}`);
    expect(diff.differences).toEqual([]);
    expect(diff.compared).toMatchObject({ tables: 5, columns: 50 });
  });
});
