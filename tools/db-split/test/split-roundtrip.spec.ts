import { join } from 'node:path';

import { LEGACY_TABLES, SERVICE_NAMES, TABLE_OWNERSHIP, tablesOwnedBy } from '@nafs/contracts';
import { parsePostgresUrl } from '@nafs/database';
import { createLegacyDatabase, legacyFixtureDir, type TestDatabase, testInfra } from '@nafs/database/testing';
import { Client } from 'pg';

import { LEGACY_COLUMNS } from '../src/lib/legacy-columns';
import {
  adminUrl,
  count,
  dumpOnFailure,
  parseHazards,
  psqlFile,
  rowsAsText,
  runCli,
  seedLegacy,
  type SplitTargets,
  splitTargets,
  withDb,
} from './support/harness';

// The whole cut-over on the seeded legacy fixture (scale 2): plan -> create -> schema -> copy ->
// verify, the hazards checked on the copied rows, role isolation, rollback into a fresh
// monolith, and a tampered row caught by verify. The steps share one source and one set of
// targets, so they run in order.
describe('db-split: plan, create, schema, copy, verify, rollback', () => {
  let source: TestDatabase;
  let monolith: TestDatabase;
  let targets: SplitTargets;

  beforeAll(async () => {
    [source, monolith] = await Promise.all([createLegacyDatabase('dbsrc'), createLegacyDatabase('dbrb')]);
    targets = splitTargets('rt');
    await seedLegacy(source.url, 2);
  });
  afterAll(() => Promise.all([source?.drop(), monolith?.drop(), targets?.drop()]));

  it('plan maps the 17 tables to their services, with row counts, before any target exists', async () => {
    const run = await runCli(['plan', '--source', source.url, '--json'], targets.env);
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(plan.accepted).toBe(true);
    expect(plan.unknownTables).toEqual([]);
    expect(plan.tables.map((t: { table: string; target: string }) => [t.table, t.target])).toEqual(
      LEGACY_TABLES.map((t) => [t, TABLE_OWNERSHIP[t]]),
    );
    const users = plan.tables.find((t: { table: string }) => t.table === 'users');
    expect(users).toMatchObject({
      rows: await count(source.url, '(SELECT count(*) FROM users)'),
      targetColumnsFrom: 'expected',
      database: targets.databases.auth,
    });
    expect(run.stderr).toContain('does not exist yet (run `create`)');
    expect(run.stderr).toContain('plan OK: 17 table(s)');
  });

  it('create makes one database per service, owned by its own role, with CONNECT revoked from PUBLIC; a rerun changes nothing', async () => {
    const dry = await runCli(['create', '--dry-run'], targets.env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would create role ${targets.roles.web}`);
    for (const attempt of [1, 2]) {
      const run = await runCli(['create'], targets.env);
      expect({ attempt, code: run.code }).toEqual({ attempt, code: 0 });
    }
    await withDb(adminUrl('postgres'), async (client) => {
      for (const service of SERVICE_NAMES) {
        const { rows } = await client.query(
          `SELECT pg_get_userbyid(d.datdba) AS owner, r.rolsuper, r.rolcreatedb, r.rolcanlogin,
                  EXISTS (SELECT 1 FROM aclexplode(d.datacl) a WHERE a.grantee = 0) AS public_privileges,
                  (SELECT array_agg(datname::text) FROM pg_database WHERE datdba = r.oid) AS owns
             FROM pg_database d JOIN pg_roles r ON r.rolname = $2 WHERE d.datname = $1`,
          [targets.databases[service], targets.roles[service]],
        );
        expect(rows[0]).toEqual({
          owner: targets.roles[service],
          rolsuper: false,
          rolcreatedb: false,
          rolcanlogin: true,
          public_privileges: false,
          owns: [targets.databases[service]],
        });
      }
    });
  });

  it("schema runs each service's own migrations as its role; a rerun has nothing pending", async () => {
    const run = await runCli(['schema'], targets.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/auth\| .*LegacyBaseline1700000000000/);
    const again = await runCli(['schema'], targets.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('none pending');
    for (const service of SERVICE_NAMES) {
      await withDb(targets.url(service), async (client) => {
        const { rows } = await client.query<{ tablename: string; tableowner: string }>(
          "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY($1::text[]) ORDER BY tablename",
          [tablesOwnedBy(service)],
        );
        expect(rows.map((r) => r.tablename)).toEqual([...tablesOwnedBy(service)].sort());
        expect(new Set(rows.map((r) => r.tableowner))).toEqual(new Set([targets.roles[service]]));
        // The built-in legacy column list (used by plan before the targets exist) matches what the
        // migrations create; later service migrations may only add columns.
        for (const table of tablesOwnedBy(service)) {
          const columns = (
            await client.query<{ n: string }>(
              'SELECT attname::text AS n FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum',
              [table],
            )
          ).rows.map((r) => r.n);
          expect(columns.slice(0, LEGACY_COLUMNS[table].length)).toEqual([...LEGACY_COLUMNS[table]]);
        }
      });
    }
  });

  it('each service role reaches only its own database: the web role is refused by the forms and auth databases', async () => {
    const server = parsePostgresUrl(testInfra().pgUrl);
    const login = (database: string) =>
      new Client({ host: server.host, port: server.port, user: targets.roles.web, password: targets.env.WEB_DB_PASSWORD, database });
    for (const other of ['forms', 'auth'] as const) {
      const client = login(targets.databases[other]);
      await expect(client.connect()).rejects.toMatchObject({
        code: '42501',
        message: expect.stringContaining('permission denied for database'),
      });
      await client.end().catch(() => undefined);
    }
    const own = login(targets.databases.web);
    await own.connect();
    expect((await own.query('SELECT current_user AS u')).rows[0].u).toBe(targets.roles.web);
    await own.end();
  });

  it('copy loads every row of the 17 tables and verify passes, reporting the orphans the source already had', async () => {
    const copy = await runCli(['copy', '--source', source.url, '--jobs', '2', '--progress', 'lines'], targets.env);
    expect(copy.code).toBe(0);
    expect(copy.stdout).toMatch(/tenants .*only the 1 row\(s\) the migrations insert/);
    expect(copy.stdout).toContain('copy done: 17 table(s) loaded');
    expect(copy.stderr).toMatch(/copy users: 100 rows, [\d.]+ kB \(binary\)/);
    // No runtime warning reaches the operator (pg's, for a query handed to a busy client, included).
    expect(copy.stderr).not.toMatch(/\(node:\d+\) \w*Warning/);
    expect(copy.stdout).toMatch(/\nexport_jobs .* binary {2}load: empty/); // enum and bigint columns in binary too

    const verify = await runCli(['verify', '--source', source.url, '--chunk-rows', '64'], targets.env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('verify OK: 17 table(s) match');
    expect(verify.stdout).toMatch(
      /forms\.tenant_id -> tenants\.id: \d+ row\(s\), \d+ id\(s\) point at nothing; already orphaned in the source/,
    );
    for (const table of LEGACY_TABLES) {
      expect(await count(targets.urlFor(table), `(SELECT count(*) FROM ${table})`)).toBe(
        await count(source.url, `(SELECT count(*) FROM ${table})`),
      );
    }
  });

  it("copy stores the large values it loads compressed with lz4 where the server has it; the values are the source's", async () => {
    const lz4 = await count(
      source.url,
      "(SELECT count(*) FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))",
    );
    const compressed = (url: string, table: string, column: string) =>
      rowsAsText(
        url,
        `SELECT coalesce(pg_column_compression(${column}), 'inline') AS how, count(*)::text FROM ${table} GROUP BY 1 ORDER BY 1`,
      );
    for (const [table, column] of [
      ['drawing_projects', 'template_data'],
      ['form_submissions', 'values_json'],
    ] as const) {
      const inSource = await compressed(source.url, table, column);
      expect(inSource.join()).toContain('pglz'); // the fixture has values large enough to be compressed
      const inTarget = await compressed(targets.urlFor(table), table, column);
      expect(inTarget.join()).toContain(lz4 ? 'lz4' : 'pglz');
      if (lz4) expect(inTarget.join()).not.toContain('pglz');
      const values = `SELECT id::text, md5(${column}::text) FROM ${table} ORDER BY id`;
      expect(await rowsAsText(targets.urlFor(table), values)).toEqual(await rowsAsText(source.url, values));
    }
  });

  it('every hazard of hazards.sql that lives in one service still holds, on the same rows, in that service database', async () => {
    const checked: string[] = [];
    for (const hazard of parseHazards()) {
      const services = new Set(hazard.tables.map((t) => TABLE_OWNERSHIP[t]));
      if (hazard.catalog || services.size !== 1) continue; // cross-database ones: see the rollback test
      const [service] = [...services];
      const expected = await count(source.url, hazard.expression);
      expect({ id: hazard.id, n: expected > 0 }).toEqual({ id: hazard.id, n: true });
      expect({ id: hazard.id, n: await count(targets.url(service), hazard.expression) }).toEqual({ id: hazard.id, n: expected });
      checked.push(hazard.id);
    }
    expect(checked.length).toBeGreaterThanOrEqual(60);

    // The exact rows behind the hazards the legacy split lost, compared as SQL text.
    const same = async (table: keyof typeof TABLE_OWNERSHIP, sql: string) =>
      expect(await rowsAsText(targets.urlFor(table), sql)).toEqual(await rowsAsText(source.url, sql));
    await same('sessions', 'SELECT id, expires_at::text, created_at::text, ip_address::text FROM sessions'); // A18 microseconds, A19 masks, A21 NULLs
    await same(
      'api_tokens',
      "SELECT id, expires_at::text, scopes::text FROM api_tokens WHERE expires_at = 'infinity' OR scopes IN ('{write,read}', '{read,read}')",
    ); // A17, A24
    await same(
      'users',
      'SELECT id, role, is_active, email_verified, created_at::text, deleted_at::text FROM users WHERE is_active IS NOT TRUE OR role IS NULL OR deleted_at IS NOT NULL',
    ); // A10-A12
    await same('tools', 'SELECT t.id, t.slug FROM tools t WHERE NOT EXISTS (SELECT 1 FROM tool_configs c WHERE c.tool_id = t.id)'); // W03: still no config
    await same('tool_configs', 'SELECT id, tool_id, version, is_active FROM tool_configs'); // W06: no trigger-made configs
    await same('tenants', "SELECT id, settings::text FROM tenants WHERE settings -> 'limits' ? 'maxStorage'"); // A04 exact JSON numbers
    await same('form_submissions', "SELECT id, (values_json -> 'numbers')::text FROM form_submissions WHERE values_json ? 'numbers'"); // F11
  });

  it('rollback copies the three databases into an empty legacy-shaped database, which verifies against the original source', async () => {
    // Columns the services added after the split have no place in the monolith: accepted explicitly.
    const planRun = await runCli(['plan', '--source', source.url, '--json'], targets.env);
    const added = (JSON.parse(planRun.stdout).tables as { table: string; missingOnSource: string[] }[]).flatMap((t) =>
      t.missingOnSource.map((c) => `${t.table}.${c}`),
    );
    const allow = added.flatMap((column) => ['--allow-missing-column', column]);

    const refused = await runCli(['rollback', '--target-monolith', monolith.url], targets.env);
    if (added.length) expect(refused.code).toBe(3);

    const rollback = await runCli(['rollback', '--target-monolith', monolith.url, ...allow], targets.env);
    expect({ code: rollback.code, log: rollback.code === 0 ? '' : dumpOnFailure(rollback) }).toEqual({ code: 0, log: '' });
    expect(rollback.stdout).toContain('rollback verify OK: 17 table(s) match');

    const verify = await runCli(['verify', '--source', source.url, '--target-monolith', monolith.url], targets.env);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('verify OK: 17 table(s) match');

    // hazards.sql reads all 17 tables at once, so it runs unchanged on the rolled-back monolith.
    const hazards = join(legacyFixtureDir(), 'hazards.sql');
    const [before, after] = await Promise.all([psqlFile(source.url, hazards), psqlFile(monolith.url, hazards)]);
    expect(after).toEqual(before);
    expect(after).not.toContain('MISSING');
    expect(after.match(/\| ok$/gm)?.length).toBe(73);
  });

  it('verify fails with a non-zero exit and names the table and key of a tampered target row', async () => {
    const id = await withDb(targets.url('auth'), async (client) => {
      // Replica mode keeps the updated_at trigger out of it: exactly one column of one row changes.
      await client.query('SET session_replication_role = replica');
      const { rows } = await client.query<{ id: string }>(
        "UPDATE users SET last_name = last_name || '.' WHERE id = (SELECT id FROM users ORDER BY id OFFSET 42 LIMIT 1) RETURNING id::text",
      );
      return rows[0].id;
    });
    const verify = await runCli(['verify', '--source', source.url], targets.env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/\nusers\s+(\d+)\s+\1\s+14\s+\d+\s+MISMATCH/);
    expect(verify.stdout).toContain(`users id=${id}: differs (last_name)`);
  });

  it('verify fails on a cross-service reference the source did not have, naming the id', async () => {
    const ghost = 'deadbeef-0000-4000-8000-000000000001';
    await withDb(targets.url('forms'), (client) =>
      client.query('UPDATE forms SET user_id = $1 WHERE id = (SELECT id FROM forms ORDER BY id LIMIT 1)', [ghost]),
    );
    const verify = await runCli(['verify', '--source', source.url], targets.env);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`forms.user_id -> users.id: 1 row(s), 1 id(s) point at nothing; NEW orphans: ${ghost}`);
    expect(verify.stdout).toMatch(/verify FAILED: .*new orphans: forms\.user_id -> users\.id/);
    expect(verify.stdout).toContain('verify FAILED: mismatching table(s): users');
  });
});
