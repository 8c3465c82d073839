import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { LEGACY_TABLES, type LegacyTable, SERVICE_NAMES, type ServiceName, SERVICES, TABLE_OWNERSHIP } from '@nafs/contracts';
import { parsePostgresUrl, quoteIdent, toPostgresUrl } from '@nafs/database';
import { legacyFixtureDir, randomSuffix, testInfra } from '@nafs/database/testing';
import { Client } from 'pg';

import { workspaceRoot } from '../../src/lib/schema';

export const ROOT = workspaceRoot(__dirname);
export const CLI = join(ROOT, 'dist', 'tools', 'db-split', 'main.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (the test target depends on building it and the three services). */
export function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run the tests through \`npx nx test db-split\`, which builds it first`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function adminUrl(database: string): string {
  return toPostgresUrl({ ...parsePostgresUrl(testInfra().pgUrl), database });
}

export async function withDb<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Seeds the legacy fixture with its own seed.mjs (deterministic, hazards included). */
export function seedLegacy(url: string, scale: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(legacyFixtureDir(), 'seed.mjs'), '--url', url, '--scale', String(scale)], {
      cwd: ROOT,
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`seed.mjs exited ${code}:\n${output}`))));
  });
}

/**
 * Three target databases and three login roles of this test file alone, named after the run id
 * (the run's teardown drops leftover databases; roles are dropped by `drop`).
 */
export interface SplitTargets {
  env: Record<string, string>;
  databases: Record<ServiceName, string>;
  roles: Record<ServiceName, string>;
  url(service: ServiceName): string;
  /** The database holding `table` on the split side. */
  urlFor(table: LegacyTable): string;
  drop(): Promise<void>;
}

