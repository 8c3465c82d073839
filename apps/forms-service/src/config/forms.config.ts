import { z } from 'zod';
import { commonEnvShape, databaseEnvShape, loadConfig, port } from '@nafs/config';

/** Every variable forms-service reads, validated at start-up (README lists them). */
export const formsConfigSchema = z.object({
  PORT: port(3003),
  ...commonEnvShape,
  ...databaseEnvShape('FORMS'),
});

export type FormsConfig = z.infer<typeof formsConfigSchema>;

export function loadFormsConfig(env: NodeJS.ProcessEnv): FormsConfig {
  return loadConfig('forms-service', formsConfigSchema, env);
}
