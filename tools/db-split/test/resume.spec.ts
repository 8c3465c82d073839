import { LEGACY_TABLES, SERVICE_NAMES } from '@nafs/contracts';
import { parsePostgresUrl, toPostgresUrl } from '@nafs/database';
import { createLegacyDatabase, randomSuffix, type TestDatabase, testInfra } from '@nafs/database/testing';

import { connect } from '../src/lib/connections';
import { count, dumpOnFailure, runCli, seedLegacy, type SplitTargets, splitTargets, withDb } from './support/harness';

const DEFAULT_TENANT = '00000000-0000-0000-0000-000000000000';

async function journal(targets: SplitTargets): Promise<Map<string, number>> {
  const entries = new Map<string, number>();
  for (const service of SERVICE_NAMES) {
    await withDb(targets.url(service), async (client) => {
      const { rows } = await client.query<{ table_name: string; rows: string }>(
        "SELECT table_name, rows FROM db_split.copy_journal WHERE to_regclass('db_split.copy_journal') IS NOT NULL",
      );
      for (const row of rows) entries.set(row.table_name, Number(row.rows));
    });
  }
  return entries;
}

// Resumability, refusal of non-empty targets, RLS on the source, and the read-only guard.
describe('db-split copy: killed and rerun, non-empty targets, RLS, cutover guard', () => {
  let source: TestDatabase;
  let targets: SplitTargets;
  const reader = `dbsplit_t_${testInfra().runId}_${randomSuffix()}_reader`;
  const loader = `dbsplit_t_${testInfra().runId}_${randomSuffix()}_loader`;

  beforeAll(async () => {
    source = await createLegacyDatabase('dbresume');
    targets = splitTargets('resume');
    await seedLegacy(source.url, 2);
    for (const step of ['create', 'schema']) {
      const run = await runCli([step], targets.env);
      if (run.code !== 0) throw new Error(`${step} failed: ${dumpOnFailure(run)}`);
    }
  });
  afterAll(async () => {
    await Promise.all([source?.drop(), targets?.drop()]);
    await withDb(testInfra().pgUrl, async (client) => {
      for (const role of [reader, loader]) await client.query(`DROP ROLE IF EXISTS "${role}"`);
    });
  });

  it('a copy killed after 3 tables leaves only whole tables behind; the rerun completes the rest and verify passes', async () => {
    const killed = await runCli(['copy', '--source', source.url, '--jobs', '2'], { ...targets.env, DB_SPLIT_FAIL_AFTER_TABLES: '3' });
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stderr).toContain('DB_SPLIT_FAIL_AFTER_TABLES=3: killing the copy before committing');

    // Every table is either complete and journaled, or untouched (the default tenant the auth
    // migration inserted is all a never-loaded tenants table may hold).
    const done = await journal(targets);
    expect(done.size).toBeGreaterThanOrEqual(3);
    expect(done.size).toBeLessThan(LEGACY_TABLES.length);
    for (const table of LEGACY_TABLES) {
      const onTarget = await count(targets.urlFor(table), `(SELECT count(*) FROM ${table})`);
      const inSource = await count(source.url, `(SELECT count(*) FROM ${table})`);
      if (done.has(table)) expect({ table, onTarget }).toEqual({ table, onTarget: inSource });
      else expect({ table, onTarget }).toEqual({ table, onTarget: table === 'tenants' ? 1 : 0 });
    }

    const rerun = await runCli(['copy', '--source', source.url, '--jobs', '2'], targets.env);
    expect({ code: rerun.code, log: rerun.code ? dumpOnFailure(rerun) : '' }).toEqual({ code: 0, log: '' });
    for (const table of done.keys()) expect(rerun.stdout).toMatch(new RegExp(`\\n${table} .*skip: complete in the journal`));
    expect(rerun.stdout).toContain(`copy done: ${LEGACY_TABLES.length - done.size} table(s) loaded, ${done.size} skipped as complete`);

    const verify = await runCli(['verify', '--source', source.url], targets.env);
    expect({ code: verify.code, log: verify.code ? dumpOnFailure(verify) : '' }).toEqual({ code: 0, log: '' });
    expect((await journal(targets)).size).toBe(LEGACY_TABLES.length);
  });

  it('a rerun reloads a journaled table whose row count no longer matches, and skips the rest', async () => {
    await withDb(targets.urlFor('sessions'), (client) =>
      client.query('DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY id LIMIT 5)'),
    );
    const rerun = await runCli(['copy', '--source', source.url], targets.env);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/\nsessions .*journaled by an earlier run but \d+ rows on the target.*reloading/);
    expect(rerun.stdout).toContain(`copy done: 1 table(s) loaded, ${LEGACY_TABLES.length - 1} skipped as complete`);
    expect((await runCli(['verify', '--source', source.url], targets.env)).code).toBe(0);
  });

  it('refuses target rows it did not load (exit 4, nothing written) unless --truncate is given', async () => {
    // Rows the tool has no journal entry for: someone else's data.
    await withDb(targets.urlFor('forms'), (client) => client.query("DELETE FROM db_split.copy_journal WHERE table_name = 'forms'"));
    const refused = await runCli(['copy', '--source', source.url], targets.env);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/target table\(s\) not empty and not loaded by this tool:\n\s+- forms \(nafs_t_\w+_forms\): \d+ rows/);
    expect(refused.stderr).toContain('--truncate');
    expect(
      await withDb(
        targets.urlFor('forms'),
        async (c) => (await c.query("SELECT count(*)::int AS n FROM db_split.copy_journal WHERE table_name = 'forms'")).rows[0].n,
      ),
    ).toBe(0);

    const dry = await runCli(['copy', '--source', source.url, '--truncate', '--dry-run'], targets.env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing written (would first TRUNCATE the 17 target tables)');

    const truncated = await runCli(['copy', '--source', source.url, '--truncate'], targets.env);
    expect(truncated.code).toBe(0);
    expect(truncated.stdout).toContain('copy done: 17 table(s) loaded, 0 skipped');
    expect((await runCli(['verify', '--source', source.url], targets.env)).code).toBe(0);
    // The default tenant is the source's row (its load-time timestamps), not the migration's.
    const sql = `(SELECT created_at::text FROM tenants WHERE id = '${DEFAULT_TENANT}')`;
    expect(await withDb(targets.url('auth'), async (c) => (await c.query(`SELECT ${sql} AS v`)).rows[0].v)).toBe(
      await withDb(source.url, async (c) => (await c.query(`SELECT ${sql} AS v`)).rows[0].v),
    );
  });

  it('a source role subject to row-level security fails loudly instead of copying fewer rows', async () => {
    await withDb(source.url, async (client) => {
      await client.query(`CREATE ROLE "${reader}" LOGIN`);
      await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO "${reader}"`);
    });
    const readerUrl = toPostgresUrl({ ...parsePostgresUrl(source.url), user: reader, password: undefined });

    const plan = await runCli(['plan', '--source', readerUrl], targets.env);
    expect(plan.code).toBe(6);
    expect(plan.stdout).toContain(`users: row-level security applies to role ${reader}`);

    const copy = await runCli(['copy', '--source', readerUrl, '--truncate'], targets.env);
    expect(copy.code).toBe(6);
    expect(copy.stderr).toContain('row-level security');
    expect((await runCli(['verify', '--source', source.url], targets.env)).code).toBe(0); // targets untouched

    // The backstop under the plan check: with the tool's session settings PostgreSQL raises
    // rather than filtering (row_security = off), so even a missed check cannot copy 0 rows.
    const client = await connect({ label: 'reader', settings: { ...parsePostgresUrl(readerUrl), poolSize: 1, ssl: false } });
    try {
      await expect(client.query('SELECT count(*) FROM users')).rejects.toMatchObject({
        code: '42501',
        message: expect.stringContaining('row-level security'),
      });
    } finally {
      await client.end();
    }
  });

  it('an admin login that may not hold off target triggers is refused before anything is written (exit 6)', async () => {
    await withDb(testInfra().pgUrl, async (client) => {
      await client.query(`CREATE ROLE "${loader}" LOGIN`);
      for (const database of Object.values(targets.databases)) await client.query(`GRANT CONNECT ON DATABASE "${database}" TO "${loader}"`);
    });
    const copy = await runCli(['copy', '--source', source.url, '--truncate'], {
      ...targets.env,
      DB_SPLIT_ADMIN_USER: loader,
      DB_SPLIT_ADMIN_PASSWORD: '',
    });
    expect(copy.code).toBe(6);
    expect(copy.stderr).toContain('needs session_replication_role');
    expect(copy.stderr).toContain('hint: connect as a superuser');
    expect((await runCli(['verify', '--source', source.url], targets.env)).code).toBe(0);
  });

  it('cutover-guard makes the source read-only for new sessions; copy and verify still work; off lifts it', async () => {
    const dry = await runCli(['cutover-guard', '--source', source.url, 'on', '--dry-run'], targets.env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would run: ALTER DATABASE');
    const on = await runCli(['cutover-guard', '--source', source.url, 'on'], targets.env);
    expect(on.code).toBe(0);
    expect(on.stdout).toContain('is now read-only for new sessions');
    try {
      await expect(
        withDb(source.url, (c) => c.query('UPDATE short_links SET click_count = click_count WHERE false')),
      ).rejects.toMatchObject({ code: '25006' });
      const copy = await runCli(['copy', '--source', source.url], targets.env);
      expect(copy.code).toBe(0);
      expect(copy.stderr).not.toContain('the source is writable');
      expect((await runCli(['verify', '--source', source.url], targets.env)).code).toBe(0);
    } finally {
      const off = await runCli(['cutover-guard', '--source', source.url, 'off'], targets.env);
      expect(off.code).toBe(0);
      expect(off.stdout).toContain('is now writable for new sessions');
    }
    await withDb(source.url, (c) => c.query('UPDATE short_links SET click_count = click_count WHERE false'));
  });
});
