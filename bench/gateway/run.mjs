#!/usr/bin/env node
// The gateway's hop, measured: the same routes straight to the service and through the gateway,
// in one run, from the built bundles (README.md):
//   npx nx run-many -t build -p auth-service web-service gateway && node bench/gateway/run.mjs [--duration 5] [--connections 10,50] [--rounds 2]
// Needs PostgreSQL and Redis (TEST_PG_URL / TEST_REDIS_URL, default 127.0.0.1). Creates and
// drops its own databases and Redis prefix; the processes listen on 4810-4812 (BENCH_PORT_BASE).
import { benchArgs, benchRun, cannon as autocannon, cpuAccount, ready, require, requireBuilt, services } from '../lib/harness.mjs';
import { median } from '../lib/stats.mjs';

const { Client } = require('pg');
const bcrypt = require('bcrypt');

const args = benchArgs(
  { duration: '5', connections: '10,50' },
  {
    rounds: { type: 'string', default: '2' },
    modes: { type: 'string', default: 'keep-alive,no-keep-alive' },
  },
);
const DURATION = Number(args.duration);
const CONNECTIONS = args.connections.split(',').map(Number);
const ROUNDS = Number(args.rounds);
const MODES = args.modes.split(',');

const portBase = Number(process.env.BENCH_PORT_BASE ?? 4810);
const ports = { auth: portBase, web: portBase + 1, gateway: portBase + 2 };
requireBuilt(['auth-service', 'web-service', 'gateway']);

const { pgUrl, dbName, dbUrl, common } = benchRun('gw');
const envs = {
  'auth-service': { ...common, AUTH_DB_URL: dbUrl('auth'), PORT: String(ports.auth) },
  'web-service': { ...common, WEB_DB_URL: dbUrl('web'), PORT: String(ports.web) },
  gateway: {
    ...common,
    PORT: String(ports.gateway),
    AUTH_SERVICE_URL: `http://127.0.0.1:${ports.auth}`,
    WEB_SERVICE_URL: `http://127.0.0.1:${ports.web}`,
    FORMS_SERVICE_URL: 'http://127.0.0.1:9',
  },
};
const { children, start, migrate, stop, run } = services(envs);

function cannon(url, connections, token, keepAlive) {
  return autocannon(
    // Without keep-alive the client asks for `Connection: close`: a new TCP connection per request
    // (autocannon's reconnectRate: 1 sends nothing at all in autocannon 8).
    { url, connections, duration: DURATION, headers: { authorization: `Bearer ${token}`, ...(keepAlive ? {} : { connection: 'close' }) } },
  );
}

