import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { GATEWAY_ROUTES, type ServiceName } from '@nafs/contracts';

import { loadGatewayConfig } from '../src/config/gateway.config';
import { type Gateway, startGateway as startNginxGateway } from '../src/gateway';

interface Echo {
  service: ServiceName;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A stand-in service that answers with what it received. */
function echoServer(service: ServiceName): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url?.startsWith('/health/live') || req.url?.startsWith('/health/ready') || req.url?.startsWith('/api/v1/health')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify(
            req.url === '/api/v1/health/readiness'
              ? { status: 'ready', timestamp: 'x', services: { database: 'ready' } }
              : {
                  status: 'healthy',
                  services: { database: { status: 'connected', latency: 2, connections: { total: 2, idle: 1, waiting: 0 } } },
                },
          ),
        );
        return;
      }
      const echo: Echo = {
        service,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      res.writeHead(201, { 'Content-Type': 'application/json', ETag: '"v1"' });
      res.end(JSON.stringify(echo));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('gateway (real HTTP upstreams)', () => {
  let upstreams: Record<ServiceName, Server>;
  let gateway: Gateway;
  let base: string;

  async function startGateway(overrides: Record<string, string> = {}) {
    return startNginxGateway(
      loadGatewayConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        AUTH_SERVICE_URL: urlOf(upstreams.auth),
        WEB_SERVICE_URL: urlOf(upstreams.web),
        FORMS_SERVICE_URL: urlOf(upstreams.forms),
        UPSTREAM_TIMEOUT_MS: '2000',
        ...overrides,
      }),
      { listenPort: 0 },
    );
  }

  beforeAll(async () => {
    upstreams = { auth: await echoServer('auth'), web: await echoServer('web'), forms: await echoServer('forms') };
    gateway = await startGateway();
    base = gateway.url;
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all(Object.values(upstreams).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it.each(GATEWAY_ROUTES.map((route) => [route.prefix, route.service]))(
    'routes %s/... to %s, path and query untouched',
    async (prefix, service) => {
      const res = await fetch(`${base}${prefix}/some/thing?x=1&y=%C3%A9`);
      expect(res.status).toBe(201);
      const echo = (await res.json()) as Echo;
      expect(echo).toMatchObject({ service, method: 'GET', url: `${prefix}/some/thing?x=1&y=%C3%A9` });
    },
  );

  it('sends short links to forms before the web rule for /api/v1/tools', async () => {
    const shortLinks = (await (await fetch(`${base}/api/v1/tools/short-links`)).json()) as Echo;
    const tools = (await (await fetch(`${base}/api/v1/tools/short-link`)).json()) as Echo;
    expect([shortLinks.service, tools.service]).toEqual(['forms', 'web']);
  });

  it('streams request bodies byte for byte and passes response headers back', async () => {
    const body = '{"email":"ä@example.com","n":9007199254740993,"nested":{"a":[1,2]}}';
    const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const echo = (await res.json()) as Echo;
    expect(echo).toMatchObject({ service: 'auth', method: 'POST', body });
    expect(echo.headers['content-type']).toBe('application/json');
    expect(res.headers.get('etag')).toBe('"v1"');
  });

  it('forwards the client address and a request id', async () => {
    const generated = await fetch(`${base}/api/v1/users`, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
    const echo = (await generated.json()) as Echo;
    expect(echo.headers['x-forwarded-for']).toBe('203.0.113.7,127.0.0.1');
    expect(echo.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.headers.get('x-request-id')).toBe(echo.headers['x-request-id']);

    const kept = (await (await fetch(`${base}/api/v1/users`, { headers: { 'X-Request-Id': 'req-42' } })).json()) as Echo;
    expect(kept.headers['x-request-id']).toBe('req-42');
  });

  it('answers CORS preflights for both app origins with PATCH and X-Tenant-Slug', async () => {
    for (const origin of ['http://localhost:4200', 'http://localhost:4201']) {
      const res = await fetch(`${base}/api/v1/users/1`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'PATCH',
          'Access-Control-Request-Headers': 'authorization,x-tenant-slug',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-methods')).toContain('PATCH');
      expect(res.headers.get('access-control-allow-headers')).toContain('X-Tenant-Slug');
      expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    }
    const foreign = await fetch(`${base}/api/v1/users`, { headers: { Origin: 'https://evil.example' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers unknown routes with the legacy 404 body', async () => {
    const res = await fetch(`${base}/api/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      success: false,
      error: 'Not Found',
      message: 'The requested resource was not found',
      timestamp: expect.any(String),
    });
  });

  it('serves the legacy info and health routes itself, aggregating the services', async () => {
    expect(await (await fetch(`${base}/`)).json()).toMatchObject({
      message: 'NodeAngularFullStack API',
      version: '1.0.0',
      status: 'running',
    });
    expect(await (await fetch(`${base}/health`)).json()).toEqual({
      status: 'alive',
      timestamp: expect.any(String),
      uptime: expect.any(Number),
    });
    const readiness = await fetch(`${base}/api/v1/health/readiness`);
    expect(readiness.status).toBe(200);
    expect(await readiness.json()).toMatchObject({ status: 'ready', services: { database: 'ready' } });
    const detailed = await fetch(`${base}/api/v1/health`);
    expect(detailed.status).toBe(200);
    expect(await detailed.json()).toMatchObject({
      status: 'healthy',
      version: '1.0.0',
      services: { database: { status: 'connected', connections: { total: 6, idle: 3, waiting: 0 } } },
    });
  });

  it('answers 503 in the legacy error shape when a service is down, and recovers', async () => {
    const down = await startGateway({ WEB_SERVICE_URL: 'http://127.0.0.1:9' });
    try {
      const res = await fetch(`${down.url}/api/v1/drawing-projects`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        success: false,
        error: 'Service Unavailable',
        message: 'web-service is unavailable, please try again later',
        timestamp: expect.any(String),
      });
      expect((await fetch(`${down.url}/health/ready`)).status).toBe(503);
      expect((await fetch(`${down.url}/api/v1/auth/me`)).status).toBe(201);
    } finally {
      await down.close();
    }
  });
});
