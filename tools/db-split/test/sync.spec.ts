import { LEGACY_TABLES, SERVICE_NAMES, TABLE_OWNERSHIP, tablesOwnedBy } from '@nafs/contracts';
import { parsePostgresUrl, toPostgresUrl } from '@nafs/database';
import { createLegacyDatabase, randomSuffix, type TestDatabase, testInfra, waitFor } from '@nafs/database/testing';

import {
  count,
  dropReplication,
  dumpOnFailure,
  outageSeconds,
  parseHazards,
  replicationLeftovers,
  runCli,
  seedLegacy,
  type SplitTargets,
  splitTargets,
  withDb,
} from './support/harness';
const { startWriteLoad } = require('./support/write-load.js') as typeof import('./support/write-load');

type Load = Awaited<ReturnType<typeof startWriteLoad>>;
// Real servers on a shared machine: slot creation waits for every transaction running on the
// server, and initdb, seeding and migrations are slow under load.
jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ok = (run: { code: number | null }) => ({
  code: run.code,
  log: run.code === 0 ? '' : dumpOnFailure(run as Parameters<typeof dumpOnFailure>[0]),
});

// sync start under a steady write load on the seeded legacy fixture, cutover, fallback into the
// old source, rollback over the fallback; then the refusals. One source and one set of targets,
// so the steps run in order.
describe('db-split sync: logical replication, cut-over and fallback under load', () => {
  let source: TestDatabase;
  let targets: SplitTargets;
  let load: Load | undefined;
  let addedColumns: string[] = [];
  const extra: TestDatabase[] = [];
  const owner = `dbsplit_t_${testInfra().runId}_${randomSuffix()}_owner`;

  beforeAll(async () => {
    source = await createLegacyDatabase('dbsync');
    targets = splitTargets('sync');
    await seedLegacy(source.url, 2);
    for (const step of ['create', 'schema']) {
      const run = await runCli([step], targets.env);
      if (run.code !== 0) throw new Error(`${step} failed: ${dumpOnFailure(run)}`);
    }
    // Logical replication does not carry sequences: one on the source (the legacy tables use
    // uuid keys) and its twin in the auth database must not collide after the cut-over.
    await withDb(source.url, (c) => c.query("CREATE SEQUENCE public.invoice_number; SELECT setval('public.invoice_number', 4242)"));
    await withDb(targets.url('auth'), (c) => c.query('CREATE SEQUENCE public.invoice_number'));
  });
  afterAll(async () => {
    await load?.stop();
    const server = testInfra().pgUrl;
    await dropReplication(server, [source?.name, ...Object.values(targets?.databases ?? {}), ...extra.map((d) => d.name)].filter(Boolean));
    await Promise.all([source?.drop(), targets?.drop(), ...extra.map((d) => d.drop())]);
    await withDb(server, (c) => c.query(`DROP ROLE IF EXISTS "${owner}"`));
  });

  it('sync start under a write load on all 17 tables, then cutover: verify passes, hazards hold, sequences move, outage printed', async () => {
    load = await startWriteLoad(source.url, { rate: 120 });
    await sleep(500);
    const start = await runCli(['sync', 'start', '--source', source.url, '--jobs', '2', '--progress', 'none'], targets.env);
    expect(ok(start)).toEqual({ code: 0, log: '' });
    for (const service of SERVICE_NAMES)
      expect(start.stdout).toMatch(new RegExp(`${service}: subscription db_split_${service} streaming from slot db_split_${service}_`));
    expect(start.stdout).toContain('sync start copy done: 17 table(s) loaded');
    expect(start.stderr).not.toMatch(/\(node:\d+\) \w*Warning/);
    // The subscriptions are enabled once every table is loaded, not before.
    const streamedAt = SERVICE_NAMES.map((service) => start.stdout.indexOf(`${service}: subscription db_split_${service} streaming`));
    expect(Math.min(...streamedAt)).toBeGreaterThan(start.stdout.indexOf('sync start copy done'));

    await sleep(3000);
    const status = await runCli(['sync', 'status', '--json'], targets.env);
    expect(ok(status)).toEqual({ code: 0, log: '' });
    const links = JSON.parse(status.stdout) as {
      service: string;
      state: string;
      lagBytes: number;
      rowsApplied: number;
      retainedBytes: number;
    }[];
    expect(links.map((l) => [l.service, l.state])).toEqual(SERVICE_NAMES.map((s) => [s, 'streaming']));
    expect(links.every((l) => l.lagBytes >= 0 && l.retainedBytes > 0)).toBe(true);
    expect(links.reduce((n, l) => n + l.rowsApplied, 0)).toBeGreaterThan(0);
    const plain = await runCli(['sync', 'status', '--watch', '--count', '2', '--interval', '1'], targets.env);
    expect(plain.stdout.match(/^sync status at \d{4}-/gm)?.length).toBe(2);
    expect(plain.stdout).toMatch(/\nauth\s+forward\s+streaming\s/);

    // The cut-over comes only once the load has made every kind of change on every table (it picks
    // tables in turn and kinds at random; a delete that a constraint refuses does not count).
    const running = load;
    await waitFor(
      async () => LEGACY_TABLES.every((table) => (['insert', 'update', 'delete'] as const).every((kind) => running.stats[table][kind] > 0)),
      30_000,
      'an insert, an update and a delete on every table',
    );
    const cutover = await runCli(['cutover', '--source', source.url, '--terminate-others', '--jobs', '2'], targets.env);
    expect(ok(cutover)).toEqual({ code: 0, log: '' });
    const stats = await load.stop();
    load = undefined;
    // Every row compared while the source was writable; inside the window only what changed since.
    expect(cutover.stdout).toMatch(/cutover pre-verify done: \d+ rows compared in [\d.]+ s; \d+ row\(s\) differed/);
    expect(cutover.stdout).toContain('cutover verify: 17 table(s), incremental');
    expect(cutover.stdout).toContain('cutover verify OK: 17 table(s) match');
    expect(outageSeconds(cutover.stdout)).toBeLessThan(30);
    expect(cutover.stdout).toMatch(/sequence public\.invoice_number in \S+_auth: unused -> 4242/);
    // The load really wrote everywhere while the sync ran: every kind of change on every table.
    for (const table of LEGACY_TABLES) {
      expect({ table, insert: stats[table].insert > 0, update: stats[table].update > 0, delete: stats[table].delete > 0 }).toEqual({
        table,
        insert: true,
        update: true,
        delete: true,
      });
    }

    // The source stays read-only; the targets are exactly the source, hazards included.
    await expect(withDb(source.url, (c) => c.query('UPDATE short_links SET click_count = click_count WHERE false'))).rejects.toMatchObject({
      code: '25006',
    });
    expect(ok(await runCli(['verify', '--source', source.url], targets.env))).toEqual({ code: 0, log: '' });
    let holding = 0;
    for (const hazard of parseHazards()) {
      const services = new Set(hazard.tables.map((t) => TABLE_OWNERSHIP[t]));
      if (hazard.catalog || services.size !== 1) continue;
      const expected = await count(source.url, hazard.expression);
      expect({ id: hazard.id, n: await count(targets.url([...services][0]), hazard.expression) }).toEqual({ id: hazard.id, n: expected });
      if (expected > 0) holding++;
    }
    expect(holding).toBeGreaterThanOrEqual(50);
    // Sequences continue past the source's value; the forward links are gone on both sides.
    expect(
      await withDb(targets.url('auth'), async (c) => Number((await c.query("SELECT nextval('public.invoice_number') AS n")).rows[0].n)),
    ).toBe(4243);
    expect(await replicationLeftovers(source.url)).toEqual([]);
    for (const service of SERVICE_NAMES) expect(await replicationLeftovers(targets.url(service))).toEqual([]);
  });

  it('fallback: writes in the service databases reach the old source; rollback needs only a short read-only window and verify --target-monolith passes', async () => {
    const planRun = await runCli(['plan', '--source', source.url, '--json'], targets.env);
    addedColumns = (JSON.parse(planRun.stdout).tables as { table: string; missingOnSource: string[] }[]).flatMap((t) =>
      t.missingOnSource.map((c) => `${t.table}.${c}`),
    );
    const allow = addedColumns.flatMap((column) => ['--allow-missing-column', column]);
    const start = await runCli(
      ['fallback', 'start', '--target-monolith', source.url, '--truncate', '--progress', 'none', ...allow],
      targets.env,
    );
    expect(ok(start)).toEqual({ code: 0, log: '' });
    expect(start.stdout).toContain('fallback start copy done: 17 table(s) loaded');

    // The new system writes (ordinary sessions, the services' own triggers firing).
    const loads = await Promise.all(
      SERVICE_NAMES.map((service) => startWriteLoad(targets.url(service), { rate: 40, concurrency: 2, tables: tablesOwnedBy(service) })),
    );
    await sleep(2500);
    const status = await runCli(['sync', 'status', '--target-monolith', source.url, '--json'], targets.env);
    const fallback = (JSON.parse(status.stdout) as { direction: string; state: string }[]).filter((l) => l.direction === 'fallback');
    expect(fallback.map((l) => l.state)).toEqual(['streaming', 'streaming', 'streaming']);

    const rollback = await runCli(['rollback', '--target-monolith', source.url, '--terminate-others', ...allow], targets.env);
    const written = await Promise.all(loads.map((l) => l.stop()));
    expect(ok(rollback)).toEqual({ code: 0, log: '' });
    expect(rollback.stdout).toContain('a short read-only window on the service databases');
    expect(rollback.stdout).toContain('rollback verify OK: 17 table(s) match');
    expect(outageSeconds(rollback.stdout)).toBeLessThan(30);
    const changes = written.flatMap((s) => Object.values(s)).reduce((n, s) => n + s.insert + s.update + s.delete, 0);
    expect(changes).toBeGreaterThan(50);

    const verify = await runCli(['verify', '--target-monolith', source.url, ...allow], targets.env);
    expect(ok(verify)).toEqual({ code: 0, log: '' });
    expect(verify.stdout).toContain('verify OK: 17 table(s) match');
    // The monolith is writable again, the services' databases read-only, no link left.
    await withDb(source.url, (c) => c.query('UPDATE short_links SET click_count = click_count WHERE false'));
    await expect(
      withDb(targets.url('forms'), (c) => c.query('UPDATE short_links SET click_count = click_count WHERE false')),
    ).rejects.toMatchObject({ code: '25006' });
    expect(await replicationLeftovers(source.url)).toEqual([]);
    for (const service of SERVICE_NAMES) expect(await replicationLeftovers(targets.url(service))).toEqual([]);
    for (const service of SERVICE_NAMES) {
      await withDb(targets.url(service), async (c) => {
        await c.query('SET default_transaction_read_only = off');
        await c.query(`ALTER DATABASE "${targets.databases[service]}" RESET default_transaction_read_only`);
      });
    }
  });

  it('sync stop removes every slot, publication and subscription sync start made', async () => {
    const fresh = await createLegacyDatabase('dbsync2');
    extra.push(fresh);
    const start = await runCli(['sync', 'start', '--source', fresh.url, '--progress', 'none'], targets.env);
    expect(ok(start)).toEqual({ code: 0, log: '' });
    expect(start.stdout).toMatch(/tenants .*journaled by an earlier run: reloading in the replication slot's snapshot/);
    expect((await replicationLeftovers(fresh.url)).filter((w) => w.startsWith('slot'))).toHaveLength(3);
    const stop = await runCli(['sync', 'stop'], targets.env);
    expect(ok(stop)).toEqual({ code: 0, log: '' });
    expect(stop.stdout.match(/dropped replication slot/g)).toHaveLength(3);
    expect(await replicationLeftovers(fresh.url)).toEqual([]);
    for (const service of SERVICE_NAMES) expect(await replicationLeftovers(targets.url(service))).toEqual([]);
  });

  it('refuses a table without a replica identity (exit 8) and a role without REPLICATION (exit 6), leaving nothing behind', async () => {
    const noKey = await createLegacyDatabase('dbsyncnokey');
    extra.push(noKey);
    await withDb(noKey.url, (c) => c.query('ALTER TABLE api_token_usage DROP CONSTRAINT api_token_usage_pkey'));
    const refused = await runCli(['sync', 'start', '--source', noKey.url], targets.env);
    expect(refused.code).toBe(8);
    expect(refused.stderr).toContain(
      'table(s) without a replica identity, so their UPDATEs and DELETEs cannot be replicated: api_token_usage',
    );
    expect(refused.stderr).toContain('hint: add a primary key');
    expect(await replicationLeftovers(noKey.url)).toEqual([]);

    const owned = await createLegacyDatabase('dbsyncowner');
    extra.push(owned);
    await withDb(owned.url, async (c) => {
      await c.query(`CREATE ROLE "${owner}" LOGIN NOREPLICATION`);
      for (const table of LEGACY_TABLES) await c.query(`ALTER TABLE ${table} OWNER TO "${owner}"`);
    });
    const ownerUrl = toPostgresUrl({ ...parsePostgresUrl(owned.url), user: owner, password: undefined });
    const denied = await runCli(['sync', 'start', '--source', ownerUrl], targets.env);
    expect(denied.code).toBe(6);
    expect(denied.stderr).toContain(`role ${owner} has neither REPLICATION nor SUPERUSER`);
    expect(denied.stderr).toContain(`hint: ALTER ROLE "${owner}" REPLICATION`);
    expect(await replicationLeftovers(owned.url)).toEqual([]);
    for (const service of SERVICE_NAMES) expect(await replicationLeftovers(targets.url(service))).toEqual([]);
  });

  it('a sync start whose copy refuses (target rows the tool did not load) removes the links it made and changes no row', async () => {
    const busy = await createLegacyDatabase('dbsyncbusy');
    extra.push(busy);
    await seedLegacy(busy.url, 1);
    const first = await runCli(['sync', 'start', '--source', busy.url, '--progress', 'none'], targets.env);
    expect(ok(first)).toEqual({ code: 0, log: '' });
    expect(ok(await runCli(['sync', 'stop'], targets.env))).toEqual({ code: 0, log: '' });
    // Without their journal rows, the web tables' rows are no longer the tool's to replace.
    await withDb(targets.url('web'), (c) => c.query('DELETE FROM db_split.copy_journal'));
    const webRows = () =>
      withDb(targets.url('web'), async (c) => {
        const { rows } = await c.query<{ tools: number; projects: number }>(
          'SELECT (SELECT count(*) FROM tools)::int AS tools, (SELECT count(*) FROM drawing_projects)::int AS projects',
        );
        return rows[0];
      });
    const before = await webRows();
    expect(before.tools).toBeGreaterThan(0);

    const refused = await runCli(['sync', 'start', '--source', busy.url, '--progress', 'none'], targets.env);
    expect(refused.code).toBe(4);
    // Refused by the copy, so after the publications, slots and subscriptions were made (and while
    // the ENABLEs waited in open transactions, which must end before the subscriptions can go).
    expect(refused.stdout.match(/slot \S+ created at/g)).toHaveLength(3);
    expect(refused.stderr).toContain('refusing to copy: target table(s) not empty and not loaded by this tool');
    expect(await replicationLeftovers(busy.url)).toEqual([]);
    for (const service of SERVICE_NAMES) expect(await replicationLeftovers(targets.url(service))).toEqual([]);
    expect(await webRows()).toEqual(before);
  });
});
