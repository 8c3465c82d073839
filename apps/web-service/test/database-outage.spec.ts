import { AuthFixture, TEST_JWT_SECRET } from '@nafs/auth-client/testing';
import { testInfra, uniqueRedisPrefix, waitFor } from '@nafs/database/testing';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import { Client } from 'pg';

import { WEB_SERVICE } from '../src/service';

/** Issue 16.5: web's database made unreachable under a running service: quick 503s in the legacy shape, then 200 again without restart. */
describe('web-service while its database is unreachable (real PostgreSQL)', () => {
  let auth: AuthFixture;
  let web: RunningTestService;
  let token: string;

  const admin = async (sql: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: testInfra().pgUrl });
    await client.connect();
    try {
      await client.query(sql, params);
    } finally {
      await client.end();
    }
  };
  const cutOff = async () => {
    await admin(`ALTER DATABASE "${web.database.name}" ALLOW_CONNECTIONS false`);
    await admin('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      web.database.name,
    ]);
  };
  const restore = () => admin(`ALTER DATABASE "${web.database.name}" ALLOW_CONNECTIONS true`);

  const list = async () => {
    const started = performance.now();
    const res = await fetch(`${web.url}/api/v1/drawing-projects`, { headers: { Authorization: `Bearer ${token}` } });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown>,
      ms: performance.now() - started,
      retryAfter: res.headers.get('retry-after'),
    };
  };

  beforeAll(async () => {
    const prefix = uniqueRedisPrefix('dbout');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    web = await startTestService(WEB_SERVICE, { ...shared, JWT_SECRET: TEST_JWT_SECRET });
    token = auth.accessToken(await auth.createUser());
  });

  afterAll(async () => {
    await restore().catch(() => undefined);
    await web?.close();
    await auth?.stopAll();
  });

  it('answers 503 in the legacy E7 shape within a second during the outage, and 200 again once the database is back', async () => {
    const before = await list();
    expect(before.status).toBe(200);

    await cutOff();
    const during = [];
    for (let i = 0; i < 10; i++) during.push(await list());
    for (const answer of during) {
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ success: false });
      expect(JSON.stringify(answer.body)).not.toMatch(/ECONNREFUSED|accepting connections|terminat/i);
      expect(answer.retryAfter).toBe('5');
    }
    const slowest = Math.max(...during.map((answer) => answer.ms));
    console.log(
      `database outage: ${during.length} requests, statuses ${[...new Set(during.map((a) => a.status))].join(',')}, slowest ${slowest.toFixed(1)} ms`,
    );
    expect(slowest).toBeLessThan(1000);

    await restore();
    const restoredAt = performance.now();
    await waitFor(async () => (await list()).status === 200, 10_000, 'web answering 200 after the database came back');
    console.log(`database outage: recovered ${(performance.now() - restoredAt).toFixed(0)} ms after the database came back`);
  });
});
