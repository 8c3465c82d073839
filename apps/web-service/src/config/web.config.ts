import { identityClientEnvShape, requireJwtSecretInProduction } from '@nafs/auth-client';
import { commonEnvShape, databaseEnvShape, loadConfig, port, positiveInt } from '@nafs/config';
import { consumerEnvVars, relayEnvVars } from '@nafs/events';
import { z } from 'zod';

import { exportJobsEnvShape } from '../export-jobs/export-jobs.config';

/** Every variable web-service reads, validated at start-up (README lists them). */
export const webConfigSchema = z
  .object({
    PORT: port(3002),
    ...commonEnvShape,
    ...databaseEnvShape('WEB'),
    // Who is calling: JWT_SECRET, identity cache and auth RPC policy (libs/auth-client README).
    ...identityClientEnvShape,
    // The auth-events consumer group of this service (libs/events README).
    ...consumerEnvVars,
    // The relay of web's own outbox to events:web (tool changes, audit records).
    ...relayEnvVars,
    // Requests per client IP and minute on the tool registry routes (legacy: 100).
    TOOL_REGISTRY_RATE_LIMIT_MAX: positiveInt(100),
    // Export jobs: queue, steps, package storage, forms RPC policy (README "Export jobs").
    ...exportJobsEnvShape,
  })
  .superRefine(requireJwtSecretInProduction);

export type WebConfig = z.infer<typeof webConfigSchema>;

export function loadWebConfig(env: NodeJS.ProcessEnv): WebConfig {
  return loadConfig('web-service', webConfigSchema, env);
}
