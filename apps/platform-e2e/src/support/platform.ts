import { type ServiceName, SERVICES } from '@nafs/contracts';
import { dropDatabase, testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { ServiceProcess } from '@nafs/runtime/testing';

const SERVICE_NAMES: ServiceName[] = ['auth', 'web', 'forms'];

export function databaseUrl(name: string): string {
  const url = new URL(testInfra().pgUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface Platform {
  services: Record<ServiceName, ServiceProcess>;
  gateway: ServiceProcess;
  /** Database name per service (created and migrated by the service itself on start). */
  databases: Record<ServiceName, string>;
  stop(): Promise<void>;
}

/**
 * The three services and the gateway from their built bundles, on the file's own databases
 * (`nafs_t_<run>_<tag>_<service>`) and Redis prefix. `env` is added to every service's
 * environment.
 */
export async function startPlatform(tag: string, options: { logLevel?: string; env?: Record<string, string> } = {}): Promise<Platform> {
  const prefix = uniqueRedisPrefix(`e2e-${tag}`);
  const logLevel = options.logLevel ?? 'warn';
  const databases = Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, `nafs_t_${testInfra().runId}_${tag}_${service}`]),
  ) as Record<ServiceName, string>;
  const envFor = (service: ServiceName): Record<string, string> => ({
    NODE_ENV: 'test',
    LOG_LEVEL: logLevel,
    REDIS_URL: testInfra().redisUrl,
    REDIS_KEY_PREFIX: prefix,
    RPC_CHANNEL_PREFIX: prefix,
    DB_MIGRATE_ON_START: 'true',
    TRUST_PROXY_HOPS: '1',
    ...options.env,
    [`${SERVICES[service].dbEnvPrefix}_DB_URL`]: databaseUrl(databases[service]),
  });
  const services = Object.fromEntries(
    SERVICE_NAMES.map((service) => [service, new ServiceProcess(SERVICES[service].app, envFor(service))]),
  ) as Record<ServiceName, ServiceProcess>;
  let gateway: ServiceProcess | undefined;
  const stop = async () => {
    await gateway?.stop();
    await Promise.all(Object.values(services).map((service) => service.stop()));
    await Promise.all(Object.values(databases).map((name) => dropDatabase(name)));
  };
  try {
    await Promise.all(Object.values(services).map((service) => service.start(180000)));
    gateway = new ServiceProcess('gateway', {
      NODE_ENV: 'test',
      LOG_LEVEL: logLevel,
      AUTH_SERVICE_URL: services.auth.url,
      WEB_SERVICE_URL: services.web.url,
      FORMS_SERVICE_URL: services.forms.url,
    });
    await gateway.start(120000);
    return { services, gateway, databases, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
