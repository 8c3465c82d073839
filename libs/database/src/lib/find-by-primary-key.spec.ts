import { Column, DataSource, DeleteDateColumn, Entity, PrimaryColumn } from 'typeorm';

import { createEmptyDatabase, type TestDatabase } from '../testing';
import { findByPrimaryKey } from './find-by-primary-key';
import { typeOrmOptions } from './typeorm-options';

const upper = { to: (value: string | null) => value, from: (value: string | null) => value?.toUpperCase() ?? null };

@Entity({ name: 'gadgets' })
class Gadget {
  @PrimaryColumn({ name: 'id', type: 'uuid' }) id: string;
  @Column({ name: 'display_name', type: 'varchar', length: 50 }) displayName: string;
  @Column({ name: 'created_at', type: 'timestamptz', nullable: true }) createdAt: Date | null;
  @Column({ name: 'due_on', type: 'date', nullable: true }) dueOn: string | null;
  @Column({ name: 'is_active', type: 'boolean', nullable: true }) isActive: boolean | null;
  @Column({ name: 'settings', type: 'jsonb', nullable: true }) settings: Record<string, unknown> | null;
  @Column({ name: 'hits', type: 'bigint', nullable: true }) hits: string | null;
  @Column({ name: 'code', type: 'varchar', nullable: true, transformer: upper }) code: string | null;
}

@Entity({ name: 'gadgets' })
class SoftDeletedGadget {
  @PrimaryColumn({ name: 'id', type: 'uuid' }) id: string;
  @DeleteDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date | null;
}

@Entity({ name: 'pairs' })
class Pair {
  @PrimaryColumn({ name: 'a', type: 'int' }) a: number;
  @PrimaryColumn({ name: 'b', type: 'int' }) b: number;
}

describe('findByPrimaryKey (real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createEmptyDatabase('pk_read');
    dataSource = new DataSource({ ...typeOrmOptions(db.settings, { entities: [Gadget, SoftDeletedGadget, Pair], migrations: [] }) });
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE gadgets (id uuid PRIMARY KEY, display_name varchar(50) NOT NULL, created_at timestamptz,
      due_on date, is_active boolean, settings jsonb, hits bigint, code varchar)`);
    await dataSource.query('CREATE TABLE pairs (a int, b int, PRIMARY KEY (a, b))');
    await dataSource.query(`INSERT INTO gadgets VALUES
      ('11111111-1111-4111-8111-111111111111', 'full', '2024-02-29T23:59:59.123456Z', '2024-03-01', true, '{"a":[1,{"b":null}]}', 9007199254740993, 'abc'),
      ('22222222-2222-4222-8222-222222222222', 'empty', NULL, NULL, NULL, NULL, NULL, NULL),
      ('33333333-3333-4333-8333-333333333333', 'false', '1970-01-01T00:00:00Z', '0001-01-01', false, '[]', 0, '')`);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it.each(['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'])(
    'returns the entity find returns for %s (dates, date strings, booleans, jsonb, bigint, transformers)',
    async (id) => {
      const viaFind = await dataSource.manager.findOneBy(Gadget, { id });
      const direct = await findByPrimaryKey(dataSource.manager, Gadget, id);
      expect(direct).toBeInstanceOf(Gadget);
      expect(direct).toEqual(viaFind);
    },
  );

  it('keeps the hydrated types (not what pg hands back raw)', async () => {
    const gadget = await findByPrimaryKey(dataSource.manager, Gadget, '11111111-1111-4111-8111-111111111111');
    expect(gadget).toMatchObject({ dueOn: '2024-03-01', hits: '9007199254740993', code: 'ABC', settings: { a: [1, { b: null }] } });
    expect(gadget?.createdAt?.toISOString()).toBe('2024-02-29T23:59:59.123Z');
  });

  it('returns null for a missing key, and reads inside the caller’s transaction', async () => {
    expect(await findByPrimaryKey(dataSource.manager, Gadget, '44444444-4444-4444-8444-444444444444')).toBeNull();
    await dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO gadgets (id, display_name) VALUES ('55555555-5555-4555-8555-555555555555', 'uncommitted')`);
      expect(await findByPrimaryKey(manager, Gadget, '55555555-5555-4555-8555-555555555555')).toMatchObject({ displayName: 'uncommitted' });
      expect(await findByPrimaryKey(dataSource.manager, Gadget, '55555555-5555-4555-8555-555555555555')).toBeNull();
    });
  });

  it('refuses entities a column-by-column read would get wrong', async () => {
    await expect(findByPrimaryKey(dataSource.manager, Pair, 1)).rejects.toThrow('exactly one primary column');
    await expect(findByPrimaryKey(dataSource.manager, SoftDeletedGadget, '11111111-1111-4111-8111-111111111111')).rejects.toThrow(
      'soft-delete',
    );
  });
});
