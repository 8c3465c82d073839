import { z } from 'zod';
import { commonEnvShape, databaseEnvShape, loadConfig, port } from '@nafs/config';

/** Every variable web-service reads, validated at start-up (README lists them). */
export const webConfigSchema = z.object({
  PORT: port(3002),
  ...commonEnvShape,
  ...databaseEnvShape('WEB'),
});

export type WebConfig = z.infer<typeof webConfigSchema>;

export function loadWebConfig(env: NodeJS.ProcessEnv): WebConfig {
  return loadConfig('web-service', webConfigSchema, env);
}
