import { z } from 'zod';

export class ConfigValidationError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration for ${service}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

/**
 * Validates `env` against `schema` and returns the parsed, typed config. Every problem is reported
 * at once, each naming its variable, so an operator fixes a deployment in one round.
 */
export function loadConfig<S extends z.ZodType>(service: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.join('.') || '(environment)';
    const raw = issue.path.length ? env[String(issue.path[0])] : undefined;
    const got = raw === undefined ? 'it is not set' : `got ${JSON.stringify(raw)}`;
    return `${variable}: ${issue.message} (${got})`;
  });
  throw new ConfigValidationError(service, problems);
}
