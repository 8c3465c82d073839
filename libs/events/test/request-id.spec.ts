import { Writable } from 'node:stream';

import { AUTH_EVENTS } from '@nafs/contracts';
import { createEmptyDatabase, type TestDatabase, testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { createLogger, currentRequestId } from '@nafs/observability';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';

import { authEventStreamKey, decodeAuthEvent, OutboxRelay, type RawStreamEntry, StreamConsumer } from '../src';
import { openDataSource, OUTBOX_DDL, waitFor } from './support';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('request ids through the outbox and the stream (real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let redis: Redis;

  beforeAll(async () => {
    db = await createEmptyDatabase('events_reqid');
    dataSource = await openDataSource(db, 4);
    await dataSource.query(OUTBOX_DDL);
    await dataSource.query('ALTER TABLE event_outbox ADD COLUMN request_id varchar(128)');
    redis = new Redis(testInfra().redisUrl);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await redis?.quit();
    await db?.drop();
  });

  it("an outbox row's request_id goes into its stream entry, and the consumer handles and logs the event under it", async () => {
    const streamKey = authEventStreamKey(uniqueRedisPrefix('reqid'));
    const [traced] = (await dataSource.query(
      `INSERT INTO event_outbox (type, payload, request_id, occurred_at) VALUES ($1, '{"userId":"u1","tenantId":null}', 'gw-evt-1', clock_timestamp()) RETURNING id`,
      [AUTH_EVENTS.userDeactivated],
    )) as { id: string }[];
    const [untraced] = (await dataSource.query(
      `INSERT INTO event_outbox (type, payload, occurred_at) VALUES ($1, '{"userId":"u2","tenantId":null}', clock_timestamp()) RETURNING id`,
      [AUTH_EVENTS.userDeactivated],
    )) as { id: string }[];

    const relay = new OutboxRelay({ dataSource, redis, streamKey, pollIntervalMs: 20, housekeepingIntervalMs: 0, logger: quiet });
    expect(await relay.publishBatch()).toBe(2);
    const entries = (await redis.xrange(streamKey, '-', '+')) as RawStreamEntry[];
    expect(entries.map(([, fields]) => decodeAuthEvent(fields))).toEqual([
      expect.objectContaining({ id: traced.id, requestId: 'gw-evt-1' }),
      expect.not.objectContaining({ requestId: expect.anything() }),
    ]);
    expect(decodeAuthEvent(entries[1][1]).id).toBe(untraced.id);

    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const seen: { id: string; requestId: string | undefined }[] = [];
    const consumer = new StreamConsumer({
      connect: () => new Redis(testInfra().redisUrl, { maxRetriesPerRequest: 1 }),
      streamKey,
      group: 'web-service',
      process: async (event) => {
        seen.push({ id: event.id, requestId: currentRequestId() });
      },
      blockMs: 100,
      logger: createLogger('web-service', 'log', { destination }),
    });
    consumer.start();
    try {
      await waitFor(async () => seen.length === 2, 5000, 'both events handled');
    } finally {
      await consumer.stop();
    }
    expect(seen).toEqual([
      { id: traced.id, requestId: 'gw-evt-1' },
      { id: untraced.id, requestId: undefined },
    ]);
    expect(lines.find((line) => String(line['msg']).includes(traced.id))).toMatchObject({ service: 'web-service', reqId: 'gw-evt-1' });
    expect(lines.find((line) => String(line['msg']).includes(untraced.id))).not.toHaveProperty('reqId');
  });

  it('an entry with a malformed request id is still decoded, without it', () => {
    const event = decodeAuthEvent([
      'id',
      '3f1d8c9e-5b7a-4c2d-9e8f-1a2b3c4d5e6f',
      'type',
      AUTH_EVENTS.userDeleted,
      'occurredAt',
      new Date().toISOString(),
      'payload',
      '{"userId":"u"}',
      'requestId',
      'bad id with spaces',
    ]);
    expect(event).toEqual(expect.objectContaining({ id: '3f1d8c9e-5b7a-4c2d-9e8f-1a2b3c4d5e6f' }));
    expect(event).not.toHaveProperty('requestId');
  });
});
