// The harness the autocannon benches share (gateway, web-tools, public-forms, forms, export-jobs):
// the repository's root and require, the check for built bundles, a run's databases / Redis prefix /
// common environment, starting built service bundles as child processes and waiting for readiness,
// an autocannon run, a process's peak RSS, and where the CPU went during a run.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const require = createRequire(join(root, 'package.json'));
const V8_FLAGS = JSON.parse(readFileSync(join(root, 'libs/contracts/src/lib/v8-flags.json'), 'utf8'));

export const pgUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The command line: --duration and --connections (strings, with these defaults) and the bench's own options. */
export function benchArgs({ duration, connections }, options = {}) {
  return parseArgs({
    options: {
      duration: { type: 'string', default: duration },
      connections: { type: 'string', default: connections },
      ...options,
    },
  }).values;
}

/** Exits with a hint when one of the apps' bundles (dist/apps/<app>/main.js) is missing. */
export function requireBuilt(apps) {
  for (const app of apps) {
    if (!existsSync(join(root, 'dist/apps', app, 'main.js'))) {
      console.error(`dist/apps/${app}/main.js is missing: run \`npx nx run-many -t build -p ${apps.join(' ')}\` first.`);
      process.exit(1);
    }
  }
}

/**
 * One run's own names: databases `nafs_bench_<tag>_<runId>_<service>`, a Redis key / RPC prefix,
 * a JWT secret, and the environment every service gets (production, access logs off, limits raised).
 */
export function benchRun(tag) {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const dbName = (service) => `nafs_bench_${tag}_${runId}_${service}`;
  const dbUrl = (service) => {
    const url = new URL(pgUrl);
    url.pathname = `/${dbName(service)}`;
    return url.toString();
  };
  const prefix = `bench:${runId}:`;
  const secret = randomBytes(32).toString('hex');
  const common = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    // Access logs off on every side, so the figures are the service, not the terminal.
    LOG_LEVEL: 'warn',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    RPC_CHANNEL_PREFIX: prefix,
    JWT_SECRET: secret,
    JWT_REFRESH_SECRET: `${secret}-refresh`,
    RATE_LIMIT_MAX: '1000000000',
    AUTH_RATE_LIMIT_MAX: '1000000000',
    // Load comes through the gateway: auth and forms trust its one X-Forwarded-For hop.
    TRUST_PROXY_HOPS: '1',
  };
  return { runId, pgUrl, dbName, dbUrl, prefix, secret, common };
}

/**
 * Starts built bundles with envs[app]. `start(app)` runs the service and keeps it in `children`
 * (by app name); `start(app, ['migrate'])` runs a one-off command, not kept.
 */
export function services(envs) {
  const children = {};
  function start(app, extraArgs = []) {
    // With the app's V8 heap flags (libs/contracts/src/lib/v8-flags.json), as its deployments run it.
    // BENCH_CPU_PROF=<app> adds --cpu-prof (profile written to BENCH_CPU_PROF_DIR, default /tmp/bench-prof, on exit).
    const profile = process.env.BENCH_CPU_PROF === app && !extraArgs.length;
    const profiling = profile ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR ?? '/tmp/bench-prof'}`] : [];
    const child = spawn(process.execPath, [...(V8_FLAGS[app] ?? []), ...profiling, join(root, 'dist/apps', app, 'main.js'), ...extraArgs], {
      env: envs[app],
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (!extraArgs.length) children[app] = child;
    return child;
  }
  /** Runs `<app> migrate` for each app in turn; throws when one fails. */
  async function migrate(apps) {
    for (const app of apps) {
      const code = await new Promise((ok) => start(app, ['migrate']).on('exit', ok));
      if (code !== 0) throw new Error(`${app} migrate failed`);
    }
  }
  const kill = (signal) => {
    for (const child of Object.values(children)) child.kill(signal);
  };
  /** The end of a run: SIGTERM to the services, a pause for them to exit, the databases and the run's Redis keys dropped, admin closed. */
  async function stop(admin, databases, waitMs) {
    kill('SIGTERM');
    await new Promise((ok) => setTimeout(ok, waitMs));
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    const prefixes = new Set(
      Object.values(envs)
        .map((env) => env.REDIS_KEY_PREFIX)
        .filter(Boolean),
    );
    for (const prefix of prefixes) await dropRedisKeys(prefix).catch(() => undefined);
  }
  /** Runs main; on an error prints it, SIGKILLs the services and exits 1. */
  function run(main) {
    main().catch((error) => {
      console.error(error);
      kill('SIGKILL');
      process.exit(1);
    });
  }
  return { children, start, migrate, kill, stop, run };
}

/** Deletes every Redis key under `prefix` (the run's own namespace: caches, streams, queues, rate limits). */
async function dropRedisKeys(prefix) {
  const Redis = require('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Waits (up to 60 s) for url to answer 2xx. */
export async function ready(url, what) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
  throw new Error(`${what} did not become ready`);
}

/** One autocannon run; the result carries requests.average (req/s), latency.p50 and latency.p99. */
export function cannon(options) {
  const autocannon = require('autocannon');
  return new Promise((ok, fail) => {
    autocannon(options, (error, result) => (error ? fail(error) : ok(result)));
  });
}

/** Peak and current resident set of a process, MB (Linux /proc). */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
}

/** CPU time (user + system, in µs) of every process on the machine, by pid, and the machine's idle share. */
function cpuSnapshot() {
  const ticksToUs = 1e6 / 100; // USER_HZ is 100 on Linux
  const processes = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      processes.push({
        pid: Number(entry),
        comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
        ppid: Number(fields[1]),
        us: (Number(fields[11]) + Number(fields[12])) * ticksToUs,
      });
    } catch {
      // the process ended while we read
    }
  }
  const machine = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number);
  return { processes, idle: machine[3] + machine[4], total: machine.reduce((a, b) => a + b, 0) };
}

/**
 * Where the CPU went during a run, per request: `groups` maps a label to the pids of processes
 * the bench started (their children included, e.g. the gateway's nginx); PostgreSQL, Redis and
 * this process are always counted. `const done = cpuAccount(groups); ...run...; done(requests)`
 * returns { perRequestUs: { label: µs }, idlePct }.
 */
export function cpuAccount(groups) {
  const before = cpuSnapshot();
  return (requests) => {
    const after = cpuSnapshot();
    const spent = new Map(after.processes.map((p) => [p.pid, p]));
    for (const p of before.processes) {
      const now = spent.get(p.pid);
      if (now && now.comm === p.comm) spent.set(p.pid, { ...now, us: now.us - p.us });
    }
    const parents = new Map(after.processes.map((p) => [p.pid, p.ppid]));
    const groupOf = (pid, comm) => {
      for (let cur = pid; cur > 1; cur = parents.get(cur) ?? 0) {
        for (const [label, pids] of Object.entries(groups)) if (pids.includes(cur)) return label;
        if (cur === process.pid) return 'bench';
      }
      if (comm === 'postgres') return 'postgres';
      if (comm.startsWith('redis')) return 'redis';
      return null;
    };
    const perRequestUs = Object.fromEntries([...Object.keys(groups), 'bench', 'postgres', 'redis'].map((label) => [label, 0]));
    for (const p of spent.values()) {
      const label = groupOf(p.pid, p.comm);
      if (label) perRequestUs[label] += p.us / Math.max(1, requests);
    }
    const idlePct = ((after.idle - before.idle) / Math.max(1, after.total - before.total)) * 100;
    return { perRequestUs, idlePct };
  };
}
