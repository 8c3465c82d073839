#!/usr/bin/env node
// Benchmark of auth-service from its built bundle (see README.md):
//   npx nx build auth-service && node bench/auth/run.mjs [--requests 4000] [--concurrency 16] [--tokens 10000]
// or `npx nx run auth-service:bench`. Needs PostgreSQL and Redis (TEST_PG_URL / TEST_REDIS_URL,
// default 127.0.0.1). Creates and drops its own database and Redis key prefix.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { percentile } from '../lib/stats.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(root, 'package.json'));
const { Client } = require('pg');
const bcrypt = require('bcrypt');
const Redis = require('ioredis');
const { ClientRedis } = require('@nestjs/microservices');
const { Logger } = require('@nestjs/common');
const { firstValueFrom, timeout } = require('rxjs');

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '16' },
    tokens: { type: 'string', default: '10000' },
    'rpc-calls': { type: 'string', default: '3000' },
  },
});
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const TOKENS = Number(args.tokens);
const RPC_CALLS = Number(args['rpc-calls']);

const pgUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const entry = join(root, 'dist/apps/auth-service/main.js');
if (!existsSync(entry)) {
  console.error(`${entry} is missing: run \`npx nx build auth-service\` first.`);
  process.exit(1);
}

const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const database = `nafs_bench_auth_${runId}`;
const prefix = `bench:${runId}:`;
const databaseUrl = (() => {
  const url = new URL(pgUrl);
  url.pathname = `/${database}`;
  return url.toString();
})();
const sha256 = (value) => createHash('sha256').update(value).digest('hex');

async function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** Runs `total` calls of `one` with at most `concurrency` in flight; returns latency figures. */
async function measure(total, concurrency, one) {
  const latencies = new Array(total);
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const index = next++;
        const t0 = performance.now();
        try {
          await one();
        } catch (error) {
          failures += 1;
          if (failures === 1) console.error(`  first failure: ${error.message}`);
        }
        latencies[index] = performance.now() - t0;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), rps: total / elapsed, failures };
}

async function seed(db) {
  const password = 'Bench123!';
  const hash = await bcrypt.hash(password, 12);
  const benchUser = randomUUID();
  await db.query(
    `INSERT INTO users (id, email, password_hash, first_name, last_name, role) VALUES ($1, 'bench@example.com', $2, 'Bench', 'User', 'admin')`,
    [benchUser, hash],
  );
  // 1,000 other users own the other tokens: 10,000 active tokens in the table, 10 of them the caller's.
  await db.query(
    `INSERT INTO users (id, email, password_hash, first_name, last_name)
     SELECT gen_random_uuid(), 'user' || i || '@example.com', $1, 'Other', 'User' FROM generate_series(1, 1000) i`,
    [hash],
  );
  const apiToken = randomBytes(32).toString('hex');
  // Unique placeholders in token_hash: only the sha256 column is used for lookups, and hashing
  // 10,000 tokens with bcrypt would take half an hour.
  await db.query(
    `INSERT INTO api_tokens (user_id, token_hash, token_sha256, name, scopes, expires_at)
     SELECT u.id, 'bench-placeholder-' || g.i, encode(sha256(('bench-' || g.i)::bytea), 'hex'), 'token ' || g.i, ARRAY['read'], now() + interval '1 year'
       FROM generate_series(1, $1::int - 10) g(i)
       JOIN LATERAL (SELECT id FROM users WHERE email = 'user' || (1 + g.i % 1000) || '@example.com') u ON true`,
    [TOKENS],
  );
  await db.query(
    `INSERT INTO api_tokens (user_id, token_hash, token_sha256, name, scopes, expires_at)
     SELECT $1, 'bench-own-' || i, CASE WHEN i = 1 THEN $2 ELSE encode(sha256(('own-' || i)::bytea), 'hex') END, 'mine ' || i, ARRAY['read','write'], now() + interval '1 year'
       FROM generate_series(1, 10) i`,
    [benchUser, sha256(apiToken)],
  );
  await db.query('ANALYZE');
  return { email: 'bench@example.com', password, apiToken, benchUser };
}

class PrefixedClient extends ClientRedis {
  constructor(options, channelPrefix) {
    super(options);
    this.channelPrefix = channelPrefix;
  }
  getRequestPattern(pattern) {
    return `${this.channelPrefix}${pattern}`;
  }
  getReplyPattern(pattern) {
    return `${this.channelPrefix}${pattern}.reply`;
  }
}

