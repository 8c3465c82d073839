import { createRedisClient } from '@nafs/cache';
import { AUTH_EVENTS } from '@nafs/contracts';
import { createEmptyDatabase, PrivateRedis, type TestDatabase } from '@nafs/database/testing';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';

import { authEventStreamKey, IdempotentEventProcessor, OutboxRelay, StreamConsumer } from '../src';
import { openDataSource, OUTBOX_DDL, PROCESSED_EVENTS_DDL, waitFor } from './support';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** Issue 16.4: a Redis of its own, killed and restarted without its data while the consumer is down. */
describe('events survive a Redis that restarts empty (real PostgreSQL, a private redis-server)', () => {
  let redis: PrivateRedis;
  let db: TestDatabase;
  let dataSource: DataSource;
  let commands: Redis;
  let relay: OutboxRelay;
  let consumer: StreamConsumer | undefined;
  const streamKey = authEventStreamKey('restart:');

  const redisFor = (name: string) => {
    const client = createRedisClient({ REDIS_URL: redis.url }, name);
    client.on('error', () => undefined);
    return client;
  };

  function startConsumer(): StreamConsumer {
    const processor = new IdempotentEventProcessor({
      dataSource,
      handlers: [
        {
          name: 'recording',
          handle: async (event, manager) => {
            await manager.query('INSERT INTO applied (event_id) VALUES ($1)', [event.id]);
          },
        },
      ],
    });
    const instance = new StreamConsumer({
      connect: (role) => redisFor(`restart-consumer-${role}`),
      streamKey,
      group: 'web-service',
      process: (event) => processor.process(event),
      blockMs: 200,
      claimIdleMs: 1000,
      logger: quiet,
    });
    instance.start();
    return instance;
  }

  async function writeEvents(count: number): Promise<string[]> {
    const rows = (await dataSource.query(
      `INSERT INTO event_outbox (type, payload, occurred_at)
       SELECT $1, jsonb_build_object('userId', gen_random_uuid(), 'tenantId', NULL), clock_timestamp() + n * interval '1 microsecond'
         FROM generate_series(1, $2::int) AS n
       RETURNING id`,
      [AUTH_EVENTS.userDeleted, count],
    )) as { id: string }[];
    relay.notify();
    return rows.map((row) => row.id);
  }

  const count = async (sql: string) => Number(((await dataSource.query(sql)) as { n: string }[])[0].n);
  const unpublished = () => count('SELECT count(*) AS n FROM event_outbox WHERE published_at IS NULL');
  const applied = () => count('SELECT count(DISTINCT event_id) AS n FROM applied');

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    db = await createEmptyDatabase('events_redis_restart');
    dataSource = await openDataSource(db, 10);
    await dataSource.query(OUTBOX_DDL);
    await dataSource.query(PROCESSED_EVENTS_DDL);
    await dataSource.query('CREATE TABLE applied (event_id uuid NOT NULL)');
    commands = redisFor('restart-relay');
    relay = new OutboxRelay({
      dataSource,
      redis: commands,
      streamKey,
      consumerGroups: ['web-service', 'forms-service'],
      pollIntervalMs: 50,
      maxBackoffMs: 200,
      housekeepingIntervalMs: 0,
      logger: quiet,
    });
    relay.start();
  });
  afterAll(async () => {
    await consumer?.stop();
    await relay?.stop();
    commands?.disconnect();
    await redis.kill();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('replays from the outbox what the lost stream held; the consumer recreates its group and applies every event exactly once', async () => {
    consumer = startConsumer();
    const before = await writeEvents(5);
    await waitFor(async () => (await applied()) === 5, 10_000, 'first events applied');

    // The consuming service goes down; auth keeps producing, the relay publishes into the stream.
    await consumer.stop();
    consumer = undefined;
    const whileDown = await writeEvents(7);
    await waitFor(async () => (await unpublished()) === 0, 10_000, 'events published while the consumer is down');
    expect(await commands.xlen(streamKey)).toBe(12);

    // Redis dies and comes back without its data: stream, groups, the 7 unread entries and the marker gone.
    await redis.kill();
    const duringOutage = await writeEvents(2);
    await redis.start();
    const restartedAt = Date.now();
    const afterRestart = await writeEvents(3);

    consumer = startConsumer();
    const all = [...before, ...whileDown, ...duringOutage, ...afterRestart];
    await waitFor(async () => (await applied()) === all.length, 20_000, 'every event applied after the restart');
    const recoveredSeconds = (Date.now() - restartedAt) / 1000;
    // Let redeliveries of the replayed rows (the 5 applied before) arrive and be dropped.
    await waitFor(async () => (await unpublished()) === 0 && (await commands.xlen(streamKey)) >= all.length, 10_000, 'replay done');
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const perEvent = (await dataSource.query('SELECT event_id, count(*)::int AS n FROM applied GROUP BY event_id')) as {
      event_id: string;
      n: number;
    }[];
    expect(perEvent.map((row) => row.event_id).sort()).toEqual([...all].sort());
    expect(perEvent.every((row) => row.n === 1)).toBe(true);
    expect(await count('SELECT count(*) AS n FROM processed_events')).toBe(all.length);
    // The relay recreated both groups and its marker; nothing waits in the consumer's group.
    const groups = ((await commands.xinfo('GROUPS', streamKey)) as unknown[][]).map((group) => String(group[1])).sort();
    expect(groups).toEqual(['forms-service', 'web-service']);
    expect(await commands.exists(relay.epochKey)).toBe(1);
    const replayedEntries = await commands.xlen(streamKey);

    console.log(
      `redis restarted empty: events produced ${all.length} (5 applied before, 7 published while the consumer was down, ` +
        `2 during the outage, 3 after), stream entries after the restart ${replayedEntries}, applied ${perEvent.length}, ` +
        `applied twice ${perEvent.filter((row) => row.n > 1).length}, seconds from the restart to all applied ${recoveredSeconds.toFixed(1)}`,
    );
  });
});
