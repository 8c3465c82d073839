import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { ServiceName } from '@nafs/contracts';

import type { OpenApiDocument } from '../src/api-docs/openapi-merge';
import { loadGatewayConfig } from '../src/config/gateway.config';
import { type Gateway, startGateway } from '../src/gateway';

const errorSchema = (service: string) => ({ type: 'object', properties: { [`${service}Error`]: { type: 'string' } } });

function documentOf(service: ServiceName): OpenApiDocument {
  const paths: Record<ServiceName, string[]> = {
    auth: ['/api/v1/auth/login', '/api/v1/users/{id}'],
    web: ['/api/v1/drawing-projects', '/api/v1/drawing-projects/{id}'],
    forms: ['/api/v1/themes', '/s/{code}'],
  };
  return {
    openapi: '3.0.0',
    info: { title: `${service}-service`, version: '1.0.0' },
    paths: Object.fromEntries([
      // Each service also serves health routes; through the gateway those are the gateway's own.
      ['/health/live', { get: { operationId: `${service}Live`, responses: { 200: { description: 'ok' } } } }],
      ...paths[service].map((path) => [
        path,
        {
          post: {
            operationId: `${service}${path}`,
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDto' } } } },
            responses: {},
          },
        },
      ]),
    ]),
    components: {
      schemas: { ErrorDto: errorSchema(service), SharedDto: { type: 'object', properties: { id: { type: 'string' } } } },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}

function docServer(service: ServiceName, proxied: string[]): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/api-docs/swagger.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(documentOf(service)));
      return;
    }
    proxied.push(`${service} ${req.url}`);
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('gateway /api-docs (merged OpenAPI of the three services)', () => {
  const proxied: string[] = [];
  let servers: Record<ServiceName, Server>;
  let gateway: Gateway;
  let base: string;

  beforeAll(async () => {
    servers = { auth: await docServer('auth', proxied), web: await docServer('web', proxied), forms: await docServer('forms', proxied) };
    gateway = await startGateway(
      loadGatewayConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        AUTH_SERVICE_URL: urlOf(servers.auth),
        WEB_SERVICE_URL: urlOf(servers.web),
        FORMS_SERVICE_URL: urlOf(servers.forms),
      }),
      { listenPort: 0 },
    );
    base = gateway.url;
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all(Object.values(servers).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('merges paths (each where the gateway routes it), shares equal components and prefixes colliding ones', async () => {
    const res = await fetch(`${base}/api-docs/swagger.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDocument & {
      paths: Record<
        string,
        Record<string, { tags: string[]; requestBody: { content: { 'application/json': { schema: { $ref: string } } } } }>
      >;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/users/{id}',
        '/api/v1/drawing-projects',
        '/api/v1/drawing-projects/{id}',
        '/api/v1/themes',
      ]),
    );
    // The gateway's own routes come from its controllers; the services' health paths are not merged in.
    expect(doc.paths['/health/live']).toEqual({
      get: expect.objectContaining({ operationId: expect.stringMatching(/^GatewayHealthController_/) }),
    });
    expect(doc.paths['/api/v1/health']).toBeDefined();
    expect(Object.keys(doc.paths).some((path) => path.startsWith('/api-docs'))).toBe(false);

    const refOf = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema.$ref;
    expect(refOf('/api/v1/auth/login')).toBe('#/components/schemas/ErrorDto');
    expect(refOf('/api/v1/drawing-projects')).toBe('#/components/schemas/WebErrorDto');
    expect(refOf('/api/v1/themes')).toBe('#/components/schemas/FormsErrorDto');
    const schemas = doc.components?.['schemas'] as Record<string, unknown>;
    expect(schemas['ErrorDto']).toEqual(errorSchema('auth'));
    expect(schemas['WebErrorDto']).toEqual(errorSchema('web'));
    expect(schemas['FormsErrorDto']).toEqual(errorSchema('forms'));
    expect(Object.keys(schemas).filter((name) => name.endsWith('SharedDto'))).toEqual(['SharedDto']);
    expect(doc.paths['/api/v1/themes'].post.tags).toEqual(['forms-service']);
    expect(doc.tags?.map((tag) => tag.name)).toEqual(expect.arrayContaining(['auth-service', 'web-service', 'forms-service']));
    // A path parameter the service did not declare (Nest's `*path` wildcards) is declared.
    expect((doc.paths['/s/{code}'].post as unknown as { parameters: unknown[] }).parameters).toEqual([
      { name: 'code', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(proxied).toEqual([]);
  });

  it('serves Swagger UI and its files itself (nothing from a CDN, nothing proxied)', async () => {
    const page = await fetch(`${base}/api-docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const source of sources) {
      expect(source.startsWith('/api-docs/')).toBe(true);
      const asset = await fetch(`${base}${source}`);
      expect({ source, status: asset.status }).toEqual({ source, status: 200 });
    }
    expect((await fetch(`${base}/api-docs/swagger-ui-bundle.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${base}/api-docs/..%2Fpackage.json`)).status).toBe(404);
    expect(proxied).toEqual([]);
  });

  it('serves what it has while a service is down, naming the missing one', async () => {
    await new Promise((resolve) => servers.forms.close(resolve));
    const res = await fetch(`${base}/api-docs/swagger.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDocument;
    expect(doc.paths['/api/v1/themes']).toBeUndefined();
    expect(doc.paths['/api/v1/auth/login']).toBeDefined();
    expect(doc.paths['/api/v1/drawing-projects']).toBeDefined();
    expect(doc.info.description).toContain('forms-service');
    expect(doc['x-unavailable']).toEqual(['forms']);
  });
});
