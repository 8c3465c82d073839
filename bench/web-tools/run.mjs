#!/usr/bin/env node
// Tools routes under load, from the built bundles, through the gateway and straight to web-service:
//   npx nx run-many -t build -p auth-service web-service gateway && node bench/web-tools/run.mjs [--duration 5] [--connections 10,50] [--tools 30]
// GET /api/v1/tools (polled by every open dashboard tab) with and without If-None-Match, and
// GET /api/v1/admin/tools (with and without). Prints req/s, p50, p99 per case, and the web
// database's transaction count during each conditional run (a 304 must cost no query).
// Through the gateway W16 comes from its 1 s microcache (GATEWAY_MICROCACHE in libs/contracts),
// so those rows measure nginx and the direct rows measure web.
// Needs PostgreSQL and Redis (TEST_PG_URL / TEST_REDIS_URL, default 127.0.0.1). Creates and drops
// its own databases and Redis prefix; the processes listen on 4300-4302 (BENCH_PORT_BASE).
import { benchArgs, benchRun, cannon as autocannon, ready, require, requireBuilt, services } from '../lib/harness.mjs';

const { Client } = require('pg');
const bcrypt = require('bcrypt');

const args = benchArgs(
  { duration: '5', connections: '10,50' },
  {
    tools: { type: 'string', default: '30' },
    direct: { type: 'boolean', default: true },
  },
);
const DURATION = Number(args.duration);
const CONNECTIONS = args.connections.split(',').map(Number);
const TOOLS = Number(args.tools);

const portBase = Number(process.env.BENCH_PORT_BASE ?? 4300);
const ports = { auth: portBase, web: portBase + 1, gateway: portBase + 2 };
requireBuilt(['auth-service', 'web-service', 'gateway']);

const { pgUrl, dbName, dbUrl, common } = benchRun('tools');
const envs = {
  'auth-service': { ...common, AUTH_DB_URL: dbUrl('auth'), PORT: String(ports.auth) },
  // web's relay and consumer off: their polls are database transactions, and the column of web
  // database transactions per run must count what the requests cost.
  'web-service': {
    ...common,
    WEB_DB_URL: dbUrl('web'),
    PORT: String(ports.web),
    EVENTS_RELAY_ENABLED: 'false',
    EVENTS_CONSUMER_ENABLED: 'false',
  },
  gateway: {
    ...common,
    PORT: String(ports.gateway),
    AUTH_SERVICE_URL: `http://127.0.0.1:${ports.auth}`,
    WEB_SERVICE_URL: `http://127.0.0.1:${ports.web}`,
    FORMS_SERVICE_URL: 'http://127.0.0.1:9',
  },
};
const { start, migrate, stop, run } = services(envs);

function cannon(url, connections, headers) {
  return autocannon({ url, connections, duration: DURATION, headers });
}

