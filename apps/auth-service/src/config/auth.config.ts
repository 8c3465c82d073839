import { z } from 'zod';
import { commonEnvShape, databaseEnvShape, loadConfig, port } from '@nafs/config';

/** Every variable auth-service reads, validated at start-up (README lists them). */
export const authConfigSchema = z.object({
  PORT: port(3001),
  ...commonEnvShape,
  ...databaseEnvShape('AUTH'),
});

export type AuthConfig = z.infer<typeof authConfigSchema>;

export function loadAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  return loadConfig('auth-service', authConfigSchema, env);
}
