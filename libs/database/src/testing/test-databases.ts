import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { type ServiceName, SERVICES } from '@nafs/contracts';
import { Client } from 'pg';

import { type DatabaseSettings, parsePostgresUrl, toPostgresUrl } from '../lib/database-settings';
import { quoteIdent } from '../lib/ensure-database';
import { migrateDatabase } from '../lib/migrate';
import type { SchemaDefinition } from '../lib/typeorm-options';
import { randomSuffix, testInfra } from './test-infra';

export interface TestDatabase {
  name: string;
  url: string;
  settings: DatabaseSettings;
  /** The `<PREFIX>_DB_URL` variable that points a service at this database. */
  env(service: ServiceName): Record<string, string>;
  drop(): Promise<void>;
}

async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: testInfra().pgUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function settingsFor(database: string): DatabaseSettings {
  return { ...parsePostgresUrl(testInfra().pgUrl), database, poolSize: 5, ssl: false };
}

function handle(name: string): TestDatabase {
  const settings = settingsFor(name);
  const url = toPostgresUrl(settings);
  return {
    name,
    url,
    settings,
    env: (service) => ({ [`${SERVICES[service].dbEnvPrefix}_DB_URL`]: url }),
    drop: () => dropDatabase(name),
  };
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

/** A new empty database of this test run. */
export async function createEmptyDatabase(label: string): Promise<TestDatabase> {
  const name = `nafs_t_${testInfra().runId}_${label}_${randomSuffix()}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  return handle(name);
}

/**
 * Builds a template once per run and key (under an advisory lock, since test files run in parallel
 * workers), then clones it. Cloning costs ~50 ms against ~1 s for building from scratch.
 */
async function cloneFromTemplate(key: string, label: string, build: (target: DatabaseSettings) => Promise<void>): Promise<TestDatabase> {
  const { runId } = testInfra();
  const template = `nafs_t_${runId}_tpl_${key}`.slice(0, 63);
  await withAdminClient(async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (!rowCount) {
        const building = `${template.slice(0, 56)}_build`;
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(building)} WITH (FORCE)`);
        await client.query(`CREATE DATABASE ${quoteIdent(building)}`);
        await build(settingsFor(building));
        await client.query(`ALTER DATABASE ${quoteIdent(building)} RENAME TO ${quoteIdent(template)}`);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
    }
  });
  const name = `nafs_t_${runId}_${label}_${randomSuffix()}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)}`));
  return handle(name);
}

/** A database of this test file alone, with the service's migrations applied. */
export async function createMigratedDatabase(service: ServiceName, schema: SchemaDefinition): Promise<TestDatabase> {
  const fingerprint = createHash('sha1')
    .update(schema.migrations.map((migration) => `${migration.name}:${migration.toString()}`).join('\n'))
    .digest('hex')
    .slice(0, 10);
  return cloneFromTemplate(`${service}_${fingerprint}`, service, async (target) => {
    await migrateDatabase(target, schema);
  });
}

function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('workspace root (nx.json) not found');
    dir = parent;
  }
  return dir;
}

/**
 * The legacy fixture the tests use: `fixtures/legacy` in this repository (schema, deterministic
 * hazardous seed, hazards), or LEGACY_FIXTURE_DIR. `../shared/legacy` is only the reference it is
 * compared with (fixtures/legacy/fixture-reference.spec.ts), never a test dependency.
 */
export function legacyFixtureDir(): string {
  const fixture = process.env.LEGACY_FIXTURE_DIR ? resolve(process.env.LEGACY_FIXTURE_DIR) : join(workspaceRoot(), 'fixtures', 'legacy');
  if (!existsSync(join(fixture, 'monolith-schema.sql'))) {
    throw new Error(`Legacy fixture not found at ${fixture}; set LEGACY_FIXTURE_DIR to the folder holding monolith-schema.sql.`);
  }
  return fixture;
}

/** `../shared/legacy` beside the clone, when present: the reference the in-repo fixture must match. */
export function sharedLegacyReferenceDir(): string | null {
  const dir = resolve(workspaceRoot(), '..', 'shared', 'legacy');
  return existsSync(join(dir, 'monolith-schema.sql')) ? dir : null;
}

/** The legacy schema SQL without its psql meta-commands, runnable through node-postgres. */
export function legacySchemaSql(): string {
  return readFileSync(join(legacyFixtureDir(), 'monolith-schema.sql'), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('\\'))
    .join('\n');
}

/**
 * Loads the legacy schema. The script creates cluster-wide roles "if missing", which races when
 * two test processes run it at once, so loads are serialised by an advisory lock.
 */
export async function loadLegacySchema(settings: DatabaseSettings): Promise<void> {
  await withAdminClient(async (admin) => {
    await admin.query("SELECT pg_advisory_lock(hashtext('nafs:legacy-schema-load'))");
    const client = new Client({ connectionString: toPostgresUrl(settings) });
    await client.connect();
    try {
      await client.query(legacySchemaSql());
    } finally {
      await client.end();
      await admin.query("SELECT pg_advisory_unlock(hashtext('nafs:legacy-schema-load'))");
    }
  });
}

/** An empty database with the legacy monolith schema (17 tables, default tenant row). */
export function createLegacyDatabase(label = 'legacy'): Promise<TestDatabase> {
  return cloneFromTemplate('legacy', label, loadLegacySchema);
}

/**
 * A database with the legacy schema and the fixture's deterministic seed at `scale` (scale 1: ~50
 * users, ~1k rows). Seeded once per run and scale into a template, then cloned.
 */
export function createSeededLegacyDatabase(label = 'legacy_seeded', scale = 1): Promise<TestDatabase> {
  return cloneFromTemplate(`legacy_seed_s${scale}`, label, async (target) => {
    await loadLegacySchema(target);
    await runLegacySeed(toPostgresUrl(target), scale);
  });
}

/** Runs fixtures/legacy/seed.mjs against `url` (pg resolved from this workspace's node_modules). */
export async function runLegacySeed(url: string, scale = 1): Promise<void> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  await promisify(execFile)(process.execPath, [join(legacyFixtureDir(), 'seed.mjs'), '--url', url, '--scale', String(scale)], {
    env: { ...process.env, NODE_PATH: dirname(dirname(require.resolve('pg/package.json'))) },
    maxBuffer: 16 * 1024 * 1024,
  });
}
