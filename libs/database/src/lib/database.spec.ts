import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';

import { createEmptyDatabase, diffCatalogs, dropDatabase, readTableCatalogs, testInfra } from '../testing';
import { databaseSettingsFromEnv, parsePostgresUrl } from './database-settings';
import { ensureDatabaseExists } from './ensure-database';
import { migrateDatabase } from './migrate';

class CreateWidgets1700000000000 implements MigrationInterface {
  name = 'CreateWidgets1700000000000';
  async up(queryRunner: QueryRunner) {
    await queryRunner.query(`CREATE TABLE widgets (id int PRIMARY KEY, label text DEFAULT 'x' NOT NULL)`);
  }
  async down(queryRunner: QueryRunner) {
    await queryRunner.query('DROP TABLE widgets');
  }
}

async function query(url: string, sql: string) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('database settings from env', () => {
  it('uses <PREFIX>_DB_* with the documented defaults', () => {
    expect(databaseSettingsFromEnv('web', {})).toEqual({
      host: '127.0.0.1',
      port: 5432,
      database: 'nodeangularfullstack_web',
      user: 'postgres',
      password: undefined,
      poolSize: 10,
      ssl: false,
      connectTimeoutMs: 3000,
    });
    expect(
      databaseSettingsFromEnv('forms', {
        FORMS_DB_HOST: 'db',
        FORMS_DB_PORT: '6543',
        FORMS_DB_USER: 'forms_service',
        FORMS_DB_PASSWORD: 'p',
        FORMS_DB_POOL_SIZE: '3',
      }),
    ).toMatchObject({ host: 'db', port: 6543, user: 'forms_service', password: 'p', poolSize: 3, database: 'nodeangularfullstack_forms' });
  });

  it('lets <PREFIX>_DB_URL override the separate variables, keeping the pool size', () => {
    const settings = databaseSettingsFromEnv('auth', {
      AUTH_DB_URL: 'postgres://a%40b:p%2Fw@pg.internal:5433/auth_db',
      AUTH_DB_HOST: 'ignored',
      AUTH_DB_POOL_SIZE: '4',
    });
    expect(settings).toMatchObject({ host: 'pg.internal', port: 5433, user: 'a@b', password: 'p/w', database: 'auth_db', poolSize: 4 });
  });

  it('reads a validated config (numbers and booleans already parsed) as it reads the raw env', () => {
    expect(
      databaseSettingsFromEnv('web', { WEB_DB_PORT: 6543, WEB_DB_POOL_SIZE: 3, WEB_DB_SSL: true, WEB_DB_URL: undefined }),
    ).toMatchObject({
      port: 6543,
      poolSize: 3,
      ssl: true,
    });
  });
});

describe('database creation and migrations (real PostgreSQL)', () => {
  const name = `nafs_t_${testInfra().runId}_create_${process.pid}`;
  const settings = { ...parsePostgresUrl(testInfra().pgUrl), database: name, poolSize: 2, ssl: false };
  afterAll(() => dropDatabase(name));

  it('creates a missing database once and migrates it idempotently', async () => {
    expect(await ensureDatabaseExists(settings)).toBe(true);
    expect(await ensureDatabaseExists(settings)).toBe(false);
    const first = await migrateDatabase(settings, { entities: [], migrations: [CreateWidgets1700000000000] });
    expect(first).toEqual({ createdDatabase: false, applied: ['CreateWidgets1700000000000'] });
    const second = await migrateDatabase(settings, { entities: [], migrations: [CreateWidgets1700000000000] });
    expect(second.applied).toEqual([]);
  });
});

describe('catalog comparison (what the schema-equality tests rely on)', () => {
  it('reports changed defaults, missing constraints and extra indexes, and accepts documented ones', async () => {
    const [a, b] = await Promise.all([createEmptyDatabase('cmp'), createEmptyDatabase('cmp')]);
    try {
      const ddl = `CREATE TABLE t (id int PRIMARY KEY, parent int REFERENCES t (id), label text DEFAULT 'x');
                   CREATE INDEX idx_t_label ON t (label);`;
      await query(a.url, ddl);
      await query(b.url, ddl);
      const same = diffCatalogs(await readTableCatalogs(a.url, ['t']), await readTableCatalogs(b.url, ['t']));
      expect(same.differences).toEqual([]);
      expect(same.compared).toEqual({ tables: 1, columns: 3, constraints: 2, indexes: 2, triggers: 0 });

      await query(
        b.url,
        `ALTER TABLE t ALTER COLUMN label SET DEFAULT 'y'; ALTER TABLE t DROP CONSTRAINT t_parent_fkey;
                          CREATE INDEX idx_extra ON t (parent); ALTER TABLE t ADD COLUMN added int`,
      );
      const changed = diffCatalogs(await readTableCatalogs(a.url, ['t']), await readTableCatalogs(b.url, ['t']));
      expect(changed.differences).toEqual([
        expect.stringContaining('t: column 3'),
        't: unexpected column added',
        expect.stringContaining('t: constraint t_parent_fkey missing'),
        expect.stringContaining('t: unexpected index idx_extra'),
      ]);

      const documented = diffCatalogs(await readTableCatalogs(a.url, ['t']), await readTableCatalogs(b.url, ['t']), {
        droppedConstraints: ['t.t_parent_fkey'],
        addedColumns: ['t.added'],
        addedIndexes: ['t.idx_extra'],
      });
      expect(documented.differences).toEqual([expect.stringContaining('t: column 3')]);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});
