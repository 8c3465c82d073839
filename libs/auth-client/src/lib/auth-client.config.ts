import { booleanFlag, nonNegativeInt, positiveInt, refuseKnownSecretsInProduction } from '@nafs/config';
import { JWT_SECRET_MIN_LENGTH } from '@nafs/contracts';
import { z } from 'zod';

/**
 * The variables web and forms read for the identity client; spread it into the service's zod
 * schema (`...identityClientEnvShape`).
 */
export const identityClientEnvShape = {
  /** auth-service's access-token secret. Required in production (`requireJwtSecretInProduction`). */
  JWT_SECRET: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.string().min(JWT_SECRET_MIN_LENGTH, `must be at least ${JWT_SECRET_MIN_LENGTH} characters`).optional(),
  ),
  /** Legacy default true: users with a tenant need an active tenant. */
  TENANT_TOKEN_ISOLATION: booleanFlag(true),
  /** One RPC attempt gives up after this long. */
  AUTH_RPC_TIMEOUT_MS: positiveInt(400),
  /** All attempts of one lookup together give up after this long (then 503). */
  AUTH_RPC_DEADLINE_MS: positiveInt(1500),
  /** Extra attempts after a timeout or transport error (never after NOT_FOUND/INACTIVE). */
  AUTH_RPC_RETRIES: nonNegativeInt(2),
  /** Consecutive transport failures that open the circuit. */
  AUTH_RPC_BREAKER_THRESHOLD: positiveInt(5),
  /** How long the circuit stays open before one trial call. */
  AUTH_RPC_BREAKER_HALF_OPEN_MS: positiveInt(1000),
  /** In-process cache: entry lifetime and size bound. 0 disables the level. */
  IDENTITY_LOCAL_TTL_MS: nonNegativeInt(5000),
  IDENTITY_LOCAL_MAX_ENTRIES: positiveInt(10000),
  /** Redis cache lifetimes. 0 disables the level. */
  IDENTITY_USER_TTL_SECONDS: nonNegativeInt(300),
  IDENTITY_TENANT_TTL_SECONDS: nonNegativeInt(3600),
  IDENTITY_API_TOKEN_TTL_SECONDS: nonNegativeInt(300),
  /** How long "no such user / inactive / unknown token" answers are remembered. */
  IDENTITY_NEGATIVE_TTL_SECONDS: nonNegativeInt(30),
};

/**
 * The secret auth-service itself falls back to outside production (npm start, the platform e2e),
 * so development setups without secrets still verify each other's tokens.
 */
export const DEV_ONLY_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';

/** `schema.superRefine(requireJwtSecretInProduction)`: NODE_ENV=production needs a real JWT_SECRET, not a published one. */
export function requireJwtSecretInProduction(config: { NODE_ENV?: string; JWT_SECRET?: string }, ctx: z.RefinementCtx): void {
  if (config.NODE_ENV === 'production' && !config.JWT_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['JWT_SECRET'],
      message: `is required in production (at least ${JWT_SECRET_MIN_LENGTH} characters, the same as auth-service's)`,
    });
  }
  refuseKnownSecretsInProduction(['JWT_SECRET'])(config, ctx);
}

export interface IdentityClientOptions {
  jwtSecret: string;
  tenantIsolation: boolean;
  /** `REDIS_KEY_PREFIX`: Redis keys are `<prefix>identity:<kind>:<id>`. */
  keyPrefix: string;
  rpcTimeoutMs: number;
  rpcDeadlineMs: number;
  rpcRetries: number;
  breakerThreshold: number;
  breakerHalfOpenMs: number;
  localTtlMs: number;
  localMaxEntries: number;
  userTtlSeconds: number;
  tenantTtlSeconds: number;
  apiTokenTtlSeconds: number;
  negativeTtlSeconds: number;
}

type IdentityEnv = Omit<{ [K in keyof typeof identityClientEnvShape]: z.infer<(typeof identityClientEnvShape)[K]> }, 'JWT_SECRET'> & {
  JWT_SECRET?: string;
  REDIS_KEY_PREFIX?: string;
};

/** Options from a service's validated config (which includes `identityClientEnvShape`). */
export function identityClientOptions(config: IdentityEnv): IdentityClientOptions {
  return {
    jwtSecret: config.JWT_SECRET ?? DEV_ONLY_JWT_SECRET,
    tenantIsolation: config.TENANT_TOKEN_ISOLATION,
    keyPrefix: config.REDIS_KEY_PREFIX ?? 'nafs:',
    rpcTimeoutMs: config.AUTH_RPC_TIMEOUT_MS,
    rpcDeadlineMs: config.AUTH_RPC_DEADLINE_MS,
    rpcRetries: config.AUTH_RPC_RETRIES,
    breakerThreshold: config.AUTH_RPC_BREAKER_THRESHOLD,
    breakerHalfOpenMs: config.AUTH_RPC_BREAKER_HALF_OPEN_MS,
    localTtlMs: config.IDENTITY_LOCAL_TTL_MS,
    localMaxEntries: config.IDENTITY_LOCAL_MAX_ENTRIES,
    userTtlSeconds: config.IDENTITY_USER_TTL_SECONDS,
    tenantTtlSeconds: config.IDENTITY_TENANT_TTL_SECONDS,
    apiTokenTtlSeconds: config.IDENTITY_API_TOKEN_TTL_SECONDS,
    negativeTtlSeconds: config.IDENTITY_NEGATIVE_TTL_SECONDS,
  };
}

/** Parses env directly (tests, tools); services use their own validated config instead. */
export function identityClientOptionsFromEnv(env: Record<string, string | undefined>): IdentityClientOptions {
  const parsed = z.object(identityClientEnvShape).parse(env);
  return identityClientOptions({ ...parsed, REDIS_KEY_PREFIX: env.REDIS_KEY_PREFIX });
}

export const IDENTITY_CLIENT_OPTIONS = Symbol('IDENTITY_CLIENT_OPTIONS');