async function main() {
  Logger.overrideLogger(false);
  const admin = new Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  let service;
  const redis = new Redis(redisUrl);
  let rpc;
  try {
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      AUTH_DB_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      RPC_CHANNEL_PREFIX: prefix,
      JWT_SECRET: randomBytes(32).toString('hex'),
      JWT_REFRESH_SECRET: randomBytes(32).toString('hex'),
      RATE_LIMIT_MAX: '100000000',
      AUTH_RATE_LIMIT_MAX: '100000000',
    };
    const migrate = spawn(process.execPath, [entry, 'migrate'], { env, stdio: 'inherit' });
    if ((await new Promise((ok) => migrate.on('exit', ok))) !== 0) throw new Error('migrate failed');

    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const seedStarted = performance.now();
    const fixture = await seed(db);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM api_tokens WHERE is_active`);
    console.log(`seeded ${rows[0].n} active API tokens and 1,001 users in ${Math.round(performance.now() - seedStarted)} ms`);

    const port = await freePort();
    service = spawn(process.execPath, [entry], { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i += 1) {
      try {
        if ((await fetch(`${base}/health/ready`)).ok) break;
      } catch {
        // not up yet
      }
      if (i > 200) throw new Error('auth-service did not become ready');
      await new Promise((ok) => setTimeout(ok, 100));
    }

    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: fixture.email, password: fixture.password }),
    });
    const jwt = (await login.json()).data.accessToken;
    const get = (path, token) => async () => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    };

    rpc = new PrefixedClient({ host: new URL(redisUrl).hostname, port: Number(new URL(redisUrl).port || 6379) }, prefix);
    await rpc.connect();
    const call = (pattern, data) => () => firstValueFrom(rpc.send(pattern, data).pipe(timeout(5000)));

    const cases = [
      ['HTTP GET /api/v1/auth/profile (JWT)', () => measure(REQUESTS, CONCURRENCY, get('/api/v1/auth/profile', jwt))],
      ['HTTP GET /api/v1/tokens (JWT)', () => measure(REQUESTS, CONCURRENCY, get('/api/v1/tokens', jwt))],
      ['HTTP GET /api/v1/tokens (API token)', () => measure(REQUESTS, CONCURRENCY, get('/api/v1/tokens', fixture.apiToken))],
      ['HTTP GET /api/v1/auth/profile (API token)', () => measure(REQUESTS, CONCURRENCY, get('/api/v1/auth/profile', fixture.apiToken))],
      ['RPC auth.user.validate, one at a time', () => measure(RPC_CALLS, 1, call('auth.user.validate', { userId: fixture.benchUser }))],
      ['RPC auth.api-token.verify, one at a time', () => measure(RPC_CALLS, 1, call('auth.api-token.verify', { token: fixture.apiToken }))],
      ['RPC auth.user.validate, 16 in flight', () => measure(RPC_CALLS, 16, call('auth.user.validate', { userId: fixture.benchUser }))],
    ];
    // Warm-up: JIT, connection pools, keep-alive sockets.
    await measure(300, CONCURRENCY, get('/api/v1/auth/profile', jwt));
    await measure(300, CONCURRENCY, get('/api/v1/tokens', fixture.apiToken));
    await measure(300, 1, call('auth.user.validate', { userId: fixture.benchUser }));

    console.log(`\n${REQUESTS} HTTP requests per case, ${CONCURRENCY} in flight; ${RPC_CALLS} RPC calls per case\n`);
    console.log(`${'case'.padEnd(46)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'req/s'.padStart(8)} failures`);
    const results = {};
    for (const [name, run] of cases) {
      const r = await run();
      results[name] = r;
      console.log(
        `${name.padEnd(46)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${Math.round(r.rps).toString().padStart(8)} ${r.failures}`,
      );
    }
    const jwtTokens = results['HTTP GET /api/v1/tokens (JWT)'];
    const apiTokens = results['HTTP GET /api/v1/tokens (API token)'];
    const rpcOne = results['RPC auth.user.validate, one at a time'];
    console.log(
      `\nAPI token vs JWT on GET /api/v1/tokens: p50 ×${(apiTokens.p50 / jwtTokens.p50).toFixed(2)}, throughput ×${(jwtTokens.rps / apiTokens.rps).toFixed(2)} (goal: within 2×)`,
    );
    console.log(`RPC validateUser p50 ${rpcOne.p50.toFixed(3)} ms (goal: under 1 ms on loopback)`);
    await db.end();
  } finally {
    await rpc?.close();
    if (service && service.exitCode === null) {
      service.kill('SIGTERM');
      await new Promise((ok) => service.once('exit', ok));
    }
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = nextCursor;
    } while (cursor !== '0');
    redis.disconnect();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
