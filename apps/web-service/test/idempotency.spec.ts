// Idempotency-Key on create routes (issue 17.10), through web's real HTTP stack, PostgreSQL and
// Redis: @Idempotent() on POST /api/v1/drawing-projects, handled by libs/http's interceptor.
import { createHash, randomUUID } from 'node:crypto';

import { AuthFixture, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';
import { testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import Redis from 'ioredis';
import { Client } from 'pg';

import { WEB_SERVICE } from '../src/service';

const BASE = '/api/v1/drawing-projects';

describe('Idempotency-Key on web create routes (real PostgreSQL, Redis and auth-service)', () => {
  let auth: AuthFixture;
  let web: RunningTestService;
  let redis: Redis;
  let user: TestUser;
  let token: string;

  const create = async (body: unknown, key?: string, bearer = token) => {
    const headers: Record<string, string> = { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' };
    if (key) headers['Idempotency-Key'] = key;
    const res = await fetch(`${web.url}${BASE}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, replayed: res.headers.get('idempotent-replayed') };
  };
  const rows = async (name: string) => {
    const client = new Client({ connectionString: web.database.url });
    await client.connect();
    try {
      return Number((await client.query('SELECT count(*) FROM drawing_projects WHERE name = $1', [name])).rows[0].count);
    } finally {
      await client.end();
    }
  };
  const project = (name: string) => ({ name, templateData: { version: '1.0', shapes: [] } });

  beforeAll(async () => {
    const prefix = uniqueRedisPrefix('idem');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    web = await startTestService(WEB_SERVICE, { ...shared, JWT_SECRET: TEST_JWT_SECRET });
    redis = new Redis(testInfra().redisUrl);
    user = await auth.createUser();
    token = auth.accessToken(user);
  });

  afterAll(async () => {
    redis?.disconnect();
    await web?.close();
    await auth?.stopAll();
  });

  it('replays the first answer (status and body) to a retry with the same key and body, and creates one row', async () => {
    const name = `idem-${randomUUID()}`;
    const key = randomUUID();
    const first = await create(project(name), key);
    expect(first.status).toBe(201);
    expect(first.replayed).toBeNull();
    const retry = await create(project(name), key);
    expect(retry).toEqual({ status: 201, body: first.body, replayed: 'true' });
    expect(await rows(name)).toBe(1);
    // Kept per user for 24 h, under the service's REDIS_KEY_PREFIX.
    const stored = `${web.env.REDIS_KEY_PREFIX}idempotency:${user.id}:${createHash('sha256').update(key).digest('hex')}`;
    expect(await redis.ttl(stored)).toBeGreaterThan(24 * 3600 - 60);
    // Without a key, nothing changes: each POST creates a row.
    expect((await create(project(name))).status).toBe(201);
    expect(await rows(name)).toBe(2);
  });

  it('answers 422 to the same key with a different body, creating nothing', async () => {
    const key = randomUUID();
    const name = `idem-${randomUUID()}`;
    expect((await create(project(name), key)).status).toBe(201);
    const reused = await create(project(`${name}-other`), key);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ message: expect.stringContaining('different request body') });
    expect(await rows(`${name}-other`)).toBe(0);
  });

  it('keeps keys per user: another user with the same key gets their own row', async () => {
    const key = randomUUID();
    const name = `idem-${randomUUID()}`;
    const other = await auth.createUser();
    expect((await create(project(name), key)).status).toBe(201);
    const theirs = await create(project(name), key, auth.accessToken(other));
    expect(theirs.status).toBe(201);
    expect(theirs.replayed).toBeNull();
    expect(await rows(name)).toBe(2);
  });

  it('answers 409 to a duplicate while the first is in flight, and concurrent duplicates create one row', async () => {
    const name = `idem-${randomUUID()}`;
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(project(name), key)));
    expect(await rows(name)).toBe(1);
    expect(answers.map((a) => a.status).filter((status) => status !== 201 && status !== 409)).toEqual([]);
    const created = answers.filter((a) => a.status === 201);
    created.forEach((a) => expect(a.body).toEqual(created[0].body));

    // A request still in flight (its lease in Redis, as the interceptor writes it) is refused with 409.
    const pendingKey = randomUUID();
    const fingerprint = createHash('sha256')
      .update(`POST ${BASE} ${JSON.stringify(project(name))}`)
      .digest('hex');
    await redis.set(
      `${web.env.REDIS_KEY_PREFIX}idempotency:${user.id}:${createHash('sha256').update(pendingKey).digest('hex')}`,
      JSON.stringify({ state: 'pending', fingerprint }),
      'EX',
      60,
    );
    const inFlight = await create(project(name), pendingKey);
    expect(inFlight.status).toBe(409);
    expect(inFlight.body).toMatchObject({ message: expect.stringContaining('still being processed') });
    expect(await rows(name)).toBe(1);
  });

  it('does not store a failed request: the same key may be retried once the body is fixed', async () => {
    const key = randomUUID();
    const name = `idem-${randomUUID()}`;
    expect((await create({ name }, key)).status).toBe(400); // templateData missing
    const fixed = await create(project(name), key);
    expect(fixed.status).toBe(201);
    expect(await rows(name)).toBe(1);
    expect((await create(project(name), 'not a valid key ü')).status).toBe(400);
  });
});
