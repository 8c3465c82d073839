import { type ServiceName, SERVICES } from '@nafs/contracts';
import type { ClientConfig } from 'pg';

/** Where one service's database lives and how many connections it may hold. */
export interface DatabaseSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | undefined;
  poolSize: number;
  ssl: boolean;
  /** How long a query waits for a pool connection before failing (and being answered 503). Default 3000. */
  connectTimeoutMs?: number;
}

/** process.env, or a service's validated config (numbers and booleans already parsed). */
type Env = Readonly<Record<string, unknown>>;

const str = (value: unknown) => (value === undefined || value === null || value === '' ? undefined : String(value));

/**
 * Reads `<PREFIX>_DB_*` for one service. A `<PREFIX>_DB_URL` wins over the separate variables;
 * the defaults are the local development server (127.0.0.1:5432, user postgres).
 */
export function databaseSettingsFromEnv(service: ServiceName, env: Env = process.env): DatabaseSettings {
  const { dbEnvPrefix: p, defaultDatabase } = SERVICES[service];
  const fromParts: DatabaseSettings = {
    host: str(env[`${p}_DB_HOST`]) ?? '127.0.0.1',
    port: Number(str(env[`${p}_DB_PORT`]) ?? 5432),
    database: str(env[`${p}_DB_NAME`]) ?? defaultDatabase,
    user: str(env[`${p}_DB_USER`]) ?? 'postgres',
    password: str(env[`${p}_DB_PASSWORD`]),
    poolSize: Number(str(env[`${p}_DB_POOL_SIZE`]) ?? 10),
    ssl: ['true', '1', 'yes'].includes(String(env[`${p}_DB_SSL`] ?? '').toLowerCase()),
    connectTimeoutMs: Number(str(env[`${p}_DB_CONNECT_TIMEOUT_MS`]) ?? 3000),
  };
  const url = str(env[`${p}_DB_URL`]);
  return url ? { ...fromParts, ...parsePostgresUrl(url) } : fromParts;
}

export function parsePostgresUrl(url: string): Pick<DatabaseSettings, 'host' | 'port' | 'database' | 'user' | 'password'> {
  const parsed = new URL(url);
  return {
    host: decodeURIComponent(parsed.hostname) || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 5432,
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
    user: decodeURIComponent(parsed.username) || 'postgres',
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
  };
}

export function toPostgresUrl(settings: Pick<DatabaseSettings, 'host' | 'port' | 'database' | 'user' | 'password'>): string {
  const auth = settings.password
    ? `${encodeURIComponent(settings.user)}:${encodeURIComponent(settings.password)}`
    : encodeURIComponent(settings.user);
  return `postgres://${auth}@${settings.host}:${settings.port}/${encodeURIComponent(settings.database)}`;
}

export function pgClientConfig(settings: DatabaseSettings, database = settings.database): ClientConfig {
  return {
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database,
    ssl: settings.ssl ? { rejectUnauthorized: false } : undefined,
  };
}
