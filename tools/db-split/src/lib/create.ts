import { SERVICE_NAMES, type ServiceName, SERVICES } from '@nafs/contracts';
import type { Client } from 'pg';

import { adminSettings, type Env, serviceRole, withClient } from './connections';
import { DbSplitError, ExitCode } from './errors';
import type { Output } from './output';
import { quoteIdent } from './plan';

export interface CreateOptions {
  dryRun: boolean;
}

const DUPLICATE_OBJECT = '42710';
const DUPLICATE_DATABASE = '42P04';

interface ServiceTarget {
  service: ServiceName;
  role: string;
  password: string | undefined;
  roleFromEnv: boolean;
  database: string;
  server: string;
}

/** Role attributes that keep a service role confined to the one database it owns. */
const CONFINED = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';

function targetsFromEnv(env: Env): ServiceTarget[] {
  const targets = SERVICE_NAMES.map((service) => {
    const { role, password, fromEnv } = serviceRole(service, env);
    const admin = adminSettings(service, env);
    return { service, role, password, roleFromEnv: fromEnv, database: admin.database, server: `${admin.host}:${admin.port}` };
  });
  for (const a of targets) {
    for (const b of targets) {
      if (a.service >= b.service || a.server !== b.server) continue;
      if (a.role === b.role) {
        throw new DbSplitError(
          `${a.service} and ${b.service} would share the role ${a.role}; each service needs its own`,
          ExitCode.USAGE,
          `set ${SERVICES[a.service].dbEnvPrefix}_DB_USER and ${SERVICES[b.service].dbEnvPrefix}_DB_USER to different roles`,
        );
      }
      if (a.database === b.database) {
        throw new DbSplitError(`${a.service} and ${b.service} would share the database ${a.database}`, ExitCode.USAGE);
      }
    }
  }
  return targets;
}

async function ensureRole(client: Client, t: ServiceTarget, adminUser: string, options: CreateOptions, say: (text: string) => void) {
  if (t.role === adminUser) {
    throw new DbSplitError(
      `${t.service}: the service role ${t.role} is the admin login; a service must have its own role`,
      ExitCode.USAGE,
      `set ${SERVICES[t.service].dbEnvPrefix}_DB_USER (or the user of ${SERVICES[t.service].dbEnvPrefix}_DB_URL) to a dedicated role`,
    );
  }
  const existing = await client.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [t.role]);
  const password = t.password === undefined ? '' : ` PASSWORD ${client.escapeLiteral(t.password)}`;
  const passwordNote =
    t.password === undefined
      ? ` without a password (${SERVICES[t.service].dbEnvPrefix}_DB_PASSWORD is unset: it can log in only where pg_hba.conf trusts it)`
      : ` with the password from ${SERVICES[t.service].dbEnvPrefix}_DB_PASSWORD`;
  if (existing.rows[0]?.rolsuper) {
    throw new DbSplitError(
      `${t.service}: role ${t.role} exists and is a superuser; it would not be confined to its database`,
      ExitCode.PRIVILEGE,
      'use a dedicated non-superuser role for the service',
    );
  }
  if (!existing.rowCount) {
    say(`${options.dryRun ? 'would create' : 'create'} role ${t.role} (${CONFINED})${passwordNote}`);
    if (options.dryRun) return;
    try {
      await client.query(`CREATE ROLE ${quoteIdent(t.role)} ${CONFINED}${password}`);
    } catch (error) {
      // A concurrent run created it first; fall through to ALTER so the attributes still hold.
      if ((error as { code?: string }).code !== DUPLICATE_OBJECT) throw error;
    }
    return;
  }
  say(`role ${t.role} exists: ${options.dryRun ? 'would ensure' : 'ensure'} ${CONFINED}${passwordNote}`);
  if (!options.dryRun) await client.query(`ALTER ROLE ${quoteIdent(t.role)} ${CONFINED}${password}`);
}

async function ensureDatabase(client: Client, t: ServiceTarget, options: CreateOptions, say: (text: string) => void) {
  const existing = await client.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [
    t.database,
  ]);
  if (!existing.rowCount) {
    say(`${options.dryRun ? 'would create' : 'create'} database ${t.database} owned by ${t.role}`);
    if (!options.dryRun) {
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(t.database)} OWNER ${quoteIdent(t.role)}`);
      } catch (error) {
        if ((error as { code?: string }).code !== DUPLICATE_DATABASE) throw error;
        await client.query(`ALTER DATABASE ${quoteIdent(t.database)} OWNER TO ${quoteIdent(t.role)}`);
      }
    }
  } else if (existing.rows[0].owner !== t.role) {
    say(`database ${t.database} exists, owned by ${existing.rows[0].owner}: ${options.dryRun ? 'would hand' : 'hand'} it to ${t.role}`);
    if (!options.dryRun) await client.query(`ALTER DATABASE ${quoteIdent(t.database)} OWNER TO ${quoteIdent(t.role)}`);
  } else {
    say(`database ${t.database} exists, owned by ${t.role}`);
  }
  say(
    `${options.dryRun ? 'would revoke' : 'revoke'} CONNECT and TEMPORARY on ${t.database} from PUBLIC (only its owner and superusers connect)`,
  );
  if (!options.dryRun) await client.query(`REVOKE ALL ON DATABASE ${quoteIdent(t.database)} FROM PUBLIC`);
}

/**
 * Creates, for each service, its login role and its database owned by that role, with CONNECT
 * revoked from PUBLIC. Every step checks first and is safe to repeat; running it again also
 * re-applies the role attributes and the password from the environment.
 */
export async function runCreate(env: Env, options: CreateOptions, out: Output): Promise<void> {
  const targets = targetsFromEnv(env);
  out.line(
    `create: ${options.dryRun ? '(dry run) ' : ''}databases and login roles for ${targets.map((t) => `${t.service} (${t.database}, role ${t.role} on ${t.server})`).join(', ')}`,
  );
  for (const t of targets) {
    const admin = adminSettings(t.service, env);
    const endpoint = { label: `${t.service} server (admin ${admin.user})`, settings: admin };
    const say = (text: string) => out.line(`  ${t.service}: ${text}`);
    await withClient(
      endpoint,
      async (client) => {
        await ensureRole(client, t, admin.user, options, say);
        await ensureDatabase(client, t, options, say);
        const others = await client.query<{ datname: string }>(
          'SELECT datname FROM pg_database WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = $1) AND datname <> $2',
          [t.role, t.database],
        );
        if (others.rowCount)
          out.warn(
            `warning: role ${t.role} also owns ${others.rows.map((r) => r.datname).join(', ')}; a service role should own only its database`,
          );
      },
      env.DB_SPLIT_ADMIN_DATABASE || 'postgres',
    );
  }
  out.line(options.dryRun ? 'create: dry run, nothing changed' : 'create: done');
}
