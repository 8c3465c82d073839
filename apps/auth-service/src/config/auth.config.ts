import {
  booleanFlag,
  commonEnvShape,
  databaseEnvShape,
  loadConfig,
  optional,
  port,
  positiveInt,
  refuseKnownSecretsInProduction,
} from '@nafs/config';
import { JWT_SECRET_MIN_LENGTH } from '@nafs/contracts';
import { consumerEnvVars, relayEnvVars } from '@nafs/events';
import { z } from 'zod';

const secret = optional(z.string().min(JWT_SECRET_MIN_LENGTH, `must be at least ${JWT_SECRET_MIN_LENGTH} characters`));

/** A vercel/ms duration as jsonwebtoken accepts it: `3600`, `15m`, `1h`, `7d`. */
const duration = (fallback: string) =>
  z.preprocess(
    (value) => (value === '' || value === undefined ? fallback : value),
    z.string().regex(/^\d+\s*(ms|s|m|h|d|w|y)?$/i, 'must be a duration such as 15m, 1h or 7d'),
  );

const url = optional(z.string().url('must be a URL'));

/** Only for NODE_ENV development/test without secrets set (npm start, the platform e2e). */
const DEV_ONLY_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';
const DEV_ONLY_JWT_REFRESH_SECRET = 'dev-only-refresh-secret-change-me-0123456789';

