import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

import { IdentityClient, IdentityLookupError } from '@nafs/auth-client';
import { AuthFixture, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';
import type { UserIdentity } from '@nafs/contracts';
import { createEmptyDatabase, testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import { Pool } from 'pg';

import { WEB_SERVICE } from '../../apps/web-service/src/service';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);
const USERS = Number(process.env.BENCH_USERS ?? 200);
const PATH = '/api/v1/drawing-projects';

interface Figures {
  mode: string;
  requests: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  rps: number;
  hitRatio?: number;
  rpcs?: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function get(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${PATH}`, { agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends `tokens.length` requests, `CONCURRENCY` at a time; returns per-request latency in ms. */
async function load(url: string, tokens: string[]): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async () => {
    while (next < tokens.length) {
      const token = tokens[next++];
      const t0 = process.hrtime.bigint();
      const status = await get(url, token);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (status !== 200) throw new Error(`unexpected status ${status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function summarise(mode: string, run: { latencies: number[]; seconds: number }): Figures {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    mode,
    requests: sorted.length,
    p50: round(at(0.5)),
    p90: round(at(0.9)),
    p99: round(at(0.99)),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    rps: Math.round(sorted.length / run.seconds),
  };
}

async function cacheCounters(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (level: string, result: string) =>
    text
      .split('\n')
      .filter(
        (l) =>
          l.startsWith('identity_cache_lookups_total{') &&
          l.includes('kind="user"') &&
          l.includes(`level="${level}"`) &&
          l.includes(`result="${result}"`),
      )
      .reduce((acc, l) => acc + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return { lookups: sum('local', 'hit') + sum('local', 'miss'), rpcs: sum('redis', 'miss') };
}

const shuffle = <T>(items: T[]) =>
  items
    .map((item) => [Math.random(), item] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, item]) => item);

describe(`identity benchmark: GET ${PATH}`, () => {
  it(`measures warm, cold and direct-lookup latency (${REQUESTS} requests, concurrency ${CONCURRENCY})`, async () => {
    const prefix = uniqueRedisPrefix('bench');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    const auth = new AuthFixture(shared);
    await auth.addReplica();
    const web: RunningTestService = await startTestService(WEB_SERVICE, { ...shared, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'error' });
    const scratch = await createEmptyDatabase('benchusers');
    const direct = new Pool({ connectionString: scratch.url, max: 10 });
    const figures: Figures[] = [];
    try {
      // Users in auth: a steady population for the warm runs, and one fresh user per cold request.
      await auth.query(
        `INSERT INTO users (id, email, password_hash, first_name, last_name, role, is_active)
         SELECT gen_random_uuid(), 'bench-' || g || '@example.com', 'x', 'B', 'U', 'user', true FROM generate_series(1, $1) g`,
        [USERS + REQUESTS],
      );
      const all = await auth.query<TestUser & { tenant_id: null }>(
        `SELECT id, email, role, tenant_id AS "tenantId" FROM users ORDER BY email`,
      );
      const steady = all.slice(0, USERS);
      const fresh = all.slice(USERS, USERS + REQUESTS);
      // Three projects per steady user, so each answer carries real rows.
      const webPool = new Pool({ connectionString: web.database.url, max: 2 });
      await webPool.query(
        `INSERT INTO drawing_projects (user_id, name, template_data)
         SELECT u::uuid, 'Drawing ' || n, '{"version":"1","shapes":[]}'::jsonb FROM unnest($1::text[]) u, generate_series(1, 3) n`,
        [steady.map((u) => u.id)],
      );
      await webPool.end();
      // The monolith's way: a users table next to the data, read on every request.
      await direct.query(
        `CREATE TABLE users (id uuid PRIMARY KEY, email varchar(255) NOT NULL, role varchar(50), tenant_id uuid, is_active boolean)`,
      );
      await direct.query(
        `INSERT INTO users SELECT (r->>'id')::uuid, r->>'email', r->>'role', NULL, true FROM jsonb_array_elements($1::jsonb) r`,
        [JSON.stringify(steady)],
      );

      const steadyTokens = steady.map((u) => auth.accessToken(u));
      const steadyLoad = () => shuffle(Array.from({ length: REQUESTS }, (_, i) => steadyTokens[i % steadyTokens.length]));

      // Warm-up (JIT, pools, caches), not measured.
      await load(web.url, steadyLoad().slice(0, 1000));

      // 1. Warm identity cache.
      const c0 = await cacheCounters(web.url);
      const warm = summarise('warm cache (identity RPC client, 2 levels)', await load(web.url, steadyLoad()));
      const c1 = await cacheCounters(web.url);
      warm.hitRatio = Math.round((1 - (c1.rpcs - c0.rpcs) / (c1.lookups - c0.lookups)) * 10000) / 10000;
      warm.rpcs = c1.rpcs - c0.rpcs;
      figures.push(warm);

      // 2. Cold: every request is a user never seen before (miss in both levels, one RPC each).
      const c2 = await cacheCounters(web.url);
      const cold = summarise(
        'cold cache (every request a miss)',
        await load(
          web.url,
          fresh.map((u) => auth.accessToken(u)),
        ),
      );
      const c3 = await cacheCounters(web.url);
      cold.hitRatio = Math.round((1 - (c3.rpcs - c2.rpcs) / (c3.lookups - c2.lookups)) * 10000) / 10000;
      cold.rpcs = c3.rpcs - c2.rpcs;
      figures.push(cold);

      // 3. Direct lookup: the identity check replaced by a per-request SELECT on the local copy.
      const original = IdentityClient.prototype.getUser;
      IdentityClient.prototype.getUser = async function directLookup(userId: string): Promise<UserIdentity> {
        const { rows } = await direct.query(`SELECT id, email, role, tenant_id, is_active FROM users WHERE id = $1`, [userId]);
        if (!rows[0]) throw new IdentityLookupError('NOT_FOUND', 'User not found');
        if (!rows[0].is_active) throw new IdentityLookupError('INACTIVE', 'User is inactive');
        return {
          id: rows[0].id,
          email: rows[0].email,
          role: rows[0].role,
          tenantId: rows[0].tenant_id,
          isActive: true,
          tenantActive: null,
        };
      };
      try {
        await load(web.url, steadyLoad().slice(0, 500));
        figures.push(summarise('direct lookup in a local users table (monolith)', await load(web.url, steadyLoad())));
      } finally {
        IdentityClient.prototype.getUser = original;
      }

      // 4. Warm again, to see the spread between runs of the same mode.
      figures.push(summarise('warm cache (second run)', await load(web.url, steadyLoad())));
    } finally {
      await direct.end();
      await web.close();
      await auth.stopAll();
      agent.destroy();
    }

    const [warm, cold, directFig, warm2] = figures;
    const lines = [
      `identity benchmark: GET ${PATH}, ${REQUESTS} requests per mode, concurrency ${CONCURRENCY}, ${USERS} steady users, 3 projects each`,
      '',
      '| mode | p50 ms | p90 ms | p99 ms | mean ms | req/s | cache hit ratio | RPCs |',
      '|---|---|---|---|---|---|---|---|',
      ...figures.map(
        (f) => `| ${f.mode} | ${f.p50} | ${f.p90} | ${f.p99} | ${f.mean} | ${f.rps} | ${f.hitRatio ?? '-'} | ${f.rpcs ?? '-'} |`,
      ),
      '',
      `warm p50 vs direct p50: ${warm.p50} vs ${directFig.p50} ms (${warm.p50 <= directFig.p50 ? 'warm is no slower' : 'warm is slower'}); second warm run ${warm2.p50} ms`,
      `cold miss cost (cold p50 - warm p50): ${Math.round((cold.p50 - warm.p50) * 1000) / 1000} ms (goal < 2 ms)`,
      `steady-state hit ratio: ${warm.hitRatio} (goal > 0.95)`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n\n`);
    mkdirSync(`${__dirname}/../../tmp`, { recursive: true });
    writeFileSync(
      `${__dirname}/../../tmp/bench-identity-last-run.json`,
      JSON.stringify({ at: new Date().toISOString(), requests: REQUESTS, concurrency: CONCURRENCY, users: USERS, figures }, null, 2),
    );
    expect(warm.hitRatio).toBeGreaterThan(0.95);
  });
});
