import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { SERVICE_NAMES, type ServiceName, SERVICES } from '@nafs/contracts';
import { toPostgresUrl } from '@nafs/database';

import { adminSettings, dbLabel, type Env, serviceLoginSettings, withClient } from './connections';
import { DbSplitError, ExitCode } from './errors';
import type { Output } from './output';

export interface SchemaOptions {
  dryRun: boolean;
  /** Folder holding `<app>/main.js` of each built service (default: <workspace>/dist/apps). */
  servicesDist?: string;
}

export function workspaceRoot(start = __dirname): string {
  let dir = start;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export function serviceEntry(service: ServiceName, servicesDist?: string): string {
  return join(resolve(servicesDist ?? join(workspaceRoot(), 'dist', 'apps')), SERVICES[service].app, 'main.js');
}

/**
 * The environment the service's migration process gets: everything the tool was given, with
 * `<PREFIX>_DB_URL` pinned to the settings the tool resolved (host, port and database through
 * databaseSettingsFromEnv, and the service's own role), so the migrations run as that role and
 * the tables belong to it.
 */
export function migrationEnv(service: ServiceName, env: Env): NodeJS.ProcessEnv {
  const p = SERVICES[service].dbEnvPrefix;
  return { ...env, [`${p}_DB_URL`]: toPostgresUrl(serviceLoginSettings(service, env)), DB_MIGRATE_ON_START: 'false' };
}

function run(entry: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [entry, 'migrate'], { env, cwd: workspaceRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, output }));
  });
}

/**
 * Runs each service's own TypeORM migrations on its database by starting the built service
 * with `migrate`, exactly as its deployment does; the tool holds no copy of any migration.
 */
export async function runSchema(env: Env, options: SchemaOptions, out: Output): Promise<void> {
  const plans = SERVICE_NAMES.map((service) => {
    const login = serviceLoginSettings(service, env);
    return { service, login, entry: serviceEntry(service, options.servicesDist), env: migrationEnv(service, env) };
  });
  out.line(`schema: ${options.dryRun ? '(dry run) ' : ''}run each service's migrations on its database`);
  for (const p of plans) {
    out.line(
      `  ${p.service}: ${SERVICES[p.service].dbEnvPrefix}_DB_URL=${toPostgresUrl({ ...p.login, password: p.login.password ? '***' : undefined })} node ${p.entry} migrate`,
    );
  }
  const missing = plans.filter((p) => !existsSync(p.entry));
  if (missing.length) {
    throw new DbSplitError(
      `built service not found: ${missing.map((p) => p.entry).join(', ')}`,
      ExitCode.FAILED,
      `build them first: npx nx run-many -t build -p ${missing.map((p) => SERVICES[p.service].app).join(',')}`,
    );
  }
  // The service would create a missing database itself, but without the ownership and the
  // CONNECT revocation that `create` sets up; insist on `create` first.
  for (const p of plans) {
    const admin = adminSettings(p.service, env);
    const exists = await withClient(
      { label: `${p.service} server`, settings: admin },
      async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [admin.database])).rowCount === 1,
      env.DB_SPLIT_ADMIN_DATABASE || 'postgres',
    );
    if (!exists)
      throw new DbSplitError(`${p.service}: database ${dbLabel(admin)} does not exist`, ExitCode.UNREACHABLE, 'run `create` first');
  }
  if (options.dryRun) {
    out.line('schema: dry run, nothing changed');
    return;
  }
  const results = await Promise.all(plans.map(async (p) => ({ p, ...(await run(p.entry, p.env)) })));
  for (const { p, code, output } of results) {
    for (const line of output.trimEnd().split('\n').filter(Boolean)) out.line(`  ${p.service}| ${line}`);
    out.line(`  ${p.service}: ${code === 0 ? 'migrations applied' : `FAILED (exit ${code})`}`);
  }
  const failed = results.filter((r) => r.code !== 0);
  if (failed.length) {
    const privilege = failed.some((r) => /permission denied|password authentication failed|no pg_hba/i.test(r.output));
    throw new DbSplitError(
      `schema: migrations failed for ${failed.map((r) => r.p.service).join(', ')}`,
      privilege ? ExitCode.PRIVILEGE : ExitCode.FAILED,
    );
  }
  out.line('schema: done');
}
