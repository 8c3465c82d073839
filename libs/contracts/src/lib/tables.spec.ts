import { CROSS_SERVICE_REFERENCES, DROPPED_LEGACY_FOREIGN_KEYS } from './cross-service-references';
import { LEGACY_TABLES, TABLE_OWNERSHIP, tablesOwnedBy } from './tables';

describe('table ownership', () => {
  it('assigns all 17 legacy tables to exactly one service', () => {
    expect(LEGACY_TABLES).toHaveLength(17);
    const owned = [...tablesOwnedBy('auth'), ...tablesOwnedBy('web'), ...tablesOwnedBy('forms')];
    expect(owned.sort()).toEqual([...LEGACY_TABLES].sort());
  });

  it('drops exactly the 8 foreign keys that crossed groups, none of them inside auth', () => {
    expect(DROPPED_LEGACY_FOREIGN_KEYS).toHaveLength(8);
    for (const ref of CROSS_SERVICE_REFERENCES) {
      expect(TABLE_OWNERSHIP[ref.table]).not.toBe('auth');
    }
  });
});