export function splitTargets(label: string): SplitTargets {
  const { runId } = testInfra();
  const admin = parsePostgresUrl(testInfra().pgUrl);
  const suffix = randomSuffix();
  const databases = Object.fromEntries(SERVICE_NAMES.map((s) => [s, `nafs_t_${runId}_${label}_${suffix}_${s}`])) as Record<
    ServiceName,
    string
  >;
  const roles = Object.fromEntries(SERVICE_NAMES.map((s) => [s, `dbsplit_t_${runId}_${suffix}_${s}`])) as Record<ServiceName, string>;
  const env: Record<string, string> = { DB_SPLIT_ADMIN_USER: admin.user };
  if (admin.password) env.DB_SPLIT_ADMIN_PASSWORD = admin.password;
  // Lets a run use service builds other than dist/apps (`schema --services-dist`).
  if (process.env.DB_SPLIT_SERVICES_DIST) env.DB_SPLIT_SERVICES_DIST = process.env.DB_SPLIT_SERVICES_DIST;
  for (const service of SERVICE_NAMES) {
    const p = SERVICES[service].dbEnvPrefix;
    Object.assign(env, {
      [`${p}_DB_HOST`]: admin.host,
      [`${p}_DB_PORT`]: String(admin.port),
      [`${p}_DB_NAME`]: databases[service],
      [`${p}_DB_USER`]: roles[service],
      [`${p}_DB_PASSWORD`]: `pw-${service}-${suffix}`,
    });
  }
  const url = (service: ServiceName) => adminUrl(databases[service]);
  return {
    env,
    databases,
    roles,
    url,
    urlFor: (table) => url(TABLE_OWNERSHIP[table]),
    drop: () =>
      withDb(testInfra().pgUrl, async (client) => {
        for (const name of Object.values(databases)) await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        for (const role of Object.values(roles)) await client.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`);
      }),
  };
}

export interface Hazard {
  id: string;
  description: string;
  /** The parenthesised count expression of hazards.sql, runnable as `SELECT <expr>`. */
  expression: string;
  tables: LegacyTable[];
  /** Reads catalogs (pg_class, pg_views): a schema property, not rows. */
  catalog: boolean;
}

/** Splits hazards.sql into its 73 hazards, each with the legacy tables its query reads. */
export function parseHazards(): Hazard[] {
  const sql = readFileSync(join(legacyFixtureDir(), 'hazards.sql'), 'utf8');
  const entry = /\('([A-Z]\d\d)',\s*'((?:[^']|'')*)',\s*([\s\S]*?)\)(?=,\s*\n(?:\s*--[^\n]*\n)*\s*\('[A-Z]\d\d'|\s*\n\)\s*AS h)/g;
  const hazards: Hazard[] = [];
  for (const [, id, description, expression] of sql.matchAll(entry)) {
    const names = [...expression.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)/gi)].map((m) => m[1]);
    hazards.push({
      id,
      description: description.replace(/''/g, "'"),
      expression,
      tables: [...new Set(names.filter((n): n is LegacyTable => (LEGACY_TABLES as string[]).includes(n)))],
      catalog: names.some((n) => n.startsWith('pg_')),
    });
  }
  return hazards;
}

export async function count(url: string, expression: string): Promise<number> {
  return withDb(url, async (client) => Number((await client.query(`SELECT ${expression} AS n`)).rows[0].n));
}

/** Rows of a query as comparable text (every value cast to text in SQL, so nothing goes through JS numbers or Dates). */
export async function rowsAsText(url: string, sql: string): Promise<string[]> {
  return withDb(url, async (client) =>
    (await client.query<{ r: string }>(`SELECT q::text AS r FROM (${sql}) q ORDER BY 1`)).rows.map((row) => row.r),
  );
}

export function psqlFile(url: string, file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`psql exited ${code}: ${stderr}`))));
  });
}

export function dumpOnFailure(run: CliRun): string {
  return `exit ${run.code}${run.signal ? ` (${run.signal})` : ''}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

/**
 * Drops every subscription in `databases` and every replication slot of them on the server at
 * `serverUrl` (a test's safety net: a database with a subscription cannot be dropped, and a
 * forgotten slot keeps WAL on the shared server).
 */
export async function dropReplication(serverUrl: string, databases: string[]): Promise<void> {
  const server = parsePostgresUrl(serverUrl);
  for (const database of databases) {
    await withDb(toPostgresUrl({ ...server, database }), async (client) => {
      const { rows } = await client.query<{ subname: string }>(
        'SELECT subname FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())',
      );
      for (const { subname } of rows) {
        await client.query(`ALTER SUBSCRIPTION ${quoteIdent(subname)} DISABLE`);
        await client.query(`ALTER SUBSCRIPTION ${quoteIdent(subname)} SET (slot_name = NONE)`);
        await client.query(`DROP SUBSCRIPTION ${quoteIdent(subname)}`);
      }
    }).catch(() => undefined);
  }
  await withDb(serverUrl, async (client) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const { rows } = await client.query<{ slot_name: string; active_pid: number | null }>(
        'SELECT slot_name, active_pid FROM pg_replication_slots WHERE database = ANY($1::text[])',
        [databases],
      );
      if (!rows.length) return;
      for (const slot of rows) {
        if (slot.active_pid) await client.query('SELECT pg_terminate_backend($1)', [slot.active_pid]);
        else await client.query('SELECT pg_drop_replication_slot($1)', [slot.slot_name]).catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }).catch(() => undefined);
}

/** What db-split may have left in a database: its slots, publications, subscriptions and schema. */
export async function replicationLeftovers(url: string): Promise<string[]> {
  return withDb(url, async (client) => {
    const { rows } = await client
      .query<{ what: string }>(
        `SELECT 'slot ' || slot_name AS what FROM pg_replication_slots WHERE database = current_database()
       UNION ALL SELECT 'publication ' || pubname FROM pg_publication
       UNION ALL SELECT 'subscription ' || subname FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       UNION ALL SELECT 'table ' || oid::regclass::text FROM pg_class WHERE relnamespace = 'db_split'::regnamespace AND relkind = 'r' AND relname <> 'copy_journal'`,
      )
      .catch(
        async () =>
          await client.query<{ what: string }>(
            `SELECT 'slot ' || slot_name AS what FROM pg_replication_slots WHERE database = current_database()
       UNION ALL SELECT 'publication ' || pubname FROM pg_publication
       UNION ALL SELECT 'subscription ' || subname FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          ),
      );
    return rows.map((r) => r.what).sort();
  });
}

/** The seconds of the write-unavailability window a `cutover` or `rollback` printed. */
export function outageSeconds(stdout: string): number {
  const match = /write-unavailability window ([\d.]+) s/.exec(stdout);
  if (!match) throw new Error(`no write-unavailability window in:\n${stdout}`);
  return Number(match[1]);
}
