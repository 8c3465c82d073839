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
  /** Where clients connect (nginx listens here). */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** The nginx binary the gateway runs (Debian: nginx-light). */
  NGINX_BIN: z.string().min(1).default('nginx'),
  NGINX_WORKER_PROCESSES: positiveInt(1),
  /** Largest request body nginx accepts (uploads are read in full before they are forwarded). */
  GATEWAY_MAX_BODY_SIZE: z
    .string()
    .regex(/^\d+[kKmM]?$/, 'must be an nginx size such as 100m')
    .default('100m'),
  /** The gateway's own Nest app on 127.0.0.1 (behind nginx); 0 picks a free port. */
  GATEWAY_APP_PORT: z.preprocess(
    (value) => (value === '' || value === undefined ? 0 : value),
    z.coerce.number({ message: 'must be a port number' }).int().min(0).max(65535),
  ),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export function loadGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  return loadConfig('gateway', gatewayConfigSchema, env);
}

export function upstreams(config: GatewayConfig) {
  return { auth: config.AUTH_SERVICE_URL, web: config.WEB_SERVICE_URL, forms: config.FORMS_SERVICE_URL };
}
