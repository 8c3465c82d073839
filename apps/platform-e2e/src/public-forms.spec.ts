import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type ServiceName, SERVICES } from '@nafs/contracts';
import { dropDatabase, testInfra, uniqueRedisPrefix, waitFor } from '@nafs/database/testing';
import { builtEntryPoint, ServiceProcess } from '@nafs/runtime/testing';
import { hash } from 'bcrypt';
import { Client } from 'pg';

const { runId } = testInfra();

function databaseUrl(name: string): string {
  const url = new URL(testInfra().pgUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * forms' short-link tool flag follows web's real outbox relay (events:web), and `/s/:code` counts
 * every click through the gateway: the built bundles of all four processes.
 */
describe('short links across web, forms and the gateway (built bundles, real PostgreSQL and Redis)', () => {
  const prefix = uniqueRedisPrefix('e2e_links');
  const databases = Object.fromEntries(
    (['auth', 'web', 'forms'] as ServiceName[]).map((service) => [service, `nafs_t_${runId}_e2e_links_${service}`]),
  ) as Record<ServiceName, string>;
  let processes: Record<ServiceName, ServiceProcess>;
  let gateway: ServiceProcess;
  let forms: Client;
  let token: string;

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
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${gateway.url}${path}`, {
      method,
      redirect: 'manual',
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json: Record<string, any> = {}; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      json = JSON.parse(text);
    } catch {
      // redirects carry no JSON
    }
    return { status: res.status, body: json, location: res.headers.get('location') };
  };

  beforeAll(async () => {
    for (const service of ['auth', 'web', 'forms'] as ServiceName[]) expect(existsSync(builtEntryPoint(SERVICES[service].app))).toBe(true);
    processes = {
      auth: new ServiceProcess(SERVICES.auth.app, envFor('auth')),
      web: new ServiceProcess(SERVICES.web.app, { ...envFor('web'), EVENTS_RELAY_POLL_MS: '100' }),
      forms: new ServiceProcess(SERVICES.forms.app, {
        ...envFor('forms'),
        EVENTS_BLOCK_MS: '200',
        FORMS_UPLOADS_DIR: mkdtempSync(join(tmpdir(), 'nafs-e2e-links-')),
      }),
    };
    for (const p of Object.values(processes)) await p.start(120_000);
    gateway = new ServiceProcess('gateway', {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      AUTH_SERVICE_URL: processes.auth.url,
      WEB_SERVICE_URL: processes.web.url,
      FORMS_SERVICE_URL: processes.forms.url,
    });
    await gateway.start(60_000);

    const auth = new Client({ connectionString: databaseUrl(databases.auth) });
    await auth.connect();
    await auth.query(
      `INSERT INTO users (email, password_hash, first_name, last_name, role) VALUES ('links-admin@example.com', $1, 'Links', 'Admin', 'admin')`,
      [await hash('Links123!', 4)],
    );
    await auth.end();
    const login = await fetch(`${gateway.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'links-admin@example.com', password: 'Links123!' }),
    });
    token = ((await login.json()) as { data: { accessToken: string } }).data.accessToken;
    forms = new Client({ connectionString: databaseUrl(databases.forms) });
    await forms.connect();
  }, 400_000);

  afterAll(async () => {
    await forms?.end();
    await gateway?.stop();
    await Promise.all(Object.values(processes ?? {}).map((p) => p.stop()));
    await Promise.all(Object.values(databases).map((name) => dropDatabase(name)));
  });

  it('F24 is 403 within 2 s of web disabling the short-link tool, and /s/:code counts all of 200 parallel clicks through the gateway', async () => {
    const created = await api('POST', '/api/v1/admin/tools', {
      key: 'short-link',
      name: 'Short Link',
      description: 'Shorten URLs and share them with a QR code',
      active: true,
    });
    expect(created.status).toBe(201);
    await waitFor(
      async () => (await forms.query(`SELECT active FROM tool_flags WHERE key = 'short-link'`)).rows[0]?.active === true,
      10_000,
      'forms hears of the tool',
    );

    const link = await api('POST', '/api/v1/tools/short-links', { originalUrl: 'https://example.com/landing?x=1', customName: 'e2e-link' });
    expect(link.status).toBe(201);
    const clicks = await Promise.all(Array.from({ length: 200 }, () => api('GET', '/s/e2e-link')));
    expect(clicks.filter((c) => c.status === 302 && c.location === 'https://example.com/landing?x=1')).toHaveLength(200);
    expect((await forms.query(`SELECT click_count FROM short_links WHERE code = 'e2e-link'`)).rows[0].click_count).toBe(200);

    const disabled = await api('PATCH', '/api/v1/admin/tools/short-link', { active: false });
    expect(disabled.status).toBe(200);
    const at = Date.now();
    await waitFor(
      async () => (await api('POST', '/api/v1/tools/short-links', { originalUrl: 'https://example.com/other' })).status === 403,
      2000,
      'F24 403 after web disabled the tool',
      50,
    );
    expect(Date.now() - at).toBeLessThan(2000);
  }, 60_000);
});
