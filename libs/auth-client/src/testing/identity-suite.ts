import { testInfra, uniqueRedisPrefix, waitFor } from '@nafs/database/testing';
import type { BaseServiceConfig, ServiceDefinition } from '@nafs/runtime';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';

import { IdentityCacheInvalidator } from '../lib/identity-cache-invalidator';
import { AuthFixture, TEST_JWT_SECRET, type TestUser } from './auth-fixture';

export interface IdentitySuiteContext {
  auth: AuthFixture;
  service: RunningTestService;
  /** GET the probe route as `user` (a user, whose access JWT is used, or a raw bearer token). */
  get(user: TestUser | string): Promise<{ status: number; body: Record<string, unknown>; ms: number }>;
}

export interface IdentitySuiteOptions<C extends BaseServiceConfig> {
  definition: ServiceDefinition<C>;
  /** An authenticated GET route of the service, answering 200 for any active user. */
  probePath: string;
  /**
   * With a second auth replica running: create data as admins and users through the service and
   * check that what comes back (owners, roles) is right whichever replica answered.
   */
  writeAsEveryone(context: IdentitySuiteContext, everyone: TestUser[]): Promise<void>;
  /** A POST that creates something, answering 201 to a bearer with the `write` scope. */
  writeProbe: { path: string; body: unknown };
}

/**
 * What web and forms must both prove about identity (issue 4), against the real auth-service
 * bundle: a deactivation reaches them within 2 s through auth's events, caches are dropped on
 * invalidation, an auth outage keeps cached users working and answers others 503 within the
 * timeout, two auth replicas stay correct, and the metrics show a steady-state hit ratio.
 */
