import { identityClientEnvShape, requireJwtSecretInProduction } from '@nafs/auth-client';
import { commonEnvShape, databaseEnvShape, loadConfig, port } from '@nafs/config';
import { consumerEnvVars } from '@nafs/events';
import { z } from 'zod';

/** Every variable forms-service reads, validated at start-up (README lists them). */
export const formsConfigSchema = z
  .object({
    PORT: port(3003),
    ...commonEnvShape,
    ...databaseEnvShape('FORMS'),
    // Who is calling: JWT_SECRET, identity cache and auth RPC policy (libs/auth-client README).
    ...identityClientEnvShape,
    // The auth-events consumer group of this service (libs/events README).
    ...consumerEnvVars,
    /**
     * Local-disk uploads (theme thumbnails, form images, QR codes) are written here and served by
     * forms at /uploads, which the gateway routes (default URL: through the gateway on :3000).
     */
    FORMS_UPLOADS_DIR: z.string().default('./uploads'),
    FORMS_UPLOADS_PUBLIC_URL: z.preprocess(
      (v) => (v === '' || v === undefined ? 'http://localhost:3000/uploads' : v),
      z.string().url('must be a URL'),
    ),
    /** HS256 secret of form render tokens; the legacy value, so tokens published before the move verify. */
    FORM_RENDER_TOKEN_SECRET: z.preprocess(
      (v) => (v === '' || v === undefined ? 'dev-only-form-render-token-secret-change-me' : v),
      z.string().min(16, 'must be at least 16 characters'),
    ),
    /** The form builder's origin: render URLs `<FRONTEND_URL>/forms/render/<token>`, form short URLs `<FRONTEND_URL>/public/form/<code>`. */
    FRONTEND_URL: z.preprocess((v) => (v === '' || v === undefined ? 'http://localhost:4201' : v), z.string().url('must be a URL')),
    /** Public origin of `/s/<code>` short URLs (legacy BASE_URL). */
    SHORT_LINK_BASE_URL: z.preprocess((v) => (v === '' || v === undefined ? 'http://localhost:3000' : v), z.string().url('must be a URL')),
    /**
     * Proxy hops in front of the service whose X-Forwarded-For is trusted. 0 (default): none, the
     * socket address counts, so a direct client cannot spoof it; behind the gateway set 1.
     */
    TRUST_PROXY_HOPS: z.preprocess((v) => (v === '' || v === undefined ? 0 : v), z.coerce.number().int().min(0, 'must be 0 or more')),
    /** Public routes' rate limits per client IP (Redis); raise them for benchmarks. */
    PUBLIC_RATE_LIMIT_FACTOR: z.preprocess(
      (v) => (v === '' || v === undefined ? 1 : v),
      z.coerce.number().int().min(1, 'must be 1 or more'),
    ),
    /** F22's cap: submissions per client IP per rolling hour (legacy 10). */
    PUBLIC_SUBMIT_LIMIT_PER_HOUR: z.preprocess(
      (v) => (v === '' || v === undefined ? 10 : v),
      z.coerce.number().int().min(1, 'must be 1 or more'),
    ),
  })
  .superRefine(requireJwtSecretInProduction);

export type FormsConfig = z.infer<typeof formsConfigSchema>;

export function loadFormsConfig(env: NodeJS.ProcessEnv): FormsConfig {
  return loadConfig('forms-service', formsConfigSchema, env);
}
