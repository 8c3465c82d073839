import { join } from 'node:path';

import { SERVICE_NAMES, SERVICES } from '@nafs/contracts';
import { createLegacyDatabase, legacyFixtureDir, type TestDatabase, testInfra } from '@nafs/database/testing';

import { onCluster, type PrivateCluster, startPrivateCluster } from './support/cluster';
import {
  dropReplication,
  dumpOnFailure,
  outageSeconds,
  psqlFile,
  replicationLeftovers,
  runCli,
  seedLegacy,
  type SplitTargets,
  splitTargets,
  withDb,
} from './support/harness';
const { startWriteLoad } = require('./support/write-load.js') as typeof import('./support/write-load');

// Real servers on a shared machine: slot creation waits for every transaction running on the
// server, and initdb, seeding and migrations are slow under load.
jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ok = (run: Parameters<typeof dumpOnFailure>[0]) => ({ code: run.code, log: run.code === 0 ? '' : dumpOnFailure(run) });

// Ports of this helper's range (5460-5499): a source without logical WAL, a target server to kill.
const NO_LOGICAL_PORT = 5460;
const TARGET_PORT = 5461;

async function statesOf(env: Record<string, string>, args: string[] = []): Promise<string[]> {
  const run = await runCli(['sync', 'status', '--json', ...args], env);
  return (JSON.parse(run.stdout) as { state: string }[]).map((s) => s.state);
}

async function waitForStreaming(env: Record<string, string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await statesOf(env);
    if (states.every((s) => s === 'streaming')) return;
    if (Date.now() > deadline) throw new Error(`not streaming after ${timeoutMs} ms: ${states.join(', ')}`);
    await sleep(500);
  }
}

