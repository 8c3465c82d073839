#!/usr/bin/env node
// Helpers of the quick start (scripts/platform.sh), run with this workspace's node_modules:
//   node scripts/demo-monolith.mjs create URL     create the demo monolith at URL from fixtures/legacy
//                                                 (legacy schema + deterministic seed) unless it exists
//   node scripts/demo-monolith.mjs copied URL...  exit 0 when every given service database already
//                                                 holds a finished db-split copy (its journal), else 1
//   node scripts/demo-monolith.mjs wait URL...    wait until every URL answers 200 (readiness probes)
//   node scripts/demo-monolith.mjs logins BASE    log in through BASE with the advertised test
//                                                 credentials; print the ones that work
//   node scripts/demo-monolith.mjs drop URL...    drop these databases (--fresh)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const { Client } = require('pg');
const fixture = join(root, 'fixtures', 'legacy');

async function withClient(url, fn) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const adminUrlOf = (url) => {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  return admin.toString();
};

async function create(url) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const exists = await withClient(
    adminUrlOf(url),
    async (admin) => (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount > 0,
  );
  if (exists) {
    const seeded = await withClient(url, async (db) => {
      const { rows } = await db.query("SELECT to_regclass('public.users') IS NOT NULL AS has");
      return rows[0].has && (await db.query('SELECT count(*)::int AS n FROM users')).rows[0].n > 0;
    });
    if (seeded) {
      console.log(`demo monolith ${name} exists: reused`);
      return;
    }
    await withClient(adminUrlOf(url), (admin) => admin.query(`DROP DATABASE "${name}"`));
  }
  const started = Date.now();
  await withClient(adminUrlOf(url), (admin) => admin.query(`CREATE DATABASE "${name}"`));
  // The schema script's psql meta-commands (\set ...) are dropped: node-postgres runs the rest.
  const schema = readFileSync(join(fixture, 'monolith-schema.sql'), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('\\'))
    .join('\n');
  await withClient(url, (db) => db.query(schema));
  execFileSync(process.execPath, [join(fixture, 'seed.mjs'), '--url', url], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
  });
  const counts = await withClient(
    url,
    async (db) =>
      (await db.query('SELECT (SELECT count(*) FROM users)::int AS users, (SELECT sum(n_live_tup) FROM pg_stat_user_tables)::int AS rows'))
        .rows[0],
  );
  console.log(
    `demo monolith ${name} created from fixtures/legacy (${counts.users} users) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function copied(urls) {
  for (const url of urls) {
    const done = await withClient(url, async (db) => {
      const { rows } = await db.query("SELECT to_regclass('db_split.copy_journal') IS NOT NULL AS has");
      if (!rows[0].has) return false;
      return (await db.query('SELECT count(*)::int AS n FROM db_split.copy_journal')).rows[0].n > 0;
    }).catch(() => false);
    if (!done) process.exit(1);
  }
}

async function wait(urls, seconds = 180) {
  const deadline = Date.now() + seconds * 1000;
  const pending = new Set(urls);
  while (pending.size > 0) {
    for (const url of [...pending]) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) pending.delete(url);
      } catch {
        // not listening yet
      }
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      console.error(`not ready after ${seconds} s: ${[...pending].join(', ')}`);
      process.exit(1);
    }
    await new Promise((ok) => setTimeout(ok, 250));
  }
}

async function logins(base) {
  const res = await fetch(`${base}/api/v1/auth/test-credentials`);
  if (res.status !== 200) {
    console.log('  (test credentials are served only with NODE_ENV=development)');
    return;
  }
  const { data } = await res.json();
  for (const { email, password, role } of data.credentials) {
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    await login.arrayBuffer();
    console.log(
      `  ${email.padEnd(24)} ${password.padEnd(12)} ${role.padEnd(9)} ${login.status === 200 ? 'login ok' : `login answered ${login.status}`}`,
    );
  }
}

async function drop(urls) {
  for (const url of urls) {
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    await withClient(adminUrlOf(url), (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    console.log(`dropped ${name}`);
  }
}

const [command, ...args] = process.argv.slice(2);
const commands = {
  create: () => create(args[0]),
  copied: () => copied(args),
  wait: () => wait(args),
  logins: () => logins(args[0]),
  drop: () => drop(args),
};
if (!commands[command]) {
  console.error('usage: demo-monolith.mjs create URL | copied URL... | wait URL... | logins BASE | drop URL...');
  process.exit(64);
}
await commands[command]();
