import { commonEnvShape, loadConfig, port, positiveInt } from '@nafs/config';
import { GATEWAY_DEFAULT_PORT, SERVICES } from '@nafs/contracts';
import { z } from 'zod';

const url = (fallback: string) =>
  z.preprocess((value) => (value === '' || value === undefined ? fallback : value), z.string().url('must be an http(s) URL'));

/** Every variable the gateway reads, validated at start-up. */
export const gatewayConfigSchema = z.object({
  PORT: port(GATEWAY_DEFAULT_PORT),
  NODE_ENV: commonEnvShape.NODE_ENV,
  LOG_LEVEL: commonEnvShape.LOG_LEVEL,
  LOG_PRETTY: commonEnvShape.LOG_PRETTY,
  AUTH_SERVICE_URL: url(`http://127.0.0.1:${SERVICES.auth.defaultPort}`),
  WEB_SERVICE_URL: url(`http://127.0.0.1:${SERVICES.web.defaultPort}`),
  FORMS_SERVICE_URL: url(`http://127.0.0.1:${SERVICES.forms.defaultPort}`),
  /** Both Angular apps: the dashboard (4200) and the form builder (4201). */
  CORS_ORIGINS: z
    .string()
    .default('http://localhost:4200,http://localhost:4201')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
  UPSTREAM_TIMEOUT_MS: positiveInt(30000),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  return loadConfig('gateway', gatewayConfigSchema, env);
}

export function upstreams(config: GatewayConfig) {
  return { auth: config.AUTH_SERVICE_URL, web: config.WEB_SERVICE_URL, forms: config.FORMS_SERVICE_URL };
}
