import { z } from 'zod';
import { identityClientEnvShape, requireJwtSecretInProduction } from '@nafs/auth-client';
import { commonEnvShape, databaseEnvShape, loadConfig, port } from '@nafs/config';
import { consumerEnvVars } from '@nafs/events';

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
    /** Theme thumbnails (F13) are written here and served from FORMS_UPLOADS_PUBLIC_URL. */
    FORMS_UPLOADS_DIR: z.string().default('./uploads'),
    FORMS_UPLOADS_PUBLIC_URL: z.preprocess(
      (v) => (v === '' || v === undefined ? 'http://localhost:3003/uploads' : v),
      z.string().url('must be a URL'),
    ),
  })
  .superRefine(requireJwtSecretInProduction);

export type FormsConfig = z.infer<typeof formsConfigSchema>;

export function loadFormsConfig(env: NodeJS.ProcessEnv): FormsConfig {
  return loadConfig('forms-service', formsConfigSchema, env);
}
