import { IdentityCacheInvalidator } from '@nafs/auth-client';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import { testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { WEB_SERVICE } from '../src/service';
import { AuthFixture, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';

const PROBE = '/api/v1/drawing-projects';
// The deactivation-by-event test needs auth's outbox relay in the built bundle.
describe('web-service identity against the real auth-service (events, outage, replicas)', () => {
  let auth: AuthFixture;
  let web: RunningTestService;

  const get = async (user: TestUser | string) => {
    const started = Date.now();
    const res = await fetch(`${web.url}${PROBE}`, { headers: { Authorization: `Bearer ${typeof user === 'string' ? user : auth.accessToken(user)}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, ms: Date.now() - started };
  };

  const waitFor = async (predicate: () => Promise<boolean>, timeoutMs: number, stepMs = 25) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await predicate()) return true;
      await new Promise((resolve) => setTimeout(resolve, stepMs));
    }
    return predicate();
  };

  beforeAll(async () => {
    const prefix = uniqueRedisPrefix('webid');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    web = await startTestService(WEB_SERVICE, {
      ...shared,
      JWT_SECRET: TEST_JWT_SECRET,
      AUTH_RPC_TIMEOUT_MS: '300',
      AUTH_RPC_DEADLINE_MS: '1000',
      AUTH_RPC_BREAKER_HALF_OPEN_MS: '500',
    });
  });

  afterAll(async () => {
    await web?.close();
    await auth?.stopAll();
  });

  it('refuses a deactivated user within 2 seconds of the change, with the cache warm (outbox → stream → consumer → invalidation)', async () => {
    const user = await auth.createUser();
    expect((await get(user)).status).toBe(200);
    expect((await get(user)).status).toBe(200);
    // What auth's admin deactivation does: the change and its event in one transaction.
    await auth.query(
      `WITH changed AS (UPDATE users SET is_active = false WHERE id = $1 RETURNING id, tenant_id)
       INSERT INTO event_outbox (type, payload) SELECT 'auth.user.deactivated', jsonb_build_object('userId', id, 'tenantId', tenant_id) FROM changed`,
      [user.id],
    );
    const changedAt = Date.now();
    const refused = await waitFor(async () => (await get(user)).status === 401, 2000);
    expect(refused).toBe(true);
    expect(Date.now() - changedAt).toBeLessThan(2000);
    expect((await get(user)).body).toEqual({ error: 'Unauthorized', message: 'Invalid or expired token', timestamp: expect.any(String) });
  });

  it('drops a user from both cache levels through the invalidation API', async () => {
    const user = await auth.createUser();
    expect((await get(user)).status).toBe(200);
    await auth.setUserActive(user.id, false);
    expect((await get(user)).status).toBe(200); // still cached: nothing told web yet
    await web.app.get(IdentityCacheInvalidator).invalidateUser(user.id);
    expect((await get(user)).status).toBe(401);
  });

  it('keeps cached users working while auth is down, answers 503 in the legacy shape within the timeout for others, and recovers without a restart', async () => {
    const cached = await auth.createUser();
    const uncached = await auth.createUser();
    const readToken = await auth.createApiToken(cached, ['read']);
    expect((await get(cached)).status).toBe(200);
    expect((await get(readToken)).status).toBe(200);
    await auth.stopAll();
    try {
      expect((await get(cached)).status).toBe(200);
      expect((await get(readToken)).status).toBe(200);
      for (let i = 0; i < 6; i++) {
        const res = await get(uncached);
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ error: 'Service Unavailable', message: expect.stringContaining('unavailable'), timestamp: expect.any(String) });
        expect(res.ms).toBeLessThan(1500);
      }
      const metrics = await (await fetch(`${web.url}/metrics`)).text();
      expect(metrics).toMatch(/identity_rpc_breaker_state\{[^}]*\} 1/);
      expect(metrics).toMatch(/identity_validation_failures_total\{[^}]*reason="unavailable"[^}]*\} [1-9]/);
    } finally {
      await auth.replicas[0].start();
    }
    expect(await waitFor(async () => (await get(uncached)).status === 200, 5000, 100)).toBe(true);
    expect((await get(cached)).status).toBe(200);
  });

  it('stays correct with two auth replicas answering the same RPC patterns', async () => {
    await auth.addReplica();
    try {
      const admins = await Promise.all(Array.from({ length: 5 }, () => auth.createUser({ role: 'admin' })));
      const users = await Promise.all(Array.from({ length: 5 }, () => auth.createUser()));
      const inactive = await auth.createUser({ isActive: false });
      for (const user of [...admins, ...users]) {
        const token = auth.accessToken(user);
        const created = await fetch(`${web.url}${PROBE}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: `p-${user.id}`, templateData: { version: '1', shapes: [] } }),
        });
        expect(created.status).toBe(201);
      }
      const results = await Promise.all([...admins, ...users].map((user) => get(user)));
      results.forEach((res, i) => {
        const owner = [...admins, ...users][i];
        expect(res.status).toBe(200);
        expect((res.body.data as { projects: { name: string; userId: string }[] }).projects).toEqual([expect.objectContaining({ name: `p-${owner.id}`, userId: owner.id })]);
      });
      expect((await get(inactive)).status).toBe(401);
    } finally {
      await auth.replicas[1].stop();
      auth.replicas.splice(1, 1);
    }
  });

  it('exposes identity metrics on /metrics with a high hit ratio in steady state', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => auth.createUser()));
    await Promise.all(users.map((user) => get(user))); // first sight of each user: the misses
    const before = await (await fetch(`${web.url}/metrics`)).text();
    for (let round = 0; round < 20; round++) await Promise.all(users.map((user) => get(user)));
    const after = await (await fetch(`${web.url}/metrics`)).text();
    const lookups = (text: string, result: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith('identity_cache_lookups_total{') && line.includes('kind="user"') && line.includes('level="local"') && line.includes(`result="${result}"`))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    const hits = lookups(after, 'hit') - lookups(before, 'hit');
    const misses = lookups(after, 'miss') - lookups(before, 'miss');
    expect(hits / (hits + misses)).toBeGreaterThan(0.95);
    expect(after).toContain('identity_rpc_duration_seconds_bucket');
    expect(after).toContain('http_request_duration_seconds_bucket');
    expect(after).toMatch(/route="\/api\/v1\/drawing-projects"/);
  });
});
