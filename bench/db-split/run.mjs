#!/usr/bin/env node
// Benchmark of tools/db-split against the pg_dump baseline, on the same data in the same run.
//
//   npx nx run db-split:bench                  (builds the tool and the services first)
//   node bench/db-split/run.mjs [--scale 50] [--repeat 3] [--jobs N] [--keep]
//
//   --scale N   fixture scale to seed (default: $BENCH_SCALE or 50; use 5 or 10 for a quick run)
//   --jobs N    db-split --jobs (default: the tool's own, CPUs + 1 between 2 and 4)
//   --repeat N  timed rounds (default: $BENCH_REPEAT or 3); medians are reported
//   --keep      keep the databases and roles afterwards (they are dropped by default)
//   $BENCH_PG_URL  a superuser URL of the server to use (default postgres://postgres@127.0.0.1:5432/postgres)
//
// It seeds the legacy fixture, prepares two identical sets of empty service databases with the
// tool's own `create` and `schema`, then times
//   1. db-split copy   into set A, then db-split verify of set A against the source;
//   2. the baseline: for each service, pg_dump --data-only --disable-triggers --table=<its tables>
//      piped into psql on set B (the three pipelines run at the same time, like the tool's jobs).
// The baseline needs --disable-triggers (or the tools trigger invents configs that then collide,
// hazard W06) and empty tables (the migration-inserted default tenant would collide, hazard A01);
// every round empties both sets outside the timers.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { median } from '../lib/stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'tools', 'db-split', 'main.js');
const fixture = process.env.LEGACY_FIXTURE_DIR ?? join(root, 'fixtures', 'legacy');

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: process.env.BENCH_SCALE ?? '50' },
    jobs: { type: 'string' },
    keep: { type: 'boolean', default: false },
    repeat: { type: 'string', default: process.env.BENCH_REPEAT ?? '3' },
  },
});
const scale = Number(values.scale);
const jobArgs = values.jobs ? ['--jobs', values.jobs] : [];
const repeat = Math.max(1, Number(values.repeat));
const admin = new URL(process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');

const TABLES = {
  auth: ['tenants', 'users', 'sessions', 'password_resets', 'audit_logs', 'api_tokens', 'api_token_usage'],
  web: ['tools', 'tool_configs', 'tool_registry', 'export_jobs', 'drawing_projects'],
  forms: ['forms', 'form_themes', 'form_schemas', 'form_submissions', 'short_links'],
};
const PREFIX = { auth: 'AUTH', web: 'WEB', forms: 'FORMS' };

function dbUrl(database) {
  const url = new URL(admin);
  url.pathname = `/${database}`;
  return url.toString();
}

function run(command, args, { env = process.env, input, quiet = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (!quiet) process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    if (input) child.stdin.end(input);
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${stdout}\n${stderr}`)),
    );
  });
}

const psql = (database, sql) => run('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl(database), '-c', sql]);
const seconds = (ms) => (ms / 1000).toFixed(2);
const mb = (bytes) => bytes / 1024 / 1024;

async function timed(work) {
  const started = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

async function main() {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run through \`npx nx run db-split:bench\`, which builds it`);
  const tag = `dbsplit_bench_${Date.now().toString(36)}`;
  const source = `${tag}_src`;
  const sets = { tool: 'a', baseline: 'b' };
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
  const databases = [source, ...Object.values(sets).flatMap((set) => Object.keys(TABLES).map((s) => `${tag}_${set}_${s}`))];
  const roles = Object.values(sets).flatMap((set) => Object.keys(TABLES).map((s) => `${tag}_${set}_${s}`));
  const cleanup = async () => {
    if (values.keep) return console.log(`kept: databases ${databases.join(', ')}; roles ${roles.join(', ')}`);
    for (const db of databases) await psql('postgres', `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
    for (const role of roles) await psql('postgres', `DROP ROLE IF EXISTS "${role}"`).catch(() => undefined);
  };

  try {
    console.log(
      `db-split benchmark: scale ${scale}, ${values.jobs ? `--jobs ${values.jobs}` : 'default --jobs'}, ${availableParallelism()} CPU(s), server ${admin.host}`,
    );
    await psql('postgres', `CREATE DATABASE "${source}"`);
    await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dbUrl(source), '-f', join(fixture, 'monolith-schema.sql')]);
    const seed = await timed(() =>
      run(process.execPath, [join(fixture, 'seed.mjs'), '--url', dbUrl(source), '--scale', String(scale)], {
        env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
      }),
    );
    const all = Object.values(TABLES).flat();
    const sizes = await psql(
      source,
      `SELECT sum(pg_total_relation_size(c::regclass)), (SELECT sum(n) FROM (${all.map((t) => `SELECT count(*) AS n FROM ${t}`).join(' UNION ALL ')}) x) FROM unnest(ARRAY['${all.join("','")}']) c`,
    );
    const [sourceBytes, sourceRows] = sizes.stdout.trim().split('|').map(Number);
    console.log(`source: ${sourceRows} rows in the 17 tables, ${mb(sourceBytes).toFixed(1)} MB on disk (seeded in ${seconds(seed.ms)} s)`);

    for (const set of Object.values(sets)) {
      await run(process.execPath, [cli, 'create'], { env: envFor(set) });
      await run(process.execPath, [cli, 'schema'], { env: envFor(set) });
    }
    // Settle the server (checkpoint the seed and the schema) so neither side pays for it.
    await psql('postgres', 'CHECKPOINT');

    // Both sides start every round from the same state: empty tables (the migration's default
    // tenant removed too; CASCADE for forms' later tables such as product_inventory, which
    // reference forms and stay empty), no journal, a checkpointed server. The order alternates between
    // rounds and the median is reported, because this machine is shared and noisy.
    const reset = async (set) => {
      for (const [service, tables] of Object.entries(TABLES)) {
        await psql(`${tag}_${set}_${service}`, `TRUNCATE ${tables.join(', ')} CASCADE; DROP SCHEMA IF EXISTS db_split CASCADE`);
      }
    };
    const toolCopy = () =>
      timed(() =>
        run(process.execPath, [cli, 'copy', '--source', dbUrl(source), ...jobArgs, '--progress', 'none', '--json'], {
          env: envFor(sets.tool),
        }),
      );
    const toolVerify = () =>
      timed(() =>
        run(process.execPath, [cli, 'verify', '--source', dbUrl(source), ...jobArgs, '--progress', 'none', '--json'], {
          env: envFor(sets.tool),
        }),
      );
    const baselineCopy = () =>
      timed(() =>
        Promise.all(
          Object.entries(TABLES).map(([service, tables]) =>
            run(
              'bash',
              [
                '-o',
                'pipefail',
                '-c',
                `pg_dump --data-only --disable-triggers ${tables.map((t) => `--table=public.${t}`).join(' ')} "$SRC" | psql -X -q -v ON_ERROR_STOP=1 -d "$DST" >/dev/null`,
              ],
              {
                env: { ...process.env, SRC: dbUrl(source), DST: dbUrl(`${tag}_${sets.baseline}_${service}`) },
              },
            ),
          ),
        ),
      );
    // After a load, autovacuum wakes up on the freshly filled tables and competes with whatever
    // is timed next; vacuum them here, outside the timers, and wait until the server is quiet.
    const settle = async (set) => {
      for (const [service, tables] of Object.entries(TABLES))
        await psql(`${tag}_${set}_${service}`, `VACUUM (ANALYZE) ${tables.join(', ')}`);
      for (let i = 0; i < 60; i++) {
        const busy = await psql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'");
        if (busy.stdout.trim() === '0') break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      await psql('postgres', 'CHECKPOINT');
    };
    const rounds = { copy: [], baseline: [], verify: [] };
    let copied;
    for (let round = 0; round < repeat; round++) {
      await reset(sets.tool);
      await reset(sets.baseline);
      await psql('postgres', 'CHECKPOINT');
      const order = round % 2 ? ['baseline', 'copy'] : ['copy', 'baseline'];
      for (const which of order) {
        if (which === 'copy') {
          const copy = await toolCopy();
          copied = JSON.parse(copy.result.stdout);
          rounds.copy.push(copy.ms);
          await settle(sets.tool);
          const verify = await toolVerify();
          if (!JSON.parse(verify.result.stdout).ok) throw new Error('verify of the db-split copy failed');
          rounds.verify.push(verify.ms);
        } else {
          rounds.baseline.push((await baselineCopy()).ms);
        }
        await settle(which === 'copy' ? sets.tool : sets.baseline);
      }
      console.log(
        `round ${round + 1}/${repeat}: copy ${seconds(rounds.copy.at(-1))} s, verify ${seconds(rounds.verify.at(-1))} s, pg_dump | psql ${seconds(rounds.baseline.at(-1))} s`,
      );
    }
    // The baseline's result must be the same data, or its time means nothing.
    const baselineVerify = await run(process.execPath, [cli, 'verify', '--source', dbUrl(source), '--progress', 'none', '--json'], {
      env: envFor(sets.baseline),
    }).then(
      (r) => JSON.parse(r.stdout).ok,
      () => false,
    );
    const copy = { ms: median(rounds.copy) };
    const verify = { ms: median(rounds.verify) };
    const baseline = { ms: median(rounds.baseline) };
    const load = (await run('cat', ['/proc/loadavg'])).stdout.split(' ').slice(0, 3).join(' ');

    // MB/s over the 17 tables' size on disk: the same figure for both sides, whatever the COPY
    // format (db-split streams binary where it can, pg_dump text).
    const rate = (ms) =>
      `${Math.round(copied.rows / (ms / 1000))
        .toString()
        .padStart(7)} rows/s  ${(mb(sourceBytes) / (ms / 1000)).toFixed(1).padStart(6)} MB/s`;
    console.log('');
    console.log(`medians of ${repeat} round(s); load average at the end: ${load}`);
    const formats = [...new Set(copied.tables.map((t) => t.format))].join('/');
    console.log(
      `data moved: ${copied.rows} rows, ${mb(sourceBytes).toFixed(1)} MB on disk (rates below use these figures for both); db-split streamed ${mb(copied.bytes).toFixed(1)} MB of ${formats} COPY data`,
    );
    console.log(`db-split copy          ${seconds(copy.ms).padStart(7)} s  ${rate(copy.ms)}`);
    console.log(
      `pg_dump | psql (x3)    ${seconds(baseline.ms).padStart(7)} s  ${rate(baseline.ms)}   (result verified: ${baselineVerify ? 'identical' : 'DIFFERENT'})`,
    );
    console.log(
      `ratio                  ${(baseline.ms / copy.ms).toFixed(2)}x  (baseline time / db-split time; >= 1.00 means db-split is at least as fast)`,
    );
    console.log(`db-split verify        ${seconds(verify.ms).padStart(7)} s  ${(verify.ms / copy.ms).toFixed(2)} of the copy time`);
    console.log(
      `goals: copy >= baseline speed: ${copy.ms <= baseline.ms ? 'met' : 'NOT met'}; verify < copy: ${verify.ms < copy.ms ? 'met' : 'NOT met'}`,
    );
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
