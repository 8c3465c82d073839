import { SERVICE_NAMES, type ServiceName, SERVICES } from '@nafs/contracts';
import { type DatabaseSettings, databaseSettingsFromEnv, parsePostgresUrl, pgClientConfig } from '@nafs/database';
import { Client } from 'pg';

import { classifyDatabaseError, DbSplitError, ExitCode, throwFirstFailure } from './errors';

export type Env = NodeJS.ProcessEnv;

/** One database the tool talks to, with a label for messages ("source", "auth", "monolith"). */
export interface Endpoint {
  label: string;
  settings: DatabaseSettings;
}

/**
 * Session settings every connection of the tool uses. Text output of timestamps, floats and bytea
 * depends on them, and both COPY and the verify checksums go through text, so source and target
 * must agree on them whatever the server or role defaults are.
 */
const SESSION_SETTINGS = [
  "SET TimeZone = 'UTC'",
  "SET DateStyle = 'ISO, YMD'",
  "SET IntervalStyle = 'postgres'",
  'SET extra_float_digits = 1',
  "SET bytea_output = 'hex'",
  "SET client_encoding = 'UTF8'",
  "SET application_name = 'db-split'",
  // Makes PostgreSQL raise an error instead of silently filtering rows when row-level security
  // applies to the connected role (what emptied the legacy project's own split).
  'SET row_security = off',
  // A server-wide statement_timeout must not kill a long COPY half way.
  'SET statement_timeout = 0',
  'SET idle_in_transaction_session_timeout = 0',
].join('; ');

export function dbLabel(settings: Pick<DatabaseSettings, 'host' | 'port' | 'database' | 'user'>): string {
  return `${settings.user}@${settings.host}:${settings.port}/${settings.database}`;
}

export function settingsFromUrl(url: string, what: string): DatabaseSettings {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new DbSplitError(`${what} must be a postgres:// URL (got ${JSON.stringify(redactUrl(url))})`, ExitCode.USAGE);
  }
  let parsed: ReturnType<typeof parsePostgresUrl>;
  try {
    parsed = parsePostgresUrl(url);
  } catch {
    throw new DbSplitError(`${what} is not a valid URL`, ExitCode.USAGE);
  }
  const ssl = /[?&]sslmode=(require|verify-ca|verify-full)/.test(url);
  return { ...parsed, poolSize: 1, ssl };
}

export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@/]*@/, '$1:***@');
}

/** Opens a client with the tool's session settings; errors become DbSplitErrors naming the database. */
export async function connect(endpoint: Endpoint, database = endpoint.settings.database): Promise<Client> {
  const client = new Client(pgClientConfig(endpoint.settings, database));
  // An idle client whose server goes away emits 'error'; without a listener Node would crash
  // with an unhandled event instead of the query failing with a clear message.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(SESSION_SETTINGS);
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw classifyDatabaseError(error, `${endpoint.label} (${dbLabel({ ...endpoint.settings, database })})`);
  }
}

/**
 * One client per endpoint, opened and set up side by side. If any fails, every client opened is
 * closed and the first failure, in the given order, is thrown, so nothing is left connected.
 */
export async function connectEach(
  endpoints: Endpoint[],
  setup: (client: Client, index: number) => Promise<unknown> = async () => undefined,
): Promise<Client[]> {
  const clients: (Client | undefined)[] = [];
  const opened = await Promise.allSettled(
    endpoints.map(async (endpoint, i) => {
      clients[i] = await connect(endpoint);
      await setup(clients[i] as Client, i);
    }),
  );
  if (opened.some((result) => result.status === 'rejected')) {
    await Promise.all(clients.map((client) => client?.end().catch(() => undefined)));
    throwFirstFailure(opened);
  }
  return clients as Client[];
}

/**
 * The tool's own sessions write even where the database is read-only by default (a monolith
 * guarded by `cutover-guard on` receiving `fallback start`, a guard being lifted): the guard keeps
 * the application out, not the operator.
 */
export async function allowWrites(client: Client): Promise<Client> {
  await client.query('SET default_transaction_read_only = off');
  return client;
}

export async function withClient<T>(endpoint: Endpoint, work: (client: Client) => Promise<T>, database?: string): Promise<T> {
  const client = await connect(endpoint, database);
  try {
    return await work(client);
  } catch (error) {
    throw classifyDatabaseError(
      error,
      `${endpoint.label} (${dbLabel({ ...endpoint.settings, database: database ?? endpoint.settings.database })})`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What the services read: `<PREFIX>_DB_*` through the shared library, never parsed here. */
export function serviceSettings(service: ServiceName, env: Env): DatabaseSettings {
  return databaseSettingsFromEnv(service, env);
}

/**
 * The login role of a service: the user of `<PREFIX>_DB_URL` or `<PREFIX>_DB_USER` when set,
 * else the default role from libs/contracts (auth_service, ...). The library falls back to the
 * `postgres` superuser for local development, which must never become a service's owner role.
 */
export function serviceRole(service: ServiceName, env: Env): { role: string; password: string | undefined; fromEnv: boolean } {
  const { dbEnvPrefix: p, defaultRole } = SERVICES[service];
  const url = env[`${p}_DB_URL`];
  const settings = databaseSettingsFromEnv(service, env);
  const explicitUser = url ? new URL(url).username !== '' : Boolean(env[`${p}_DB_USER`]);
  return { role: explicitUser ? settings.user : defaultRole, password: settings.password, fromEnv: explicitUser };
}

/**
 * The settings the service itself will use once it runs: its database on its host, logging in as
 * its own role. `schema` passes exactly these to the service's migration process.
 */
export function serviceLoginSettings(service: ServiceName, env: Env): DatabaseSettings {
  const { role, password } = serviceRole(service, env);
  return { ...databaseSettingsFromEnv(service, env), user: role, password };
}

/**
 * The administrative login used on the target servers: creating databases and roles needs
 * CREATEROLE/CREATEDB, and loading with `session_replication_role = replica` needs a superuser
 * (or a role granted SET on that parameter). Host and port still come from the service's own
 * variables, so the tool writes exactly where the service will read.
 */
export function adminSettings(service: ServiceName, env: Env): DatabaseSettings {
  const base = databaseSettingsFromEnv(service, env);
  return {
    ...base,
    user: env.DB_SPLIT_ADMIN_USER || 'postgres',
    password: env.DB_SPLIT_ADMIN_PASSWORD || env.PGPASSWORD || undefined,
  };
}

export function targetEndpoints(env: Env): Record<ServiceName, Endpoint> {
  return Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, { label: `${service} target`, settings: adminSettings(service, env) }]),
  ) as Record<ServiceName, Endpoint>;
}

export function quoteLiteral(value: string): string {
  // standard_conforming_strings is on in every supported PostgreSQL; E'' is used for backslashes.
  const escaped = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${escaped.replace(/\\/g, '\\\\')}'` : `'${escaped}'`;
}

/**
 * Runs units of work one at a time per key, in the order they were queued, and different keys
 * side by side. A pg client runs one query at a time, and handing it a second while it is busy is
 * deprecated: work on one client goes under that client's key.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const unit = (this.tails.get(key) ?? Promise.resolve()).then(work);
    this.tails.set(
      key,
      unit.catch(() => undefined),
    );
    return unit;
  }

  /** Resolves once every unit queued so far has finished. */
  async idle(): Promise<void> {
    await Promise.all(this.tails.values());
  }
}
