#!/usr/bin/env node
// Benchmark of db-split's logical-replication cut-over, under a steady write load on the source.
//
//   node bench/db-split/sync.mjs [--scale 50] [--rate 200] [--pairs 5] [--lag-seconds 30] [--keep]
//   (build first: npx nx build db-split, and the three services for `schema`)
//
// It seeds the legacy fixture, prepares three identical sets of empty service databases with the
// tool's own `create` and `schema`, starts the write load (inserts, updates, deletes over the 17
// tables, bench's --rate per second: tools/db-split/test/support/write-load.js), then measures
//   1. --pairs pairs of `copy` into set A and `sync start` into set B (its links stopped right
//      after), alternating which goes first, each into freshly emptied targets, all while the load
//      runs; the medians are compared; then `sync start` into set C, which streams on;
//   2. the steady replication lag: a probe row inserted on the source every 100 ms, timed until
//      it is visible in each service database (it travels in the same stream as the data);
//   3. `cutover --terminate-others`: its live pre-verify, and the write-unavailability window it prints.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { median, percentile } from '../lib/stats.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Client } = require('pg');
const { startWriteLoad } = require(join(root, 'tools', 'db-split', 'test', 'support', 'write-load.js'));
const cli = join(root, 'dist', 'tools', 'db-split', 'main.js');
const fixture = process.env.LEGACY_FIXTURE_DIR ?? join(root, 'fixtures', 'legacy');

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: process.env.BENCH_SCALE ?? '50' },
    rate: { type: 'string', default: '200' },
    'lag-seconds': { type: 'string', default: '30' },
    pairs: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
  },
});
const scale = Number(values.scale);
const rate = Number(values.rate);
const lagSeconds = Number(values['lag-seconds']);
const pairs = Number(values.pairs);
const admin = new URL(process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const PREFIX = { auth: 'AUTH', web: 'WEB', forms: 'FORMS' };

const dbUrl = (database) => Object.assign(new URL(admin), { pathname: `/${database}` }).toString();
const seconds = (ms) => (ms / 1000).toFixed(2);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function run(command, args, { env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${stdout}\n${stderr}`)),
    );
  });
}
const psql = (database, sql) => run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl(database), '-c', sql]);

async function timed(work) {
  const started = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

/**
 * Inserts a probe row on the source every 100 ms and times its arrival in every service database.
 * The first probe also measures the catch-up on what was written during the initial copy.
 */
async function measureLag(source, targets, durationMs) {
  const src = new Client({ connectionString: dbUrl(source) });
  const dst = targets.map((database) => new Client({ connectionString: dbUrl(database) }));
  await Promise.all([src, ...dst].map((c) => c.connect()));
  const samples = [];
  const probe = async () => {
    const sent = performance.now();
    const { rows } = await src.query("INSERT INTO db_split.sync_marker (link) VALUES ('bench probe') RETURNING id");
    const arrivals = await Promise.all(
      dst.map(async (client) => {
        for (;;) {
          if ((await client.query('SELECT 1 FROM db_split.sync_marker WHERE id = $1', [rows[0].id])).rowCount) break;
          await sleep(2);
        }
        return performance.now() - sent;
      }),
    );
    return { sent, arrivals };
  };
  let catchUp;
  try {
    catchUp = Math.max(...(await probe()).arrivals);
    const end = Date.now() + durationMs;
    while (Date.now() < end) {
      const { sent, arrivals } = await probe();
      samples.push(...arrivals);
      await sleep(Math.max(0, 100 - (performance.now() - sent)));
    }
    await src.query("DELETE FROM db_split.sync_marker WHERE link = 'bench probe'");
  } finally {
    await Promise.all([src, ...dst].map((c) => c.end()));
  }
  return { catchUp, samples: samples.sort((a, b) => a - b) };
}

async function main() {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npx nx build db-split (and the three services) first`);
  const tag = `dbsplit_sbench_${Date.now().toString(36)}`;
  const source = `${tag}_src`;
  const envFor = (set) => {
    const env = { ...process.env, DB_SPLIT_ADMIN_USER: decodeURIComponent(admin.username) || 'postgres' };
    if (admin.password) env.DB_SPLIT_ADMIN_PASSWORD = decodeURIComponent(admin.password);
    for (const [service, p] of Object.entries(PREFIX)) {
      Object.assign(env, {
        [`${p}_DB_HOST`]: admin.hostname,
        [`${p}_DB_PORT`]: admin.port || '5432',
        [`${p}_DB_NAME`]: `${tag}_${set}_${service}`,
        [`${p}_DB_USER`]: `${tag}_${set}_${service}`,
        [`${p}_DB_PASSWORD`]: `bench-${service}`,
      });
    }
    return env;
  };
  const sets = ['a', 'b', 'c'];
  const databases = [source, ...sets.flatMap((set) => Object.keys(PREFIX).map((s) => `${tag}_${set}_${s}`))];
  let load;
  const cleanup = async () => {
    await load?.stop().catch(() => undefined);
    for (const set of ['b', 'c'])
      await run(process.execPath, [cli, 'sync', 'stop', '--source', dbUrl(source)], { env: envFor(set) }).catch(() => undefined);
    if (values.keep) return console.log(`kept: databases ${databases.join(', ')}`);
    for (const db of databases) await psql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
    for (const db of databases.slice(1)) await psql('postgres', `DROP ROLE IF EXISTS "${db}"`).catch(() => undefined);
  };

  try {
    console.log(`db-split sync benchmark: scale ${scale}, write load ${rate}/s, server ${admin.host}`);
    await psql('postgres', `CREATE DATABASE "${source}"`);
    await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl(source), '-f', join(fixture, 'monolith-schema.sql')]);
    await run(process.execPath, [join(fixture, 'seed.mjs'), '--url', dbUrl(source), '--scale', String(scale)], {
      env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
    });
    const rows = (await psql(source, "SELECT sum(n_live_tup) FROM pg_stat_user_tables WHERE schemaname = 'public'")).stdout.trim();
    console.log(`source seeded: ~${rows} rows`);
    for (const set of sets) {
      await run(process.execPath, [cli, 'create'], { env: envFor(set) });
      await run(process.execPath, [cli, 'schema'], { env: envFor(set) });
    }
    await psql('postgres', 'CHECKPOINT');

    load = await startWriteLoad(dbUrl(source), { rate, concurrency: 6 });
    await sleep(2000);
    const retry = (
      await psql('postgres', "SELECT setting || unit FROM pg_settings WHERE name = 'wal_retrieve_retry_interval'")
    ).stdout.trim();
    console.log(`server: wal_retrieve_retry_interval ${retry} (PostgreSQL 15 starts apply workers on one server that far apart)`);
    // Pairs of `copy` (set A) and `sync start` (set B), alternating which goes first, each into
    // targets emptied the same way just before (TRUNCATE of every table the migrations made,
    // journal included), so every timed run starts from identical empty databases. A `sync start`'s
    // links are stopped before the next run: on one server every WAL sender decodes all of the
    // server's WAL, a copy's ~190 MB included, which made a copy beside running subscriptions
    // 25-35% slower. The load's inserts clone random rows, large ones included, so the source grows
    // by ~3% per pair at scale 50 (180 -> 208 MB over five pairs); alternating the order keeps that
    // growth off one side. Each timed run starts with no autovacuum worker running and from a
    // fresh checkpoint (the copies' WAL would otherwise trigger one, max_wal_size, inside a later
    // run). DB_SPLIT_DEBUG gives the tool's phase times, so the load itself and what surrounds it
    // are told apart. One run of either kind varies by up to ~0.5 s on this 2-core machine: the
    // medians of the pairs are what is compared.
    const checkpointsSoFar = async () =>
      Number((await psql('postgres', 'SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter')).stdout);
    const autovacuumWorkers = async () =>
      Number((await psql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")).stdout);
    const emptyTargets = async (set) => {
      for (const service of Object.keys(PREFIX)) {
        await psql(
          `${tag}_${set}_${service}`,
          `DO $$ DECLARE tables text; BEGIN
             SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') INTO tables FROM pg_tables
              WHERE (schemaname = 'public' AND tablename <> 'typeorm_migrations') OR (schemaname = 'db_split' AND tablename = 'copy_journal');
             EXECUTE 'TRUNCATE ' || tables || ' CASCADE';
           END $$`,
        );
      }
    };
    const timedRun = async (args, env) => {
      // Autovacuum analyzing the tables the previous run loaded would run beside this one.
      for (let waited = 0; (await autovacuumWorkers()) > 0 && waited < 60_000; waited += 200) await sleep(200);
      await psql('postgres', 'CHECKPOINT');
      const checkpointsBefore = await checkpointsSoFar();
      const { ms, result } = await timed(() => run(process.execPath, [cli, ...args], { env: { ...env, DB_SPLIT_DEBUG: '1' } }));
      const phases = Object.fromEntries(
        [...result.stderr.matchAll(/\[db-split (\d+) ms\] (.+)/g)].map(([, at, label]) => [label, Number(at)]),
      );
      const copyVerb = args[0] === 'sync' ? 'sync start copy' : 'copy';
      const load = (phases[`${copyVerb}: loaded`] ?? NaN) - (phases[`${copyVerb}: journal ready`] ?? NaN);
      return { ms, load, phases, checkpoints: (await checkpointsSoFar()) - checkpointsBefore, result };
    };
    const copyOnce = async () => {
      await emptyTargets('a');
      return timedRun(['copy', '--source', dbUrl(source), '--progress', 'none'], envFor('a'));
    };
    const syncOnce = async () => {
      await emptyTargets('b');
      const result = await timedRun(['sync', 'start', '--source', dbUrl(source), '--progress', 'none'], envFor('b'));
      // How far apart the launcher started the three apply workers (the only ones on the server
      // now): one pass, or a pass wal_retrieve_retry_interval later for some.
      result.workersSpreadMs = Number(
        (
          await psql(
            'postgres',
            'SELECT round(extract(epoch FROM max(a.backend_start) - min(a.backend_start)) * 1000) FROM pg_stat_subscription s JOIN pg_stat_activity a ON a.pid = s.pid WHERE s.relid IS NULL',
          )
        ).stdout,
      );
      await run(process.execPath, [cli, 'sync', 'stop', '--source', dbUrl(source)], { env: envFor('b') });
      return result;
    };
    const loaded = (r) => /copy done: .*; \d+ rows, ([\d.]+ [kM]B)/.exec(r.result.stdout)?.[1];
    const copies = [];
    const syncs = [];
    for (let pair = 0; pair < pairs; pair++) {
      const order = pair % 2 === 0 ? ['copy', 'sync'] : ['sync', 'copy'];
      for (const kind of order) (kind === 'copy' ? copies : syncs).push(await (kind === 'copy' ? copyOnce() : syncOnce()));
      const [c, s] = [copies.at(-1), syncs.at(-1)];
      const checkpoints = c.checkpoints + s.checkpoints ? ` (checkpoints inside: copy ${c.checkpoints}, sync ${s.checkpoints})` : '';
      console.log(
        `  pair ${pair + 1} (${order.join(' first, then ')}): copy ${seconds(c.ms)} s for ${loaded(c)}, tables loaded in ${seconds(c.load)} s; ` +
          `sync start ${seconds(s.ms)} s for ${loaded(s)}, tables loaded in ${seconds(s.load)} s, apply workers started within ${s.workersSpreadMs} ms; ratio ${(s.ms / c.ms).toFixed(2)}${checkpoints}`,
      );
    }
    const copy = { ms: median(copies.map((r) => r.ms)), load: median(copies.map((r) => r.load)) };
    const sync = { ms: median(syncs.map((r) => r.ms)), load: median(syncs.map((r) => r.load)) };
    const ratios = copies.map((c, i) => syncs[i].ms / c.ms).sort((a, b) => a - b);
    console.log(
      `copy (set A, under load):        ${seconds(copy.ms)} s  median of ${pairs} (${copies.map((r) => seconds(r.ms)).join(', ')}); tables loaded in ${seconds(copy.load)} s, the rest ${seconds(copy.ms - copy.load)} s`,
    );
    console.log(
      `sync start (set B, under load):  ${seconds(sync.ms)} s  median of ${pairs} (${syncs.map((r) => seconds(r.ms)).join(', ')}); tables loaded in ${seconds(sync.load)} s, the rest ${seconds(sync.ms - sync.load)} s`,
    );
    // The tool's phases, each the median over the sync start runs.
    const phase = (from, to) => seconds(median(syncs.map((r) => (to === 'exit' ? r.ms : r.phases[to]) - (from ? r.phases[from] : 0))));
    console.log(
      `  sync start beyond its load: to the checks ${phase(null, 'sync: checked')} s, publications and state ${phase('sync: checked', 'sync: prepared')} s, ` +
        `slots and subscriptions ${phase('sync: prepared', 'sync: slots+subs')} s, copy setup ${phase('sync: slots+subs', 'sync start copy: journal ready')} s, ` +
        `the last ENABLE ${phase('sync start copy: loaded', 'sync: copied and enabled')} s, apply workers started ${phase('sync: copied and enabled', 'sync: streaming')} s, exit ${phase('sync: streaming', 'exit')} s`,
    );
    console.log(
      `  copy beyond its load: to the plan ${seconds(median(copies.map((r) => r.phases['copy: plan done'])))} s, setup ${seconds(median(copies.map((r) => r.phases['copy: journal ready'] - r.phases['copy: plan done'])))} s`,
    );
    console.log(
      `  sync start / copy per pair: ${ratios.map((r) => r.toFixed(2)).join(', ')} (sorted); median of the runs ${(sync.ms / copy.ms).toFixed(2)}`,
    );
    const streaming = await timedRun(['sync', 'start', '--source', dbUrl(source), '--progress', 'none'], envFor('c'));
    console.log(`sync start (set C, streams on for the lag and the cut-over): ${seconds(streaming.ms)} s for ${loaded(streaming)}`);

    const before = Object.values(load.stats).reduce((n, s) => n + s.insert + s.update + s.delete, 0);
    const lagStarted = Date.now();
    const { catchUp, samples } = await measureLag(
      source,
      Object.keys(PREFIX).map((s) => `${tag}_c_${s}`),
      lagSeconds * 1000,
    );
    console.log(`catch-up on the writes made during the initial copy: ${seconds(catchUp)} s`);
    const achieved =
      (Object.values(load.stats).reduce((n, s) => n + s.insert + s.update + s.delete, 0) - before) / ((Date.now() - lagStarted) / 1000);
    console.log(
      `steady lag over ${lagSeconds} s (${samples.length} probes, load achieved ${achieved.toFixed(0)} writes/s): p50 ${percentile(samples, 50).toFixed(0)} ms, p99 ${percentile(samples, 99).toFixed(0)} ms, max ${samples.at(-1).toFixed(0)} ms`,
    );

    const cutover = await run(process.execPath, [cli, 'cutover', '--source', dbUrl(source), '--terminate-others'], { env: envFor('c') });
    const outage = Number(/write-unavailability window ([\d.]+) s/.exec(cutover.stdout)[1]);
    const pre = /cutover pre-verify done: (\d+) rows compared in ([\d.]+) s; (\d+) row/.exec(cutover.stdout);
    if (pre) console.log(`cutover pre-verify (source writable): ${pre[1]} rows in ${pre[2]} s, ${pre[3]} in flight`);
    const rechecked = /cutover verify OK: .*/.exec(cutover.stdout)?.[0];
    if (rechecked) console.log(`${rechecked}`);
    const phases = /cutover: (read-only guard .*)/.exec(cutover.stdout)[1];
    const stats = await load.stop();
    load = undefined;
    const failed = Object.values(stats).reduce((n, s) => n + s.failed, 0);
    console.log(`cutover write outage:            ${outage.toFixed(2)} s  (${phases})`);
    console.log(
      `write load: ${Object.values(stats).reduce((n, s) => n + s.insert + s.update + s.delete, 0)} writes committed, ${failed} refused (constraints, or read-only after the cut-over)`,
    );
    const load1 = (await run('cat', ['/proc/loadavg'])).stdout.split(' ').slice(0, 3).join(' ');
    console.log(`load average at the end: ${load1}`);
    console.log(
      `goals: outage < 5 s: ${outage < 5 ? 'met' : 'NOT met'}; lag p99 < 1 s: ${percentile(samples, 99) < 1000 ? 'met' : 'NOT met'}; initial sync no slower than copy: ${sync.ms <= copy.ms ? 'met' : `NOT met (${(sync.ms / copy.ms).toFixed(2)}x)`}`,
    );
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
