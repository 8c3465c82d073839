import { testInfra } from '@nafs/database/testing';
import { Client } from 'pg';

import { type Endpoint, settingsFromUrl } from './connections';
import { holdLauncherBack } from './launcher-gate';

// Against the test server: what the gate holds, and that a transaction whose gate could not be
// taken keeps what it did before. (That the launcher then starts every worker in one pass is
// shown by bench/db-split/sync.mjs: the workers' start times.)
describe('holdLauncherBack', () => {
  const server: Endpoint = { label: 'test server', settings: settingsFromUrl(testInfra().pgUrl, 'TEST_PG_URL') };
  const elsewhere: Endpoint = { label: 'another server', settings: { ...server.settings, host: 'other.invalid' } };
  const open: Client[] = [];
  const session = async () => {
    const client = new Client({ connectionString: testInfra().pgUrl });
    await client.connect();
    open.push(client);
    return client;
  };
  const inTransaction = async (count: number) => {
    const clients = await Promise.all(Array.from({ length: count }, session));
    for (const client of clients) await client.query('BEGIN');
    return clients;
  };
  /** Whether another session can read pg_subscription right now (it waits 100 ms at most). */
  const catalogReadable = async () => {
    const reader = await session();
    await reader.query("SET lock_timeout = '100ms'");
    return reader.query('SELECT count(*) FROM pg_catalog.pg_subscription').then(
      () => true,
      (error: { code?: string }) => {
        if (error.code !== '55P03') throw error;
        return false;
      },
    );
  };
  let before16 = true;

  beforeAll(async () => {
    const client = await session();
    const { rows } = await client.query<{ version: number }>("SELECT current_setting('server_version_num')::int AS version");
    before16 = rows[0].version < 160000;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.end().catch(() => undefined)));
  });

  it('holds pg_subscription in one transaction per server that has several, until it commits; the others commit meanwhile', async () => {
    const clients = await inTransaction(3);
    const gates = await holdLauncherBack([server, server, server], clients);
    if (!before16) return expect(gates).toEqual([]);
    expect(gates).toEqual([clients[0]]);
    expect(await catalogReadable()).toBe(false);
    await clients[1].query('COMMIT');
    await clients[2].query('COMMIT');
    expect(await catalogReadable()).toBe(false);
    await clients[0].query('COMMIT');
    expect(await catalogReadable()).toBe(true);
  });

  it('leaves a server with a single transaction alone', async () => {
    const clients = await inTransaction(2);
    expect(await holdLauncherBack([server, elsewhere], clients)).toEqual([]);
    expect(await catalogReadable()).toBe(true);
  });

  it('goes on without the lock when it cannot be had within lock_timeout, keeping what the transaction did before', async () => {
    const holder = await session();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE pg_catalog.pg_subscription IN ACCESS SHARE MODE');
    const clients = await inTransaction(2);
    await clients[0].query('CREATE TEMP TABLE enabled_before_the_gate (id int)');
    expect(await holdLauncherBack([server, server], clients)).toEqual([]);
    await clients[0].query('INSERT INTO enabled_before_the_gate VALUES (1)');
    expect((await clients[0].query('SELECT count(*)::int AS n FROM enabled_before_the_gate')).rows[0].n).toBe(1);
    await clients[0].query('COMMIT');
    await holder.query('ROLLBACK');
  });
});