// A sync interrupted half way resumes without loss or duplicates: the tool killed during the
// copy, and the target server crashed while streaming. Plus the refusal of a source without
// logical WAL (a private cluster at wal_level = replica).
describe('db-split sync: interrupted and resumed; no logical WAL', () => {
  let source: TestDatabase;
  let targets: SplitTargets;
  let noLogical: PrivateCluster | undefined;
  let targetServer: PrivateCluster | undefined;

  beforeAll(async () => {
    [source, noLogical, targetServer] = await Promise.all([
      createLegacyDatabase('dbsyncres'),
      startPrivateCluster(NO_LOGICAL_PORT, { wal_level: 'replica' }),
      startPrivateCluster(TARGET_PORT, { max_connections: 50 }),
    ]);
    targets = splitTargets('syncres');
    await seedLegacy(source.url, 2);
    for (const step of ['create', 'schema']) {
      const run = await runCli([step], targets.env);
      if (run.code !== 0) throw new Error(`${step} failed: ${dumpOnFailure(run)}`);
    }
  });
  afterAll(async () => {
    // The private target server first: its apply workers hold slots on the shared source.
    await Promise.all([noLogical?.destroy(), targetServer?.destroy()]);
    await dropReplication(testInfra().pgUrl, [source?.name, ...Object.values(targets?.databases ?? {})].filter(Boolean));
    await Promise.all([source?.drop(), targets?.drop()]);
  });

  it('a sync start killed during the copy is resumed by the next start (new slots, tables reloaded); cutover then verifies', async () => {
    const load = await startWriteLoad(source.url, { rate: 80 });
    try {
      const killed = await runCli(['sync', 'start', '--source', source.url, '--jobs', '2', '--progress', 'none'], {
        ...targets.env,
        DB_SPLIT_FAIL_AFTER_TABLES: '3',
      });
      expect(killed.signal).toBe('SIGKILL');
      expect(killed.stderr).toContain('DB_SPLIT_FAIL_AFTER_TABLES=3: killing the copy before committing');
      // The slots of the dead run are still there (they hold WAL) and nothing streams.
      expect((await replicationLeftovers(source.url)).filter((w) => w.startsWith('slot'))).toHaveLength(3);
      expect(await statesOf(targets.env, ['--source', source.url])).toEqual(
        SERVICE_NAMES.map(() => 'copying (or interrupted: rerun start)'),
      );
      // The ENABLEs were waiting in open transactions beside the copy: the kill rolled them back,
      // so no apply worker writes into the half-loaded tables.
      const enabled = await Promise.all(
        SERVICE_NAMES.map((service) =>
          withDb(targets.url(service), async (client) => {
            const { rows } = await client.query<{ subenabled: boolean }>(
              'SELECT subenabled FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())',
            );
            return rows;
          }),
        ),
      );
      expect(enabled).toEqual(SERVICE_NAMES.map(() => [{ subenabled: false }]));

      const resumed = await runCli(['sync', 'start', '--source', source.url, '--jobs', '2', '--progress', 'none'], targets.env);
      expect(ok(resumed)).toEqual({ code: 0, log: '' });
      expect(resumed.stdout.match(/dropped the slot an interrupted run left/g)).toHaveLength(3);
      expect(resumed.stdout).toMatch(/journaled by an earlier run: reloading in the replication slot's snapshot/);
      await sleep(1500);
      const cutover = await runCli(['cutover', '--source', source.url, '--terminate-others'], targets.env);
      expect(ok(cutover)).toEqual({ code: 0, log: '' });
      expect(cutover.stdout).toContain('cutover verify OK: 17 table(s) match');
      outageSeconds(cutover.stdout);
    } finally {
      await load.stop();
    }
    expect(await replicationLeftovers(source.url)).toEqual([]);
  });

  it('the target server crashing while streaming loses and duplicates nothing: the subscriptions resume where they were', async () => {
    const lifted = await runCli(['cutover-guard', '--source', source.url, 'off'], targets.env);
    expect(lifted.code).toBe(0);
    const server = targetServer as PrivateCluster;
    const env: Record<string, string> = { DB_SPLIT_ADMIN_USER: 'postgres' };
    if (process.env.DB_SPLIT_SERVICES_DIST) env.DB_SPLIT_SERVICES_DIST = process.env.DB_SPLIT_SERVICES_DIST;
    for (const service of SERVICE_NAMES) {
      const p = SERVICES[service].dbEnvPrefix;
      Object.assign(env, {
        [`${p}_DB_HOST`]: '127.0.0.1',
        [`${p}_DB_PORT`]: String(server.port),
        [`${p}_DB_NAME`]: `crash_${service}`,
        [`${p}_DB_USER`]: `crash_${service}`,
        [`${p}_DB_PASSWORD`]: `pw-${service}`,
      });
    }
    for (const step of ['create', 'schema']) {
      const run = await runCli([step], env);
      expect({ step, ...ok(run) }).toEqual({ step, code: 0, log: '' });
    }
    const load = await startWriteLoad(source.url, { rate: 80 });
    try {
      const start = await runCli(['sync', 'start', '--source', source.url, '--jobs', '2', '--progress', 'none'], env);
      expect(ok(start)).toEqual({ code: 0, log: '' });
      await sleep(1500);
      await server.stop('immediate');
      await sleep(2000); // the source keeps writing; its slots keep the WAL
      await server.start();
      await waitForStreaming(env, 30_000);
      await sleep(1000);
      // --full-verify: every row inside the window, no pre-verify.
      const cutover = await runCli(['cutover', '--source', source.url, '--terminate-others', '--full-verify'], env);
      expect(ok(cutover)).toEqual({ code: 0, log: '' });
      expect(cutover.stdout).not.toContain('pre-verify');
      expect(cutover.stdout).toContain('cutover verify OK: 17 table(s) match');
    } finally {
      await load.stop();
    }
    for (const service of SERVICE_NAMES) {
      expect(
        await onCluster(
          server.url(`crash_${service}`),
          async (c) => (await c.query('SELECT count(*)::int AS n FROM pg_subscription')).rows[0].n,
        ),
      ).toBe(0);
    }
    expect(await replicationLeftovers(source.url)).toEqual([]);
  });

  it('refuses a source without wal_level = logical (exit 8) with the fix, creating nothing', async () => {
    const cluster = noLogical as PrivateCluster;
    await onCluster(cluster.url(), (c) => c.query('CREATE DATABASE legacy'));
    await psqlFile(cluster.url('legacy'), join(legacyFixtureDir(), 'monolith-schema.sql'));
    const refused = await runCli(['sync', 'start', '--source', cluster.url('legacy')], targets.env);
    expect(refused.code).toBe(8);
    expect(refused.stderr).toContain('wal_level is replica, logical replication needs wal_level = logical');
    expect(refused.stderr).toContain('hint: run ALTER SYSTEM SET wal_level = logical;');
    expect(await replicationLeftovers(cluster.url('legacy'))).toEqual([]);
    expect(
      await withDb(
        cluster.url('legacy'),
        async (c) => (await c.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'db_split'")).rows[0].n,
      ),
    ).toBe(0);
    for (const service of SERVICE_NAMES) expect(await replicationLeftovers(targets.url(service))).toEqual([]);
  });
});
