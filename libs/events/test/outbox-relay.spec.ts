import { createRedisClient } from '@nafs/cache';
import { AUTH_EVENTS } from '@nafs/contracts';
import { createEmptyDatabase, type TestDatabase, testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import Redis from 'ioredis';
import { register } from 'prom-client';
import type { DataSource } from 'typeorm';

import { authEventStreamKey, decodeAuthEvent, ensureGroup, OutboxRelay, type RawStreamEntry } from '../src';
import { openDataSource, OUTBOX_DDL, sleep, TcpProxy, waitFor } from './support';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('OutboxRelay (real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let redis: Redis;
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    db = await createEmptyDatabase('events_relay');
    dataSource = await openDataSource(db, 10);
    await dataSource.query(OUTBOX_DDL);
    redis = new Redis(testInfra().redisUrl);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
    await dataSource.query('TRUNCATE event_outbox');
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await redis?.quit();
    await db?.drop();
  });

  const newStream = () => authEventStreamKey(uniqueRedisPrefix('relay'));

  function relay(streamKey: string, options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}): OutboxRelay {
    const instance = new OutboxRelay({
      dataSource,
      redis,
      streamKey,
      pollIntervalMs: 20,
      housekeepingIntervalMs: 0,
      logger: quiet,
      ...options,
    });
    relays.push(instance);
    return instance;
  }

  /** Writes outbox rows with strictly increasing occurred_at, as auth's transactions would. */
  async function writeRows(count: number, offsetSeconds = 0): Promise<string[]> {
    const rows = (await dataSource.query(
      `INSERT INTO event_outbox (type, payload, occurred_at)
       SELECT $1, jsonb_build_object('userId', gen_random_uuid(), 'tenantId', NULL, 'n', n),
              now() - make_interval(secs => $2::int) + n * interval '1 millisecond'
         FROM generate_series(1, $3::int) AS n
       RETURNING id`,
      [AUTH_EVENTS.userDeleted, 3600 - offsetSeconds, count],
    )) as { id: string }[];
    return rows.map((row) => row.id);
  }

  async function streamIds(streamKey: string): Promise<string[]> {
    const entries = (await redis.xrange(streamKey, '-', '+')) as RawStreamEntry[];
    return entries.map(([, fields]) => decodeAuthEvent(fields).id);
  }

  const unpublished = async () =>
    Number((await dataSource.query('SELECT count(*) AS n FROM event_outbox WHERE published_at IS NULL'))[0].n);

  it('publishes each row once, in occurred_at order, and sets published_at only then', async () => {
    const streamKey = newStream();
    const ids = await writeRows(250);
    const instance = relay(streamKey, { batchSize: 100 });
    instance.start();
    await waitFor(async () => (await unpublished()) === 0, 10_000, 'all rows published');
    const published = await streamIds(streamKey);
    expect(published).toEqual(ids);

    const entries = (await redis.xrange(streamKey, '-', '+')) as RawStreamEntry[];
    const first = decodeAuthEvent(entries[0][1]);
    const [row] = await dataSource.query('SELECT type, payload, occurred_at, published_at FROM event_outbox WHERE id = $1', [first.id]);
    expect(first).toEqual({ id: ids[0], type: AUTH_EVENTS.userDeleted, occurredAt: row.occurred_at.toISOString(), payload: row.payload });
    expect(row.published_at.getTime()).toBeGreaterThanOrEqual(row.occurred_at.getTime());

    // Nothing is published twice on later polls.
    await sleep(200);
    expect(await redis.xlen(streamKey)).toBe(250);
  });

  it('two relays at once publish every row exactly once and keep the order', async () => {
    const streamKey = newStream();
    const a = relay(streamKey, { batchSize: 7 });
    const b = relay(streamKey, { batchSize: 7 });
    a.start();
    b.start();
    const ids: string[] = [];
    for (let burst = 0; burst < 10; burst += 1) {
      ids.push(...(await writeRows(30, burst)));
      await sleep(15);
    }
    await waitFor(async () => (await unpublished()) === 0, 15_000, 'all rows published');
    await sleep(100);
    const published = await streamIds(streamKey);
    expect(published.length).toBe(300);
    expect(new Set(published).size).toBe(300);
    expect(published).toEqual(ids);
  });

  it('keeps rows unpublished while Redis is down and publishes them when it is back', async () => {
    const streamKey = newStream();
    const infra = new URL(testInfra().redisUrl);
    const proxy = new TcpProxy(infra.hostname, Number(infra.port || 6379));
    await proxy.up();
    const proxied = createRedisClient({ REDIS_URL: proxy.url }, 'relay-test');
    proxied.on('error', () => undefined);
    try {
      const instance = relay(streamKey, { redis: proxied, maxBackoffMs: 200 });
      instance.start();
      await writeRows(5);
      await waitFor(async () => (await unpublished()) === 0, 5000, 'first rows published');

      await proxy.down();
      const during = await writeRows(20, 1);
      await sleep(1500);
      expect(await unpublished()).toBe(20);
      expect(await redis.xlen(streamKey)).toBe(5);

      await proxy.up();
      await waitFor(async () => (await unpublished()) === 0, 15_000, 'rows published after Redis came back');
      const published = await streamIds(streamKey);
      expect(published.slice(5)).toEqual(during);
      expect(new Set(published).size).toBe(25);
    } finally {
      await Promise.all(relays.splice(0).map((r) => r.stop()));
      proxied.disconnect();
      await proxy.down();
    }
  });

  it('wakes up on NOTIFY instead of waiting for the next poll', async () => {
    const streamKey = newStream();
    const instance = relay(streamKey, {
      pollIntervalMs: 30_000,
      listen: { connection: { connectionString: db.url } },
    });
    instance.start();
    await sleep(500); // first (empty) poll done, now sleeping for 30 s; LISTEN connected
    const started = Date.now();
    await dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO event_outbox (type, payload) VALUES ($1, '{"userId":"x"}')`, [AUTH_EVENTS.userUpdated]);
      await manager.query(`SELECT pg_notify('event_outbox', '')`);
    });
    await waitFor(async () => (await redis.xlen(streamKey)) === 1, 5000, 'notified publish');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('creates the consumer groups and trims only what every group has consumed', async () => {
    const streamKey = newStream();
    const instance = relay(streamKey, { consumerGroups: ['web-service', 'forms-service'], streamRetentionMs: 0 });
    await instance.ensureGroups();
    const groups = ((await redis.xinfo('GROUPS', streamKey)) as string[][]).map((g) => g[1]).sort();
    expect(groups).toEqual(['forms-service', 'web-service']);

    await writeRows(10);
    while ((await instance.publishBatch()) > 0);
    // web reads and acknowledges all 10; forms reads 4 and acknowledges 3 of them.
    const web = (await redis.xreadgroup('GROUP', 'web-service', 'w1', 'COUNT', 10, 'STREAMS', streamKey, '>')) as [
      string,
      RawStreamEntry[],
    ][];
    await redis.xack(streamKey, 'web-service', ...web[0][1].map(([id]) => id));
    const forms = (await redis.xreadgroup('GROUP', 'forms-service', 'f1', 'COUNT', 4, 'STREAMS', streamKey, '>')) as [
      string,
      RawStreamEntry[],
    ][];
    await redis.xack(streamKey, 'forms-service', ...forms[0][1].slice(0, 2).map(([id]) => id), forms[0][1][3][0]);

    expect(await instance.trimStream()).toBe(2); // forms' third entry is still pending
    const remaining = (await redis.xrange(streamKey, '-', '+')) as RawStreamEntry[];
    expect(remaining[0][0]).toBe(forms[0][1][2][0]);
    expect(remaining).toHaveLength(8);

    // A group that does not exist yet blocks trimming altogether.
    const other = relay(streamKey, { consumerGroups: ['web-service', 'forms-service', 'reports-service'], streamRetentionMs: 0 });
    expect(await other.trimStream()).toBe(0);
  });

  it('never trims entries younger than the retention', async () => {
    const streamKey = newStream();
    const instance = relay(streamKey, { consumerGroups: ['web-service'] });
    await instance.ensureGroups();
    await writeRows(3);
    while ((await instance.publishBatch()) > 0);
    const read = (await redis.xreadgroup('GROUP', 'web-service', 'w1', 'STREAMS', streamKey, '>')) as [string, RawStreamEntry[]][];
    await redis.xack(streamKey, 'web-service', ...read[0][1].map(([id]) => id));
    expect(await instance.trimStream()).toBe(0);
    expect(await redis.xlen(streamKey)).toBe(3);
  });

  it('prunes rows published longer ago than the outbox retention', async () => {
    const streamKey = newStream();
    const instance = relay(streamKey, { outboxRetentionMs: 3600_000 });
    await writeRows(4);
    while ((await instance.publishBatch()) > 0);
    await writeRows(2, 10); // unpublished: never pruned
    await dataSource.query(
      `UPDATE event_outbox SET published_at = now() - interval '2 hours' WHERE id IN (SELECT id FROM event_outbox WHERE published_at IS NOT NULL LIMIT 3)`,
    );
    expect(await instance.pruneOutbox()).toBe(3);
    expect(Number((await dataSource.query('SELECT count(*) AS n FROM event_outbox'))[0].n)).toBe(3);
  });

  it('reports the backlog and the lag of the oldest unpublished row', async () => {
    const streamKey = newStream();
    const instance = relay(streamKey, { pollIntervalMs: 60_000 });
    await ensureGroup(redis, streamKey, 'web-service');
    await writeRows(3); // occurred about an hour ago
    instance.start();
    await waitFor(async () => (await unpublished()) === 0, 5000, 'published');
    await writeRows(2);
    const text = await register.metrics();
    expect(text).toContain(`nafs_events_outbox_backlog{stream="${streamKey}"} 2`);
    const lag = Number(new RegExp(`nafs_events_outbox_lag_seconds\\{stream="${streamKey}"\\} ([0-9.e+]+)`).exec(text)?.[1]);
    expect(lag).toBeGreaterThan(3500);
    expect(text).toMatch(new RegExp(`nafs_events_relay_published_total\\{stream="${streamKey}"\\} 3`));
  });
});
