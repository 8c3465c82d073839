import { randomUUID } from 'node:crypto';

import { AUTH_EVENTS, type AuthEvent } from '@nafs/contracts';
import { createEmptyDatabase, type TestDatabase, testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import Redis from 'ioredis';
import { register } from 'prom-client';
import type { DataSource } from 'typeorm';

import {
  type AuthEventHandler,
  type AuthEventListener,
  authEventStreamKey,
  deadLetterStreamKey,
  encodeAuthEvent,
  fieldsToRecord,
  IdempotentEventProcessor,
  OutboxRelay,
  type RawStreamEntry,
  StreamConsumer,
  type StreamConsumerOptions,
  StreamTail,
} from '../src';
import { openDataSource, OUTBOX_DDL, PROCESSED_EVENTS_DDL, sleep, waitFor } from './support';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

function userDeleted(userId = randomUUID()): AuthEvent {
  return { id: randomUUID(), type: AUTH_EVENTS.userDeleted, occurredAt: new Date().toISOString(), payload: { userId, tenantId: null } };
}

describe('StreamConsumer with IdempotentEventProcessor (real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let redis: Redis;
  const consumers: { stop(): Promise<void> }[] = [];
  /** Applications per event id, as the handler's own table sees them. */
  const applications = async () =>
    new Map(
      (
        (await dataSource.query('SELECT event_id, count(*)::int AS n FROM applied GROUP BY event_id')) as { event_id: string; n: number }[]
      ).map((row) => [row.event_id, row.n]),
    );

  beforeAll(async () => {
    db = await createEmptyDatabase('events_consumer');
    dataSource = await openDataSource(db, 10);
    await dataSource.query(PROCESSED_EVENTS_DDL);
    await dataSource.query('CREATE TABLE applied (event_id uuid NOT NULL, consumer text NOT NULL)');
    redis = new Redis(testInfra().redisUrl);
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
    await dataSource.query('TRUNCATE applied, processed_events');
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await redis?.quit();
    await db?.drop();
  });

  /** A handler that records each application in the same transaction as the processed id. */
  function recordingHandler(consumer: string, failWhen: (event: AuthEvent) => boolean = () => false): AuthEventHandler {
    return {
      name: 'recording',
      async handle(event, manager) {
        await manager.query('INSERT INTO applied (event_id, consumer) VALUES ($1, $2)', [event.id, consumer]);
        if (failWhen(event)) throw new Error(`handler refused ${event.id}`);
      },
    };
  }

  function consumer(
    streamKey: string,
    name: string,
    options: Partial<StreamConsumerOptions> & { handlers?: AuthEventHandler[]; listeners?: AuthEventListener[] } = {},
  ) {
    const processor = new IdempotentEventProcessor({
      dataSource,
      handlers: options.handlers ?? [recordingHandler(name)],
      listeners: options.listeners,
    });
    const instance = new StreamConsumer({
      connect: () => new Redis(testInfra().redisUrl, { maxRetriesPerRequest: 1 }),
      streamKey,
      group: 'web-service',
      consumerName: name,
      process: (event) => processor.process(event),
      blockMs: 100,
      claimIdleMs: 300,
      claimIntervalMs: 100,
      maxDeliveries: 3,
      logger: quiet,
      ...options,
    });
    consumers.push(instance);
    return instance;
  }

  const publish = (streamKey: string, event: AuthEvent) => redis.xadd(streamKey, '*', ...encodeAuthEvent(event));
  const pendingCount = async (streamKey: string) => Number(((await redis.xpending(streamKey, 'web-service')) as [number])[0]);

  it('applies each event exactly once with two consumers in one group', async () => {
    const streamKey = authEventStreamKey(uniqueRedisPrefix('c'));
    const deliveries = new Map<string, number>();
    const count: AuthEventListener = (event) => void deliveries.set(event.id, (deliveries.get(event.id) ?? 0) + 1);
    const a = consumer(streamKey, 'a', { handlers: [recordingHandler('a')], listeners: [count], batchSize: 3 });
    const b = consumer(streamKey, 'b', { handlers: [recordingHandler('b')], listeners: [count], batchSize: 3 });
    a.start();
    b.start();
    const events = Array.from({ length: 60 }, () => userDeleted());
    for (const event of events) {
      await publish(streamKey, event);
      if (Math.random() < 0.3) await sleep(2);
    }
    await waitFor(async () => (await applications()).size === 60, 10_000, '60 applications');
    await sleep(300);
    const applied = await applications();
    expect([...applied.values()].every((n) => n === 1)).toBe(true);
    expect(events.every((event) => deliveries.get(event.id) === 1)).toBe(true);
    const byConsumer = (await dataSource.query('SELECT consumer, count(*)::int AS n FROM applied GROUP BY consumer')) as {
      consumer: string;
      n: number;
    }[];
    expect(byConsumer.reduce((sum, row) => sum + row.n, 0)).toBe(60);
    expect(await pendingCount(streamKey)).toBe(0);
  });

  it('gets the events published while it was down when it starts', async () => {
    const streamKey = authEventStreamKey(uniqueRedisPrefix('c'));
    const first = consumer(streamKey, 'first');
    first.start();
    const before = userDeleted();
    await publish(streamKey, before);
    await waitFor(async () => (await applications()).has(before.id), 5000, 'first event');
    await first.stop();

    const whileDown = [userDeleted(), userDeleted(), userDeleted()];
    for (const event of whileDown) await publish(streamKey, event);
    await sleep(300);
    expect((await applications()).size).toBe(1);

    consumer(streamKey, 'second').start();
    await waitFor(async () => (await applications()).size === 4, 5000, 'events published while down');
    expect([...(await applications()).values()]).toEqual([1, 1, 1, 1]);
  });

  it('leaves a failed event pending and retries it until it is applied', async () => {
    const streamKey = authEventStreamKey(uniqueRedisPrefix('c'));
    let failuresLeft = 2;
    const flaky: AuthEventHandler = {
      name: 'flaky',
      async handle(event, manager) {
        await manager.query('INSERT INTO applied (event_id, consumer) VALUES ($1, $2)', [event.id, 'flaky']);
        if (failuresLeft-- > 0) throw new Error('database hiccup');
      },
    };
    const instance = consumer(streamKey, 'flaky', { handlers: [flaky] });
    instance.start();
    const event = userDeleted();
    await publish(streamKey, event);
    await waitFor(async () => failuresLeft === 1 || undefined, 5000, 'first failure');
    // After the failure: rolled back (not applied, id not recorded) and still pending.
    expect((await applications()).has(event.id)).toBe(false);
    expect(Number((await dataSource.query('SELECT count(*) AS n FROM processed_events'))[0].n)).toBe(0);
    expect(await pendingCount(streamKey)).toBe(1);

    await waitFor(async () => (await applications()).get(event.id) === 1, 5000, 'retried application');
    await waitFor(async () => (await pendingCount(streamKey)) === 0, 5000, 'acknowledged');
    expect(await redis.exists(deadLetterStreamKey(streamKey, 'web-service'))).toBe(0);
  });

  it('moves a poison event to the dead-letter stream after the maximum attempts and goes on', async () => {
    const streamKey = authEventStreamKey(uniqueRedisPrefix('c'));
    const poison = userDeleted();
    let attempts = 0;
    const instance = consumer(streamKey, 'p', {
      handlers: [
        recordingHandler('p', (event) => {
          if (event.id === poison.id) attempts += 1;
          return event.id === poison.id;
        }),
      ],
    });
    instance.start();
    await publish(streamKey, poison);
    const healthy = userDeleted();
    await publish(streamKey, healthy);

    const deadLetterKey = deadLetterStreamKey(streamKey, 'web-service');
    const [[, fields]] = await waitFor(
      async () => {
        const entries = (await redis.xrange(deadLetterKey, '-', '+')) as RawStreamEntry[];
        return entries.length ? entries : undefined;
      },
      10_000,
      'dead letter',
    );
    const record = fieldsToRecord(fields);
    expect(record).toMatchObject({ id: poison.id, type: poison.type, 'deadLetter.group': 'web-service', 'deadLetter.attempts': '3' });
    expect(record['deadLetter.reason']).toContain(`handler refused ${poison.id}`);
    expect(attempts).toBe(3);
    expect(await pendingCount(streamKey)).toBe(0);
    const applied = await applications();
    expect(applied.get(healthy.id)).toBe(1);
    expect(applied.has(poison.id)).toBe(false);
    expect(await register.metrics()).toMatch(
      new RegExp(
        `nafs_events_consumer_events_total\\{stream="${streamKey}",group="web-service",type="auth.user.deleted",outcome="dead_lettered"\\} 1`,
      ),
    );
  });

  it('dead-letters an entry that is not an event at once', async () => {
    const streamKey = authEventStreamKey(uniqueRedisPrefix('c'));
    consumer(streamKey, 'x').start();
    await redis.xadd(streamKey, '*', 'id', 'not-a-uuid', 'type', 'auth.user.deleted', 'payload', '{');
    const good = userDeleted();
    await publish(streamKey, good);
    await waitFor(async () => (await applications()).has(good.id), 5000, 'next event applied');
    await waitFor(async () => (await redis.xlen(deadLetterStreamKey(streamKey, 'web-service'))) === 1, 5000, 'dead letter');
    expect(await pendingCount(streamKey)).toBe(0);
  });

  it('skips an event id it has already applied (a duplicate publish or a redelivery)', async () => {
    const streamKey = authEventStreamKey(uniqueRedisPrefix('c'));
    const seen: string[] = [];
    let listenerFailures = 1;
    const instance = consumer(streamKey, 'd', {
      listeners: [
        (event) => {
          seen.push(event.id);
          if (listenerFailures-- > 0) throw new Error('cache unavailable');
        },
      ],
    });
    instance.start();
    const event = userDeleted();
    // The relay published it twice (its commit failed after XADD): both copies reach the group.
    await publish(streamKey, event);
    await publish(streamKey, event);
    // The first delivery commits, then its listener fails: the entry is redelivered after the idle
    // timeout, the database part is skipped and only the listener runs again.
    await waitFor(async () => (seen.length >= 3 ? true : undefined), 5000, 'redelivery');
    await waitFor(async () => (await pendingCount(streamKey)) === 0, 5000, 'all acknowledged');
    expect((await applications()).get(event.id)).toBe(1);
    expect(Number((await dataSource.query('SELECT count(*) AS n FROM processed_events WHERE event_id = $1', [event.id]))[0].n)).toBe(1);
    expect(await register.metrics()).toMatch(
      new RegExp(
        `nafs_events_consumer_events_total\\{stream="${streamKey}",group="web-service",type="auth.user.deleted",outcome="duplicate"\\} 2`,
      ),
    );
  });

  it('reports the group lag (not yet delivered) and pending (delivered, not acknowledged) entries', async () => {
    const streamKey = authEventStreamKey(uniqueRedisPrefix('c'));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = consumer(streamKey, 'slow', {
      batchSize: 1,
      process: async () => {
        await gate;
        return 'applied';
      },
    });
    slow.start();
    await waitFor(async () => (await redis.exists(streamKey)) === 1, 5000, 'group created');
    for (let i = 0; i < 4; i += 1) await publish(streamKey, userDeleted());
    await waitFor(async () => (await pendingCount(streamKey)) === 1, 5000, 'one entry in progress');
    const text = await register.metrics();
    expect(text).toContain(`nafs_events_consumer_lag{stream="${streamKey}",group="web-service"} 3`);
    expect(text).toContain(`nafs_events_consumer_pending{stream="${streamKey}",group="web-service"} 1`);
    release();
    await waitFor(
      async () =>
        (await pendingCount(streamKey)) === 0 &&
        (await register.metrics()).includes(`nafs_events_consumer_lag{stream="${streamKey}",group="web-service"} 0`),
      5000,
      'caught up',
    );
  });

  it('runs end to end from the outbox through the relay to a consumer group', async () => {
    const prefix = uniqueRedisPrefix('e2e');
    const streamKey = authEventStreamKey(prefix);
    const authDb = await createEmptyDatabase('events_auth');
    const authData = await openDataSource(authDb);
    try {
      await authData.query(OUTBOX_DDL);
      const relay = new OutboxRelay({
        dataSource: authData,
        redis,
        streamKey,
        pollIntervalMs: 20,
        consumerGroups: ['web-service'],
        logger: quiet,
      });
      relay.start();
      consumers.push(relay);
      consumer(streamKey, 'e').start();
      const ids = (await authData.query(
        `INSERT INTO event_outbox (type, payload) SELECT $1, jsonb_build_object('userId', gen_random_uuid(), 'tenantId', NULL) FROM generate_series(1, 20) RETURNING id`,
        [AUTH_EVENTS.userDeleted],
      )) as { id: string }[];
      await waitFor(async () => (await applications()).size === 20, 10_000, 'relayed events applied');
      expect([...(await applications()).keys()].sort()).toEqual(ids.map((row) => row.id).sort());
    } finally {
      await Promise.all(consumers.splice(0).map((c) => c.stop()));
      await authData.destroy();
      await authDb.drop();
    }
  });
});

