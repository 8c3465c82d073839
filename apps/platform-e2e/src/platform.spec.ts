import { existsSync } from 'node:fs';

import { type ServiceName, SERVICES, tablesOwnedBy } from '@nafs/contracts';
import { dropDatabase, testInfra, uniqueRedisPrefix, waitFor } from '@nafs/database/testing';
import { builtEntryPoint, runToExit, ServiceProcess } from '@nafs/runtime/testing';
import { Client } from 'pg';

const { runId } = testInfra();

function databaseUrl(name: string): string {
  const url = new URL(testInfra().pgUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function readiness(url: string): Promise<{ status: number; body: { error?: Record<string, unknown> } }> {
  const res = await fetch(`${url}/health/ready`);
  return { status: res.status, body: (await res.json()) as { error?: Record<string, unknown> } };
}

describe('the platform from its built bundles (plain node, real PostgreSQL and Redis)', () => {
  const prefix = uniqueRedisPrefix('e2e');
  const databases = Object.fromEntries(
    (['auth', 'web', 'forms'] as ServiceName[]).map((service) => [service, `nafs_t_${runId}_e2e_${service}`]),
  ) as Record<ServiceName, string>;
  let processes: Record<ServiceName, ServiceProcess>;
  let gateway: ServiceProcess;

  const envFor = (service: ServiceName): Record<string, string> => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    REDIS_URL: testInfra().redisUrl,
    REDIS_KEY_PREFIX: prefix,
    RPC_CHANNEL_PREFIX: prefix,
    DB_MIGRATE_ON_START: 'true',
    TRUST_PROXY_HOPS: '1',
    [`${SERVICES[service].dbEnvPrefix}_DB_URL`]: databaseUrl(databases[service]),
  });

  beforeAll(async () => {
    const start = async (service: ServiceName) => {
      expect(existsSync(builtEntryPoint(SERVICES[service].app))).toBe(true);
      return new ServiceProcess(SERVICES[service].app, envFor(service));
    };
    processes = { auth: await start('auth'), web: await start('web'), forms: await start('forms') };
    // Each service creates its own database and migrates it (DB_MIGRATE_ON_START) on first start.
    await Promise.all(Object.values(processes).map((p) => p.start()));
    gateway = new ServiceProcess('gateway', {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      AUTH_SERVICE_URL: processes.auth.url,
      WEB_SERVICE_URL: processes.web.url,
      FORMS_SERVICE_URL: processes.forms.url,
    });
    await gateway.start();
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(Object.values(processes ?? {}).map((p) => p.stop()));
    await Promise.all(Object.values(databases).map((name) => dropDatabase(name)));
  });

  it('created and migrated each service database on start-up', async () => {
    for (const service of ['auth', 'web', 'forms'] as ServiceName[]) {
      const client = new Client({ connectionString: databaseUrl(databases[service]) });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT name FROM typeorm_migrations ORDER BY id');
        expect(rows[0].name).toBe('LegacyBaseline1700000000000');
        const tables = await client.query(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        );
        const present = new Set(tables.rows.map((row) => row.table_name as string));
        expect(tablesOwnedBy(service).filter((table) => !present.has(table))).toEqual([]);
      } finally {
        await client.end();
      }
    }
  });

  it('web and forms reach auth-service over the Redis transport', async () => {
    for (const service of ['web', 'forms'] as const) {
      const { status, body } = await readiness(processes[service].url);
      expect({ service, status }).toEqual({ service, status: 200 });
      expect(body).toMatchObject({ info: { 'auth-rpc': { status: 'up', service: 'auth-service' } } });
    }
  });

  it('the gateway gives one origin: legacy health aggregated over the three real services', async () => {
    const detailed = await fetch(`${gateway.url}/api/v1/health`);
    expect(detailed.status).toBe(200);
    expect(await detailed.json()).toMatchObject({ status: 'healthy', services: { database: { status: 'connected' } } });
    const readiness = await fetch(`${gateway.url}/api/v1/health/readiness`);
    expect(await readiness.json()).toMatchObject({ status: 'ready', services: { database: 'ready' } });
    const proxied = await fetch(`${gateway.url}/api/v1/auth/no-such-route`, { headers: { 'X-Request-Id': 'e2e-1' } });
    expect(proxied.status).toBe(404);
    expect(proxied.headers.get('x-request-id')).toBe('e2e-1');
  });

  it('reports auth as down while it is stopped and recovers without a restart of web or forms', async () => {
    await processes.auth.stop();
    for (const service of ['web', 'forms'] as const) {
      const { status, body } = await readiness(processes[service].url);
      expect({ service, status }).toEqual({ service, status: 503 });
      expect(body.error).toMatchObject({ 'auth-rpc': { status: 'down' } });
    }
    await processes.auth.start();
    await waitFor(async () => (await readiness(processes.web.url)).status === 200, 10000, 'web ready again');
    await waitFor(async () => (await readiness(processes.forms.url)).status === 200, 10000, 'forms ready again');
  });

  it('`migrate` is idempotent: a second run applies nothing', async () => {
    const result = await runToExit(SERVICES.web.app, ['migrate'], { ...envFor('web'), LOG_LEVEL: 'log' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('none pending');
  });

  it('refuses to start on bad configuration, naming each bad variable', async () => {
    const result = await runToExit(SERVICES.auth.app, [], {
      ...envFor('auth'),
      AUTH_DB_PORT: 'not-a-port',
      REDIS_URL: 'http://wrong-scheme',
      PORT: '70000',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid configuration for auth-service');
    for (const variable of ['AUTH_DB_PORT', 'REDIS_URL', 'PORT']) expect(result.stderr).toContain(`${variable}:`);
  });
});