export function describeIdentityAgainstRealAuth<C extends BaseServiceConfig>(options: IdentitySuiteOptions<C>): void {
  const { definition, probePath } = options;

  describe(`${definition.app} identity against the real auth-service (events, outage, replicas)`, () => {
    const context = {} as IdentitySuiteContext;
    const get = (user: TestUser | string) => context.get(user);

    beforeAll(async () => {
      const prefix = uniqueRedisPrefix(`${definition.service}id`);
      const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
      context.auth = new AuthFixture(shared);
      await context.auth.addReplica();
      context.service = await startTestService(definition, {
        ...shared,
        JWT_SECRET: TEST_JWT_SECRET,
        AUTH_RPC_TIMEOUT_MS: '300',
        AUTH_RPC_DEADLINE_MS: '1000',
        AUTH_RPC_BREAKER_HALF_OPEN_MS: '500',
      });
      context.get = async (user) => {
        const started = Date.now();
        const bearer = typeof user === 'string' ? user : context.auth.accessToken(user);
        const res = await fetch(`${context.service.url}${probePath}`, { headers: { Authorization: `Bearer ${bearer}` } });
        return { status: res.status, body: (await res.json()) as Record<string, unknown>, ms: Date.now() - started };
      };
    });

    afterAll(async () => {
      await context.service?.close();
      await context.auth?.stopAll();
    });

    it('refuses a user deactivated through auth’s API within 2 seconds, with the cache warm (outbox → stream → consumer → invalidation)', async () => {
      const { auth } = context;
      const admin = await auth.createUser({ role: 'admin' });
      const user = await auth.createUser();
      expect((await get(user)).status).toBe(200);
      expect((await get(user)).status).toBe(200);
      const removed = await fetch(`${auth.replicas[0].url}/api/v1/users/${user.id}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${auth.accessToken(admin)}` },
      });
      expect(removed.status).toBe(204);
      const changedAt = Date.now();
      await waitFor(async () => (await get(user)).status === 401, 2000, 'the deactivation to take effect', 25);
      expect(Date.now() - changedAt).toBeLessThan(2000);
      expect((await get(user)).body).toEqual({ error: 'Unauthorized', message: 'Invalid or expired token', timestamp: expect.any(String) });
    });

    it('refuses a write with an API token within 2 seconds of its scopes becoming read-only through auth’s API, with the cache warm', async () => {
      const { auth, service } = context;
      const user = await auth.createUser();
      const token = await auth.createApiToken(user, ['read', 'write']);
      const [{ id: tokenId }] = await auth.query<{ id: string }>(`SELECT id FROM api_tokens WHERE name = $1`, [`t-${token.slice(0, 8)}`]);
      const write = () =>
        fetch(`${service.url}${options.writeProbe.path}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(options.writeProbe.body),
        }).then((res) => res.status);
      expect(await write()).toBe(201); // the token's identity is now cached (both levels)
      expect((await get(token)).status).toBe(200);
      const changed = await fetch(`${auth.replicas[0].url}/api/v1/tokens/${tokenId}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${auth.accessToken(user)}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ scopes: ['read'] }),
      });
      expect(changed.status).toBe(200);
      const changedAt = Date.now();
      await waitFor(async () => (await write()) === 403, 2000, 'the scope change to take effect', 25);
      expect(Date.now() - changedAt).toBeLessThan(2000);
      expect((await get(token)).status).toBe(200); // still a valid read-only token
    });

    it('drops a user from both cache levels through the invalidation API', async () => {
      const user = await context.auth.createUser();
      expect((await get(user)).status).toBe(200);
      await context.auth.setUserActive(user.id, false);
      expect((await get(user)).status).toBe(200); // still cached: nothing told the service yet
      await context.service.app.get(IdentityCacheInvalidator).invalidateUser(user.id);
      expect((await get(user)).status).toBe(401);
    });

    it('keeps cached users working while auth is down, answers 503 in the legacy shape within the timeout for others, and recovers without a restart', async () => {
      const { auth, service } = context;
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
          expect(res.body).toEqual({
            error: 'Service Unavailable',
            message: expect.stringContaining('unavailable'),
            timestamp: expect.any(String),
          });
          expect(res.ms).toBeLessThan(1500);
        }
        const metrics = await (await fetch(`${service.url}/metrics`)).text();
        expect(metrics).toMatch(/identity_rpc_breaker_state\{[^}]*\} 1/);
        expect(metrics).toMatch(/identity_validation_failures_total\{[^}]*reason="unavailable"[^}]*\} [1-9]/);
      } finally {
        await auth.replicas[0].start();
      }
      await waitFor(async () => (await get(uncached)).status === 200, 5000, 'recovery after auth restarted', 100);
      expect((await get(cached)).status).toBe(200);
    });

    it('stays correct with two auth replicas answering the same RPC patterns', async () => {
      const { auth } = context;
      await auth.addReplica();
      try {
        const admins = await Promise.all(Array.from({ length: 5 }, () => auth.createUser({ role: 'admin' })));
        const users = await Promise.all(Array.from({ length: 5 }, () => auth.createUser()));
        await options.writeAsEveryone(context, [...admins, ...users]);
        const inactive = await auth.createUser({ isActive: false });
        expect((await get(inactive)).status).toBe(401);
      } finally {
        await auth.replicas[1].stop();
        auth.replicas.splice(1, 1);
      }
    });

    it('exposes identity metrics on /metrics with a high hit ratio in steady state', async () => {
      const users = await Promise.all(Array.from({ length: 5 }, () => context.auth.createUser()));
      await Promise.all(users.map((user) => get(user))); // first sight of each user: the misses
      const metricsText = async () => (await fetch(`${context.service.url}/metrics`)).text();
      const before = await metricsText();
      for (let round = 0; round < 20; round++) await Promise.all(users.map((user) => get(user)));
      const after = await metricsText();
      const lookups = (text: string, result: string) =>
        text
          .split('\n')
          .filter(
            (line) =>
              line.startsWith('identity_cache_lookups_total{') &&
              line.includes('kind="user"') &&
              line.includes('level="local"') &&
              line.includes(`result="${result}"`),
          )
          .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
      const hits = lookups(after, 'hit') - lookups(before, 'hit');
      const misses = lookups(after, 'miss') - lookups(before, 'miss');
      expect(hits / (hits + misses)).toBeGreaterThan(0.95);
      expect(after).toContain('identity_rpc_duration_seconds_bucket');
      expect(after).toContain('http_request_duration_seconds_bucket');
      expect(after).toContain(`route="${probePath}"`);
    });
  });
}