describe('StreamTail (every replica sees every event)', () => {
  it('delivers each new event to every running tail, from the moment it started', async () => {
    const redis = new Redis(testInfra().redisUrl);
    const streamKey = authEventStreamKey(uniqueRedisPrefix('tail'));
    const old = userDeleted();
    await redis.xadd(streamKey, '*', ...encodeAuthEvent(old));
    const seen: Record<string, string[]> = { a: [], b: [] };
    const tails = ['a', 'b'].map(
      (name) =>
        new StreamTail({
          connect: () => new Redis(testInfra().redisUrl),
          streamKey,
          blockMs: 100,
          listener: (event) => void seen[name].push(event.id),
          logger: quiet,
        }),
    );
    try {
      tails.forEach((tail) => tail.start());
      await sleep(200);
      const events = [userDeleted(), userDeleted()];
      for (const event of events) await redis.xadd(streamKey, '*', ...encodeAuthEvent(event));
      await waitFor(async () => seen.a.length === 2 && seen.b.length === 2, 5000, 'both tails');
      expect(seen.a).toEqual(events.map((e) => e.id));
      expect(seen.b).toEqual(events.map((e) => e.id));
    } finally {
      await Promise.all(tails.map((tail) => tail.stop()));
      await redis.quit();
    }
  });
});
