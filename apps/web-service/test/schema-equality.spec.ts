import { DROPPED_LEGACY_FOREIGN_KEYS, tablesOwnedBy } from '@nafs/contracts';
import { createLegacyDatabase, createMigratedDatabase, diffCatalogs, readTableCatalogs, type TestDatabase } from '@nafs/database/testing';

import { WEB_SCHEMA } from '../src/database/schema';

describe('web schema equals the legacy web tables', () => {
  let legacy: TestDatabase;
  let target: TestDatabase;

  beforeAll(async () => {
    [legacy, target] = await Promise.all([createLegacyDatabase(), createMigratedDatabase('web', WEB_SCHEMA)]);
  });
  afterAll(() => Promise.all([legacy?.drop(), target?.drop()]));

  it('has the same columns, constraints, indexes and triggers', async () => {
    const tables = tablesOwnedBy('web');
    const diff = diffCatalogs(await readTableCatalogs(legacy.url, tables), await readTableCatalogs(target.url, tables), {
      droppedConstraints: DROPPED_LEGACY_FOREIGN_KEYS.map((fk) => `${fk.table}.${fk.legacyConstraint}`),
    });
    console.log(`schema-equality web: ${JSON.stringify(diff.compared)}, differences: ${diff.differences.length}`);
    expect(diff.differences).toEqual([]);
    expect(diff.compared).toMatchObject({ tables: 5, columns: 66 });
  });
});
