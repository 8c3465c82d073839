import { z } from 'zod';

/** Treats an empty string like an unset variable, as shells and compose files often produce. */
export const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

export const port = (fallback: number) =>
  z.preprocess(
    (value) => (value === '' || value === undefined ? fallback : value),
    z.coerce
      .number({ message: 'must be a port number' })
      .int('must be a whole number')
      .min(1, 'must be between 1 and 65535')
      .max(65535, 'must be between 1 and 65535'),
  );

export const positiveInt = (fallback: number) =>
  z.preprocess(
    (value) => (value === '' || value === undefined ? fallback : value),
    z.coerce.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive'),
  );

export const nonNegativeInt = (fallback: number) =>
  z.preprocess(
    (value) => (value === '' || value === undefined ? fallback : value),
    z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more'),
  );

export const booleanFlag = (fallback: boolean) =>
  z
    .preprocess(
      (value) => (value === '' || value === undefined ? String(fallback) : String(value).toLowerCase()),
      z.enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }),
    )
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const postgresUrl = optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL'));

export const redisUrl = optional(z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'));

/** Variables every service reads. */
export const commonEnvShape = {
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      message: 'must be development, production or test',
    })
    .default('development'),
  LOG_LEVEL: z
    .enum(['error', 'warn', 'log', 'debug', 'verbose'], {
      message: 'must be error, warn, log, debug or verbose',
    })
    .default('log'),
  /** Pretty single-line logs; unset means pretty in development, JSON otherwise. */
  LOG_PRETTY: optional(
    z.enum(['true', 'false', '1', '0'], { message: 'must be true or false' }).transform((value) => value === 'true' || value === '1'),
  ),
  REDIS_URL: redisUrl,
  REDIS_HOST: optional(z.string().min(1)),
  REDIS_PORT: port(6379),
  REDIS_KEY_PREFIX: z.string().default('nafs:'),
  RPC_CHANNEL_PREFIX: z.string().default(''),
  DB_MIGRATE_ON_START: booleanFlag(false),
};

/** The `<PREFIX>_DB_*` group of one service's database. */
export function databaseEnvShape(prefix: string) {
  return {
    [`${prefix}_DB_URL`]: postgresUrl,
    [`${prefix}_DB_HOST`]: optional(z.string().min(1)),
    [`${prefix}_DB_PORT`]: port(5432),
    [`${prefix}_DB_NAME`]: optional(z.string().regex(/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/, 'must be a PostgreSQL database name')),
    [`${prefix}_DB_USER`]: optional(z.string().min(1)),
    [`${prefix}_DB_PASSWORD`]: optional(z.string()),
    [`${prefix}_DB_POOL_SIZE`]: positiveInt(10),
    [`${prefix}_DB_SSL`]: booleanFlag(false),
  } as const;
}