async function webTransactions(admin) {
  const { rows } = await admin.query(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1`, [dbName('web')]);
  return Number(rows[0].n);
}

async function main() {
  const admin = new Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    for (const service of ['auth', 'web']) await admin.query(`CREATE DATABASE "${dbName(service)}"`);
    await migrate(['auth-service', 'web-service']);
    const authDb = new Client({ connectionString: dbUrl('auth') });
    await authDb.connect();
    await authDb.query(
      `INSERT INTO users (email, password_hash, first_name, last_name, role) VALUES ('bench-admin@example.com', $1, 'Bench', 'Admin', 'admin')`,
      [await bcrypt.hash('Bench123!', 10)],
    );
    await authDb.end();
    const webDb = new Client({ connectionString: dbUrl('web') });
    await webDb.connect();
    // About the legacy fixture's size; the triggers derive slugs and default configs.
    for (let i = 0; i < TOOLS; i++) {
      await webDb.query(`INSERT INTO tools (key, name, description, active) VALUES ($1, $2, $3, $4)`, [
        `bench-tool-${i}`,
        `Bench Tool ${i}`,
        `A benchmark tool number ${i} with a realistic description`,
        i % 5 !== 4,
      ]);
    }
    await webDb.end();

    for (const app of ['auth-service', 'web-service', 'gateway']) start(app);
    await ready(`http://127.0.0.1:${ports.auth}/health/ready`, 'auth-service');
    await ready(`http://127.0.0.1:${ports.web}/health/ready`, 'web-service');
    await ready(`http://127.0.0.1:${ports.gateway}/health/live`, 'gateway');
    const login = await fetch(`http://127.0.0.1:${ports.auth}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench-admin@example.com', password: 'Bench123!' }),
    });
    const token = (await login.json()).data.accessToken;
    const auth = { authorization: `Bearer ${token}` };

    const targets = [['gateway', ports.gateway], ...(args.direct ? [['direct', ports.web]] : [])];
    const cases = [];
    for (const [path, headers] of [
      ['/api/v1/tools', {}],
      ['/api/v1/admin/tools', auth],
    ]) {
      const res = await fetch(`http://127.0.0.1:${ports.gateway}${path}`, { headers });
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
      const etag = res.headers.get('etag');
      const check = await fetch(`http://127.0.0.1:${ports.gateway}${path}`, { headers: { ...headers, 'if-none-match': etag } });
      if (check.status !== 304) throw new Error(`${path} with If-None-Match: HTTP ${check.status}`);
      cases.push({ path, conditional: false, headers });
      cases.push({ path, conditional: true, headers: { ...headers, 'if-none-match': etag } });
      await cannon(`http://127.0.0.1:${ports.gateway}${path}`, 10, headers); // warm-up (JIT, pools, identity cache)
    }

    // The machine's ceiling right now: a route with no database, Redis or auth behind it.
    const baseline = await cannon(`http://127.0.0.1:${ports.web}/health/live`, 10, {});
    console.log(
      `web-tools bench: ${DURATION} s per run, ${TOOLS} tools, NODE_ENV=production, LOG_LEVEL=warn; legacy reference at 10 connections: 1818–2348 req/s`,
    );
    console.log(
      `baseline GET /health/live direct, 10 connections: ${baseline.requests.average.toFixed(0)} req/s, p50 ${baseline.latency.p50} ms, p99 ${baseline.latency.p99} ms (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`,
    );
    console.log('route                    If-None-Match  via      conns   req/s   p50   p99  status   web DB xacts');
    const results = [];
    for (const { path, conditional, headers } of cases) {
      for (const [via, port] of targets) {
        for (const connections of CONNECTIONS) {
          const before = await webTransactions(admin);
          const result = await cannon(`http://127.0.0.1:${port}${path}`, connections, headers);
          await new Promise((ok) => setTimeout(ok, 600)); // let the statistics flush
          const xacts = (await webTransactions(admin)) - before;
          const expected = conditional ? '3xx' : '2xx';
          const ok = conditional ? result['3xx'] === result.requests.total || result['3xx'] > 0 : result['2xx'] > 0;
          results.push({
            path,
            conditional,
            via,
            connections,
            rps: result.requests.average,
            p50: result.latency.p50,
            p99: result.latency.p99,
          });
          console.log(
            `${path.padEnd(24)} ${(conditional ? 'yes' : 'no').padEnd(14)} ${via.padEnd(8)} ${String(connections).padStart(5)} ${result.requests.average.toFixed(0).padStart(7)} ${String(result.latency.p50).padStart(5)} ${String(result.latency.p99).padStart(5)}  ${ok ? expected : 'WRONG'}  ${String(xacts).padStart(12)}${result.errors || result.non2xx - (result['3xx'] ?? 0) > 0 ? `  (${result.errors} errors, ${result.non2xx} non-2xx)` : ''}`,
          );
        }
      }
    }
    const gw = results.filter((r) => r.via === 'gateway' && r.path === '/api/v1/tools');
    const at10 = gw.filter((r) => r.connections === 10);
    const at50 = gw.filter((r) => r.connections === 50);
    const met = at10.every((r) => r.rps >= 1818) && at50.every((r) => r.p99 < 30);
    console.log(`goal (GET /api/v1/tools via gateway: >= 1818 req/s at 10 connections, p99 < 30 ms at 50): ${met ? 'met' : 'NOT met'}`);
  } finally {
    await stop(admin, ['auth', 'web'].map(dbName), 1000);
  }
}

run(main);