async function main() {
  const admin = new Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    for (const service of ['auth', 'web']) await admin.query(`CREATE DATABASE "${dbName(service)}"`);
    await migrate(['auth-service', 'web-service']);
    const db = new Client({ connectionString: dbUrl('auth') });
    await db.connect();
    const hash = await bcrypt.hash('Bench123!', 12);
    await db.query(
      `INSERT INTO users (email, password_hash, first_name, last_name, role) VALUES ('bench@example.com', $1, 'Bench', 'User', 'user')`,
      [hash],
    );
    await db.end();

    for (const app of ['auth-service', 'web-service', 'gateway']) start(app);
    await ready(`http://127.0.0.1:${ports.auth}/health/ready`, 'auth-service');
    await ready(`http://127.0.0.1:${ports.web}/health/ready`, 'web-service');
    await ready(`http://127.0.0.1:${ports.gateway}/health/live`, 'gateway');
    const login = await fetch(`http://127.0.0.1:${ports.auth}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', password: 'Bench123!' }),
    });
    const token = (await login.json()).data.accessToken;

    const routes = [
      { path: '/api/v1/auth/profile', service: ports.auth, app: 'auth-service' },
      { path: '/api/v1/drawing-projects', service: ports.web, app: 'web-service' },
    ];
    for (const route of routes) {
      for (const port of [route.service, ports.gateway]) {
        const res = await fetch(`http://127.0.0.1:${port}${route.path}`, { headers: { authorization: `Bearer ${token}` } });
        if (res.status !== 200) throw new Error(`${route.path} on :${port}: HTTP ${res.status} ${await res.text()}`);
      }
      await cannon(`http://127.0.0.1:${ports.gateway}${route.path}`, 10, token, true); // warm-up (JIT, pools, identity cache)
    }

    console.log(`gateway bench: ${DURATION} s per run, ${ROUNDS} rounds (alternating order), medians; NODE_ENV=production, LOG_LEVEL=warn`);
    console.log('route                       conns  mode           straight req/s  p50   p99 | gateway req/s  p50   p99 | ratio  p50 +ms');
    const rows = [];
    for (const route of routes) {
      for (const connections of CONNECTIONS) {
        for (const mode of MODES) {
          const keepAlive = mode === 'keep-alive';
          const sides = { straight: { results: [], cpu: [] }, gateway: { results: [], cpu: [] } };
          for (let round = 0; round < ROUNDS; round++) {
            const order = round % 2 === 0 ? ['straight', 'gateway'] : ['gateway', 'straight'];
            for (const side of order) {
              const port = side === 'straight' ? route.service : ports.gateway;
              const done = cpuAccount({ service: [children[route.app].pid], gateway: [children.gateway.pid] });
              const result = await cannon(`http://127.0.0.1:${port}${route.path}`, connections, token, keepAlive);
              sides[side].cpu.push(done(result.requests.total));
              if (result.non2xx || result.errors)
                console.error(`  ${side} ${route.path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
              sides[side].results.push(result);
            }
          }
          const figures = ({ results, cpu }) => ({
            rps: median(results.map((r) => r.requests.average)),
            p50: median(results.map((r) => r.latency.p50)),
            p99: median(results.map((r) => r.latency.p99)),
            cpu: Object.fromEntries(
              Object.keys(cpu[0].perRequestUs).map((label) => [label, median(cpu.map((c) => c.perRequestUs[label]))]),
            ),
            idle: median(cpu.map((c) => c.idlePct)),
          });
          const s = figures(sides.straight);
          const g = figures(sides.gateway);
          const row = { route: route.path, connections, mode, straight: s, gateway: g, ratio: g.rps / s.rps, p50Delta: g.p50 - s.p50 };
          rows.push(row);
          console.log(
            `${route.path.padEnd(27)} ${String(connections).padStart(5)}  ${mode.padEnd(14)} ${s.rps.toFixed(0).padStart(14)} ${String(s.p50).padStart(4)} ${String(s.p99).padStart(5)} | ${g.rps.toFixed(0).padStart(13)} ${String(g.p50).padStart(4)} ${String(g.p99).padStart(5)} | ${row.ratio.toFixed(2).padStart(5)} ${row.p50Delta.toFixed(0).padStart(8)}`,
          );
          // Where the CPU went: the hop's own cost (nginx, under "gateway") and what the service spent per request.
          const cpuText = ({ cpu, idle }) =>
            `${Object.entries(cpu)
              .filter(([, us]) => us >= 0.5)
              .map(([label, us]) => `${label} ${us.toFixed(0)}`)
              .join(', ')}; idle ${idle.toFixed(0)}%`;
          console.log(`    CPU µs/request  straight: ${cpuText(s)}  |  gateway: ${cpuText(g)}`);
          // Round by round (each round runs both sides back to back): how far apart the two sides
          // are within a round, against how much one side moves between rounds on this machine.
          const paired = sides.straight.results.map((straight, i) => ({
            p50: sides.gateway.results[i].latency.p50 - straight.latency.p50,
            ratio: sides.gateway.results[i].requests.average / straight.requests.average,
          }));
          const spread = (values, digits) => {
            const sorted = [...values].sort((a, b) => a - b);
            return `median ${median(sorted).toFixed(digits)} (${sorted[0].toFixed(digits)} to ${sorted.at(-1).toFixed(digits)})`;
          };
          const straightP50s = sides.straight.results.map((r) => r.latency.p50);
          console.log(
            `    per round: gateway p50 minus straight ${spread(
              paired.map((d) => d.p50),
              0,
            )} ms; ratio ${spread(
              paired.map((d) => d.ratio),
              2,
            )}; ` + `straight p50 alone ranged ${Math.min(...straightP50s)}-${Math.max(...straightP50s)} ms`,
          );
        }
      }
    }
    const keepAliveRows = rows.filter((row) => row.mode === 'keep-alive');
    const missed = keepAliveRows.filter((row) => row.ratio < 0.85 || row.p50Delta > 1);
    console.log(
      `goal (keep-alive: throughput >= 0.85x straight, p50 <= 1 ms above): ${missed.length ? 'NOT met' : 'met'}, met on ${keepAliveRows.length - missed.length} of ${keepAliveRows.length} cases` +
        (missed.length ? ` (missed: ${missed.map((row) => `${row.route} at ${row.connections}`).join(', ')})` : ''),
    );
  } finally {
    await stop(admin, ['auth', 'web'].map(dbName), 1000);
  }
}

run(main);
