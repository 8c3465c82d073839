import Redis, { type RedisOptions } from 'ioredis';

/** process.env, or a validated config (REDIS_PORT already a number). */
type Env = Readonly<Record<string, unknown>>;

const str = (value: unknown) => (value === undefined || value === null || value === '' ? undefined : String(value));

/** Connection settings from `REDIS_URL`, or `REDIS_HOST`/`REDIS_PORT` (default 127.0.0.1:6379). */
export function redisOptionsFromEnv(env: Env = process.env): RedisOptions {
  const redisUrl = str(env.REDIS_URL);
  if (redisUrl) {
    const url = new URL(redisUrl);
    return {
      host: url.hostname || '127.0.0.1',
      port: url.port ? Number(url.port) : 6379,
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
      tls: url.protocol === 'rediss:' ? {} : undefined,
    };
  }
  const port = str(env.REDIS_PORT);
  return { host: str(env.REDIS_HOST) ?? '127.0.0.1', port: port ? Number(port) : 6379 };
}

/**
 * A client that fails commands fast while Redis is down (instead of queueing them forever), so a
 * readiness probe or a cache read reports the outage rather than hanging.
 */
export function createRedisClient(env: Env = process.env, connectionName?: string): Redis {
  return new Redis({
    ...redisOptionsFromEnv(env),
    connectionName,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
}