/** Every variable auth-service reads, validated at start-up (README lists them). */
export const authConfigSchema = z
  .object({
    PORT: port(3001),
    ...commonEnvShape,
    ...databaseEnvShape('AUTH'),
    // The relay from event_outbox to the auth events stream (libs/events README).
    ...relayEnvVars,
    // Its consumer of web's events (audit records, libs/events README).
    ...consumerEnvVars,

    // Tokens (legacy-api.md 2.2, 2.3). Required in production; refused when shorter than 32.
    JWT_SECRET: secret,
    JWT_REFRESH_SECRET: secret,
    JWT_ACCESS_EXPIRES_IN: duration('1h'),
    JWT_REFRESH_EXPIRES_IN: duration('7d'),
    /** A replaced refresh token presented again within this many seconds is refused without revoking its session (two tabs refreshing at once). */
    REFRESH_REUSE_GRACE_SECONDS: z.preprocess(
      (v) => (v === '' || v === undefined ? 10 : v),
      z.coerce.number().int().min(0, 'must be 0 or more'),
    ),
    BCRYPT_ROUNDS: z.preprocess(
      (v) => (v === '' || v === undefined ? 12 : v),
      z.coerce.number().int().min(10, 'must be at least 10').max(15, 'must be at most 15'),
    ),

    FRONTEND_URL: z.preprocess((v) => (v === '' || v === undefined ? 'http://localhost:4200' : v), z.string().url('must be a URL')),

    // Mail: SMTP when SMTP_HOST is set, otherwise messages are written to the log.
    SMTP_HOST: optional(z.string().min(1)),
    SMTP_PORT: port(587),
    SMTP_SECURE: booleanFlag(false),
    SMTP_USER: optional(z.string().min(1)),
    SMTP_PASSWORD: optional(z.string()),
    MAIL_FROM: optional(z.string().email('must be an e-mail address')),
    /** Legacy name of MAIL_FROM. */
    EMAIL_FROM: optional(z.string().email('must be an e-mail address')),

    // Avatar storage: S3-compatible when a bucket is configured (S3_* or the legacy DO_SPACES_*),
    // otherwise files under UPLOADS_DIR served by this service.
    S3_ENDPOINT: url,
    S3_BUCKET: optional(z.string().min(1)),
    S3_REGION: optional(z.string().min(1)),
    S3_ACCESS_KEY_ID: optional(z.string().min(1)),
    S3_SECRET_ACCESS_KEY: optional(z.string().min(1)),
    S3_PUBLIC_URL: url,
    S3_FORCE_PATH_STYLE: booleanFlag(false),
    DO_SPACES_ENDPOINT: url,
    DO_SPACES_BUCKET: optional(z.string().min(1)),
    DO_SPACES_REGION: optional(z.string().min(1)),
    DO_SPACES_KEY: optional(z.string().min(1)),
    DO_SPACES_SECRET: optional(z.string().min(1)),
    UPLOADS_DIR: z.string().default('./uploads'),
    UPLOADS_PUBLIC_URL: z.preprocess(
      (v) => (v === '' || v === undefined ? 'http://localhost:3000/api/v1/users/uploads' : v),
      z.string().url('must be a URL'),
    ),

    // Tenancy switches (legacy-api.md 1.8). Only the first two change behaviour, as in legacy.
    ENABLE_MULTI_TENANCY: booleanFlag(false),
    TENANT_TOKEN_ISOLATION: booleanFlag(true),
    DEFAULT_TENANT_ID: z.string().default('default'),
    TENANT_ISOLATION_LEVEL: optional(z.enum(['row', 'schema', 'database'], { message: 'must be row, schema or database' })),
    TENANT_DEFAULT_PLAN: optional(
      z.enum(['free', 'starter', 'professional', 'enterprise'], { message: 'must be free, starter, professional or enterprise' }),
    ),
    TENANT_MAX_USERS_DEFAULT: optional(z.coerce.number().int().positive('must be positive')),

    // Client IP: how many proxies (the gateway) sit in front; their X-Forwarded-For is trusted.
    // 0 (default): none, the socket address counts, so a client reaching auth directly cannot
    // spoof its rate-limit bucket. Deployments behind the gateway set 1.
    TRUST_PROXY_HOPS: z.preprocess((v) => (v === '' || v === undefined ? 0 : v), z.coerce.number().int().min(0, 'must be 0 or more')),
    // Rate limits per client IP, kept in Redis. Legacy: 100 per 15 min in production, else 1000.
    RATE_LIMIT_WINDOW_MS: positiveInt(15 * 60 * 1000),
    RATE_LIMIT_MAX: optional(z.coerce.number().int().positive('must be positive')),
    /** Stricter limit for login, register, refresh and password reset (legacy: none). */
    AUTH_RATE_LIMIT_WINDOW_MS: positiveInt(15 * 60 * 1000),
    AUTH_RATE_LIMIT_MAX: positiveInt(100),

    // Login lockout (legacy-api.md 2.8), shared across replicas through Redis, escalating.
    LOCKOUT_MAX_ATTEMPTS: positiveInt(5),
    LOCKOUT_ATTEMPT_WINDOW_MINUTES: positiveInt(15),
    LOCKOUT_BASE_MINUTES: positiveInt(15),
    LOCKOUT_MAX_MULTIPLIER: positiveInt(16),
    /** How long the escalation level is remembered after a lock ends. */
    LOCKOUT_ESCALATION_MEMORY_HOURS: positiveInt(24),
    /** Identical failed attempts within this many seconds count once (the web app resends 3x). */
    LOCKOUT_DUPLICATE_SECONDS: positiveInt(10),

    /**
     * Find legacy API tokens (bcrypt only) by comparing against every row still lacking a sha256.
     * Each legacy token pays this once; turn it off once they have all been used (or re-issued).
     */
    API_TOKEN_LEGACY_FALLBACK: booleanFlag(true),
    /** End of the migration window (ISO 8601): from then on the legacy scan is off, unknown tokens are simply 401. */
    LEGACY_API_TOKEN_SCAN_UNTIL: optional(
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO 8601 date, e.g. 2027-01-31 or 2027-01-31T00:00:00Z')
        .refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date, e.g. 2027-01-31 or 2027-01-31T00:00:00Z'),
    ),
    /** Legacy scans (bcrypt compares) running at once per replica; the libuv pool has 4 threads and logins need some. */
    LEGACY_API_TOKEN_SCAN_CONCURRENCY: positiveInt(2),
    /** Scans waiting beyond the running ones; a token arriving with the queue full is answered 401 without a scan. */
    LEGACY_API_TOKEN_SCAN_QUEUE: positiveInt(16),
    /** Longest a scan waits for a slot; past it the token is answered 401 (not remembered), within web's and forms' RPC deadline. */
    LEGACY_API_TOKEN_SCAN_MAX_WAIT_MS: positiveInt(500),
    /** Over RPC, an unfinished scan is answered NOT_FOUND after this long (below web's and forms' AUTH_RPC_TIMEOUT_MS, 400); it goes on in the background. */
    LEGACY_API_TOKEN_SCAN_RPC_ANSWER_MS: positiveInt(200),
    /** How long an unknown token (sha256 of it, in Redis) is answered 401 without a scan. */
    LEGACY_API_TOKEN_MISS_TTL_SECONDS: positiveInt(600),
    /** Failed legacy scans per client IP and window; past it, that IP's unknown tokens get 401 without a scan. */
    LEGACY_API_TOKEN_FAILED_SCANS_PER_IP: positiveInt(20),
    LEGACY_API_TOKEN_FAILED_SCANS_WINDOW_SECONDS: positiveInt(600),
    /** How often buffered API-token usage rows are written. */
    API_TOKEN_USAGE_FLUSH_MS: positiveInt(1000),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV !== 'production') return;
    for (const name of ['JWT_SECRET', 'JWT_REFRESH_SECRET'] as const) {
      if (!config[name])
        ctx.addIssue({ code: 'custom', path: [name], message: `is required in production (at least ${JWT_SECRET_MIN_LENGTH} characters)` });
    }
  })
  .superRefine(refuseKnownSecretsInProduction(['JWT_SECRET', 'JWT_REFRESH_SECRET']))
  .transform((config) => ({
    ...config,
    JWT_SECRET: config.JWT_SECRET ?? DEV_ONLY_JWT_SECRET,
    JWT_REFRESH_SECRET: config.JWT_REFRESH_SECRET ?? DEV_ONLY_JWT_REFRESH_SECRET,
    RATE_LIMIT_MAX: config.RATE_LIMIT_MAX ?? (config.NODE_ENV === 'production' ? 100 : 1000),
    MAIL_FROM: config.MAIL_FROM ?? config.EMAIL_FROM ?? 'no-reply@localhost',
  }));

export type AuthConfig = z.infer<typeof authConfigSchema>;

export function loadAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  return loadConfig('auth-service', authConfigSchema, env);
}

/** Injection token of the validated config. */
export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
