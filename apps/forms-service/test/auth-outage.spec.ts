import { AuthFixture, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';
import { createMigratedDatabase, type TestDatabase, testInfra, uniqueRedisPrefix, waitFor } from '@nafs/database/testing';
import { ServiceProcess } from '@nafs/runtime/testing';

import { FORMS_SCHEMA } from '../src/database/schema';

/** Production's RPC policy (libs/auth-client defaults): 400 ms per attempt, 1500 ms per lookup. */
const RPC_DEADLINE_MS = 1500;
const OUTAGE_MS = 20_000;

interface Answer {
  phase: 'before' | 'outage' | 'restarting' | 'after';
  who: 'cached' | 'uncached';
  path: string;
  status: number;
  ms: number;
  body: unknown;
}

/**
 * Issue 16.3: auth-service killed (SIGKILL) for 20 s while a light loop calls forms through the
 * gateway, every process a built bundle as deployed. forms must answer every request within the RPC deadline (cached users 200, the others
 * 503 in the legacy shape), and recover within 5 s of auth's return without a restart, the
 * gateway's /health/ready included.
 */
describe('forms-service while auth-service is killed (real auth bundle and gateway)', () => {
  let auth: AuthFixture;
  let database: TestDatabase;
  let forms: ServiceProcess;
  let gateway: ServiceProcess;

  beforeAll(async () => {
    const prefix = uniqueRedisPrefix('formsoutage');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    database = await createMigratedDatabase('forms', FORMS_SCHEMA);
    forms = new ServiceProcess(
      'forms-service',
      { NODE_ENV: 'test', LOG_LEVEL: 'warn', ...shared, ...database.env('forms'), JWT_SECRET: TEST_JWT_SECRET, TRUST_PROXY_HOPS: '1' },
      '/health/ready',
    );
    await forms.start();
    // web is not under test: the gateway's web upstream is forms too, so its readiness is auth's and forms'.
    gateway = new ServiceProcess('gateway', {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      AUTH_SERVICE_URL: auth.replicas[0].url,
      WEB_SERVICE_URL: forms.url,
      FORMS_SERVICE_URL: forms.url,
    });
    await gateway.start();
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await forms?.stop();
    await database?.drop();
    await auth?.stopAll();
  });

  it('answers every request within the RPC deadline (cached 200, others 503), and recovers within 5 s of auth’s return', async () => {
    const cached = await auth.createUser();
    const uncached: TestUser[] = await Promise.all(Array.from({ length: 40 }, () => auth.createUser()));
    const paths = ['/api/v1/themes', '/api/v1/forms'];
    const call = async (user: TestUser, path: string, payload?: unknown) => {
      const started = performance.now();
      try {
        const res = await fetch(`${gateway.url}${path}`, {
          method: payload === undefined ? 'GET' : 'POST',
          headers: {
            Authorization: `Bearer ${auth.accessToken(user)}`,
            ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
          },
          body: payload === undefined ? undefined : JSON.stringify(payload),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // keep the text
        }
        return { status: res.status, ms: performance.now() - started, body };
      } catch (error) {
        return { status: 0, ms: performance.now() - started, body: String(error) }; // 0: no answer
      }
    };
    // The list then names its owner: after the 5 s in-process cache, a users-by-ids RPC per page.
    const first = await call(cached, '/api/v1/forms', { title: 'Before the outage' });
    expect(first.status).toBe(201);
    for (const path of paths) expect((await call(cached, path)).status).toBe(200);

    const answers: Answer[] = [];
    let phase: Answer['phase'] = 'before';
    let running = true;
    let nextUncached = 0;
    // Two clients, one request at a time each: the cached user, and users forms has never seen.
    const loop = async (who: Answer['who']) => {
      // The uncached client starts with the outage, so none of its users is cached before it.
      while (who === 'uncached' && phase === 'before') await new Promise((resolve) => setTimeout(resolve, 10));
      for (let i = 0; running; i += 1) {
        const user = who === 'cached' ? cached : uncached[nextUncached++ % uncached.length];
        // Every third request of the cached user writes (a form: the owner checked through auth).
        const writes = who === 'cached' && i % 3 === 2;
        const path = writes ? 'POST /api/v1/forms' : paths[i % paths.length];
        const at = phase;
        const answer = writes ? await call(user, '/api/v1/forms', { title: `Form ${i}` }) : await call(user, path);
        answers.push({ phase: at, who, path, ...answer });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const clients = [loop('cached'), loop('uncached')];
    await new Promise((resolve) => setTimeout(resolve, 1000));

    // The outage starts once auth is dead: a request sent while SIGKILL is on its way still reaches it.
    await auth.replicas[0].stop('SIGKILL');
    phase = 'outage';
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    // Users first seen during the outage stay unknown to forms until auth answers again.
    const unseen = await auth.createUser();
    // A restarting auth answers RPCs (Redis) before its HTTP side is ready, when start() returns:
    // requests sent meanwhile belong to neither the outage nor the after.
    phase = 'restarting';
    await auth.replicas[0].start();
    const back = Date.now();
    phase = 'after';
    await waitFor(async () => (await call(unseen, '/api/v1/themes')).status === 200, 5000, 'forms to answer a new user again', 100);
    const recoveredSeconds = (Date.now() - back) / 1000;
    await waitFor(async () => (await fetch(`${gateway.url}/health/ready`)).status === 200, 5000, 'the gateway ready again', 100);
    const readySeconds = (Date.now() - back) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 500));
    running = false;
    await Promise.all(clients);

    const outage = answers.filter((answer) => answer.phase === 'outage');
    const byStatus = (list: Answer[]) =>
      list.reduce<Record<string, number>>((counts, answer) => ({ ...counts, [answer.status]: (counts[answer.status] ?? 0) + 1 }), {});
    const longest = Math.max(...outage.map((answer) => answer.ms));
    console.log(
      `forms, auth killed ${OUTAGE_MS / 1000} s: requests sent ${answers.length} (during the outage ${outage.length}), ` +
        `answers by status during the outage: cached reads ${JSON.stringify(byStatus(outage.filter((a) => a.who === 'cached' && !a.path.startsWith('POST'))))}, ` +
        `cached writes ${JSON.stringify(byStatus(outage.filter((a) => a.path.startsWith('POST'))))}, ` +
        `uncached ${JSON.stringify(byStatus(outage.filter((a) => a.who === 'uncached')))}; longest answer ${Math.round(longest)} ms; ` +
        `seconds to recover after auth returned: requests ${recoveredSeconds.toFixed(1)}, gateway /health/ready ${readySeconds.toFixed(1)}`,
    );

    expect(answers.filter((answer) => answer.status === 0)).toEqual([]);
    expect(longest).toBeLessThan(RPC_DEADLINE_MS + 500);
    expect(
      outage.filter((answer) => answer.who === 'cached' && !answer.path.startsWith('POST')).every((answer) => answer.status === 200),
    ).toBe(true);
    // A write by a cached user is accepted (the owner check is served from the cache) or refused with a 503.
    expect(outage.filter((answer) => answer.path.startsWith('POST')).every((answer) => [201, 503].includes(answer.status))).toBe(true);
    const refused = outage.filter((answer) => answer.who === 'uncached');
    expect(refused.length).toBeGreaterThan(20);
    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(answer.body).toEqual({
        error: 'Service Unavailable',
        message: expect.stringContaining('unavailable'),
        timestamp: expect.any(String),
      });
    }
    expect(answers.filter((answer) => answer.phase === 'before').every((answer) => [200, 201].includes(answer.status))).toBe(true);
    expect(recoveredSeconds).toBeLessThan(5);
    expect(readySeconds).toBeLessThan(5);
    // Uncached users seen during the outage are served again too, without a restart of forms.
    expect((await call(uncached[0], '/api/v1/themes')).status).toBe(200);
  }, 120_000);
});
