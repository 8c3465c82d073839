import { randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

import type { ServiceName } from '@nafs/contracts';

import { loadGatewayConfig } from '../src/config/gateway.config';
import { type Gateway, startGateway as startNginxGateway } from '../src/gateway';

/** The legacy E1 401 body of the auth middleware (legacy-api.md 1.3). */
const UNAUTHORIZED = { error: 'Unauthorized', message: 'Invalid or expired token', timestamp: '2025-11-20T12:00:00.000Z' };

interface Upstream {
  server: Server;
  /** Sockets the upstream accepted, in order: keep-alive shows as few sockets for many requests. */
  connections: number;
  /** Requests that reached the upstream, by path. */
  hits: Record<string, number>;
  port: number;
}

/**
 * A stand-in service. `GET /api/v1/tools` numbers its answers (W16, which the gateway microcaches);
 * so does `/api/v1/tool-registry/export-jobs/:id` (W28, microcached per caller), echoing the
 * Authorization header it was sent, `missing` there is a 404;
 * `POST /api/v1/users/avatar` answers 401 before reading the upload, as
 * auth's guard does (`?close=1`: with `Connection: close`, so it shuts the socket with the upload unread); `/slow` never
 * answers in time; `/big` is a 20 KB JSON body; `/download` streams an attachment in two parts.
 */
function upstream(service: ServiceName, port = 0, ready = true): Promise<Upstream> {
  const state = { connections: 0, hits: {} } as Upstream;
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    const path = url.split('?')[0];
    state.hits[path] = (state.hits[path] ?? 0) + 1;
    if (path === '/api/v1/tools') {
      const n = state.hits[path];
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', ETag: `"tools-${n}"` });
      res.end(JSON.stringify({ success: true, data: { tools: [], n } }));
      return;
    }
    if (path.startsWith('/api/v1/tool-registry/export-jobs/')) {
      const n = state.hits[path];
      const status = path.endsWith('/missing') ? 404 : 200;
      res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, no-store, must-revalidate' });
      res.end(JSON.stringify({ method: req.method, n, authorization: req.headers.authorization ?? null }));
      return;
    }
    if (url.startsWith('/health/ready')) {
      res.writeHead(ready ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ok' : 'error' }));
      return;
    }
    if (url.startsWith('/api/v1/users/avatar')) {
      const body = JSON.stringify(UNAUTHORIZED);
      const closing = url.includes('close=1') ? { Connection: 'close' } : {};
      res.writeHead(401, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...closing });
      res.end(body);
      return;
    }
    if (url.startsWith('/api/v1/auth/slow')) return; // never answers
    if (url.startsWith('/api/v1/auth/big')) {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data: 'x'.repeat(20_000), service }));
      return;
    }
    if (url.startsWith('/api/v1/drawing-projects/download')) {
      res.writeHead(200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="a.csv"' });
      res.write('{"part":1,');
      setTimeout(() => res.end('"part2":2}'), 300);
      return;
    }
    req.resume();
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ service, url })));
  });
  server.on('connection', () => state.connections++);
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve(Object.assign(state, { server, port: (server.address() as AddressInfo).port }))),
  );
}

const countBy = (values: string[]) =>
  values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [value]: (counts[value] ?? 0) + 1 }), {});

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  socket: Socket;
}

/** One request through `agent`; `upload` sends a chunked body in pieces, with pauses between them. */
function send(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; agent?: Agent; upload?: Buffer[]; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: options.agent,
      timeout: options.timeoutMs ?? 5000,
    });
    req.on('timeout', () => req.destroy(new Error(`timed out: ${path}`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), socket: req.socket as Socket }),
      );
      res.on('error', reject);
    });
    if (!options.upload) {
      req.end();
      return;
    }
    const pieces = [...options.upload];
    const next = () => {
      const piece = pieces.shift();
      if (!piece) return void req.end();
      req.write(piece, () => setImmediate(next));
    };
    next();
  });
}

describe('gateway proxy (keep-alive, early answers, timeouts, restarts, compression)', () => {
  let services: Record<ServiceName, Upstream>;
  let gateway: Gateway;
  let base: string;

  async function startGateway(overrides: Record<string, string> = {}) {
    return startNginxGateway(
      loadGatewayConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        AUTH_SERVICE_URL: `http://127.0.0.1:${services.auth.port}`,
        WEB_SERVICE_URL: `http://127.0.0.1:${services.web.port}`,
        FORMS_SERVICE_URL: `http://127.0.0.1:${services.forms.port}`,
        UPSTREAM_TIMEOUT_MS: '1000',
        ...overrides,
      }),
      { listenPort: 0 },
    );
  }

  beforeAll(async () => {
    services = { auth: await upstream('auth'), web: await upstream('web'), forms: await upstream('forms') };
    gateway = await startGateway();
    base = gateway.url;
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all(Object.values(services).map((service) => close(service.server)));
  });

  it('keeps the client connection and the service connection alive across requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = services.web.connections;
      const replies = [];
      for (let i = 0; i < 10; i++) replies.push(await send(base, `/api/v1/drawing-projects?i=${i}`, { agent }));
      expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(200));
      expect(replies.every((reply) => reply.headers.connection !== 'close')).toBe(true);
      // One client socket for all ten, and one upstream socket reused by the gateway's pool.
      expect(new Set(replies.map((reply) => reply.socket)).size).toBe(1);
      expect(services.web.connections - before).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  // A Node service leaves the upload unread and keeps the connection (it discards the rest itself):
  // every answer must be its 401. One that closes the connection with the upload unread resets
  // the gateway's socket, which can lose its answer in flight: the client then gets the legacy
  // 503, never a reset of its own connection.
  it.each([
    ['leaves the upload unread', '/api/v1/users/avatar', ['ok']],
    ['closes its connection after answering', '/api/v1/users/avatar?close=1', ['ok', 'unavailable']],
  ])(
    'passes a 401 the service sends before reading a chunked upload, 200 times in a row, none reset (service %s)',
    async (label, path, allowed) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const boundary = 'xBoundary';
      const upload = [
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`),
        ...Array.from({ length: 8 }, () => Buffer.alloc(32 * 1024, 7)),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ];
      const outcomes: string[] = [];
      try {
        for (let i = 0; i < 200; i++) {
          try {
            const reply = await send(base, path, {
              method: 'POST',
              agent,
              headers: {
                Authorization: 'Bearer not-a-token',
                'Content-Type': `multipart/form-data; boundary=${boundary}`,
                'Transfer-Encoding': 'chunked',
              },
              upload,
            });
            const body = reply.body.toString();
            outcomes.push(
              reply.status === 401 && body === JSON.stringify(UNAUTHORIZED)
                ? 'ok'
                : reply.status === 503 && body.includes('auth-service is unavailable')
                  ? 'unavailable'
                  : `${reply.status} ${body.slice(0, 80)}`,
            );
          } catch (error) {
            outcomes.push(`error ${(error as Error).message}`);
          }
        }
      } finally {
        agent.destroy();
      }
      // Every answer is the service's 401 or, for the closing service, the legacy 503: never a reset.
      // How many 503s depends on timing (5-44 of 200 on a quiet box, 149 under CI load): printed, not asserted.
      expect(outcomes.filter((outcome) => !allowed.includes(outcome))).toEqual([]);
      expect(outcomes).toContain('ok');
      console.log(`early 401 on an upload (service ${label}): ${JSON.stringify(countBy(outcomes))} of 200`);
    },
    60_000,
  );

  it('keeps W16 for a second or two: concurrent and repeated calls reach web once, each with its own request id and CORS; If-None-Match gets a 304; then web is asked again', async () => {
    const origin = 'http://localhost:4200';
    const headers = { Origin: origin, Authorization: 'Bearer not-a-token' };
    const before = services.web.hits['/api/v1/tools'] ?? 0;
    const first = await send(base, '/api/v1/tools', { headers });
    expect(first.status).toBe(200);
    const n = JSON.parse(first.body.toString()).data.n;
    const replies = await Promise.all(Array.from({ length: 20 }, () => send(base, '/api/v1/tools', { headers })));
    expect(replies.map((reply) => [reply.status, JSON.parse(reply.body.toString()).data.n])).toEqual(replies.map(() => [200, n]));
    expect(services.web.hits['/api/v1/tools']).toBe(before + 1);
    expect(new Set([first, ...replies].map((reply) => reply.headers['x-request-id'])).size).toBe(21);
    for (const reply of replies) expect(reply.headers['access-control-allow-origin']).toBe(origin);
    const etag = first.headers.etag as string;
    expect(etag).toBe(`"tools-${n}"`);
    expect((await send(base, '/api/v1/tools', { headers: { 'If-None-Match': etag } })).status).toBe(304);
    // Only that exact path: below it every call reaches web.
    const below = services.web.hits['/api/v1/tools/abc'] ?? 0;
    await send(base, '/api/v1/tools/abc');
    await send(base, '/api/v1/tools/abc');
    expect(services.web.hits['/api/v1/tools/abc']).toBe(below + 2);
    // nginx counts cache validity in whole seconds: "1 s" lasts until the next second but one.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const later = await send(base, '/api/v1/tools', { headers });
    expect(JSON.parse(later.body.toString()).data.n).toBe(n + 1);
    expect(services.web.hits['/api/v1/tools']).toBe(before + 2);
  });

  it('keeps W28 for a second or two per access token only: never across callers, never without a JWT, never a 404 or a POST', async () => {
    const jwt = (signature: string) => ({ Authorization: `Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.${signature}` });
    const job = `/api/v1/tool-registry/export-jobs/${randomUUID()}`;
    const poll = async (headers: Record<string, string>, path = job, method = 'GET') => {
      const reply = await send(base, path, { headers, method });
      return { status: reply.status, ...JSON.parse(reply.body.toString()), noStore: reply.headers['cache-control'] };
    };
    const alice = await poll(jwt('alice-signature'));
    expect(alice).toMatchObject({ status: 200, authorization: jwt('alice-signature').Authorization });
    expect(alice.noStore).toBe('no-cache, no-store, must-revalidate');
    const again = await Promise.all(Array.from({ length: 10 }, () => poll(jwt('alice-signature'))));
    expect(again.map((reply) => reply.n)).toEqual(again.map(() => alice.n));
    // Another token (or the same token for another tenant) is another caller: web is asked.
    const bob = await poll(jwt('bob-signature'));
    expect(bob).toMatchObject({ n: alice.n + 1, authorization: jwt('bob-signature').Authorization });
    expect((await poll({ ...jwt('alice-signature'), 'X-Tenant-Slug': 'acme' })).n).toBe(alice.n + 2);
    // No credentials, an API token: every call reaches web.
    expect((await poll({})).n).toBe(alice.n + 3);
    expect((await poll({})).n).toBe(alice.n + 4);
    const apiToken = { Authorization: `Bearer ${'ab'.repeat(32)}` };
    expect((await poll(apiToken)).n).toBe(alice.n + 5);
    expect((await poll(apiToken)).n).toBe(alice.n + 6);
    // Not a 404, not a POST, not below the job's path.
    const missing = '/api/v1/tool-registry/export-jobs/missing';
    const misses = [await poll(jwt('alice-signature'), missing), await poll(jwt('alice-signature'), missing)];
    expect(misses.map((reply) => [reply.status, reply.n])).toEqual([
      [404, 1],
      [404, 2],
    ]);
    expect((await poll(jwt('alice-signature'), job, 'POST')).n).toBe(alice.n + 7);
    expect(services.web.hits[job]).toBe(alice.n + 7);
    const below = `${job}/checksum`;
    await poll(jwt('alice-signature'), below);
    await poll(jwt('alice-signature'), below);
    expect(services.web.hits[below]).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await poll(jwt('alice-signature'))).n).toBe(alice.n + 8);
  });

  it('answers 503 in the legacy shape when the service does not answer within the timeout', async () => {
    const started = Date.now();
    const reply = await send(base, '/api/v1/auth/slow');
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body.toString())).toEqual({
      success: false,
      error: 'Service Unavailable',
      message: 'auth-service is unavailable, please try again later',
      timestamp: expect.any(String),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('answers 503 while a service restarts under load, never hangs, and the pool recovers', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    const statuses: number[] = [];
    const failures: string[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        try {
          statuses.push((await send(base, '/api/v1/forms/load', { agent, timeoutMs: 3000 })).status);
        } catch (error) {
          failures.push((error as Error).message);
        }
      }
    };
    const workers = Array.from({ length: 10 }, worker);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const port = services.forms.port;
      await close(services.forms.server);
      await new Promise((resolve) => setTimeout(resolve, 500));
      services.forms = await upstream('forms', port);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const during = statuses.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      running = false;
      await Promise.all(workers);
      expect(failures).toEqual([]);
      expect(new Set(statuses)).toEqual(new Set([200, 503]));
      // After the restart every request is served again.
      expect(statuses.slice(during + 10).every((status) => status === 200)).toBe(true);
      expect(statuses.length - during).toBeGreaterThan(10);
    } finally {
      running = false;
      agent.destroy();
    }
  }, 30_000);

  it('gzips large JSON for clients that accept it, and streams attachments untouched', async () => {
    const big = await send(base, '/api/v1/auth/big', { headers: { 'Accept-Encoding': 'gzip, deflate' } });
    expect(big.headers['content-encoding']).toBe('gzip');
    expect(big.headers.vary).toContain('Accept-Encoding');
    expect(JSON.parse(gunzipSync(big.body).toString())).toMatchObject({ service: 'auth' });
    expect(big.body.length).toBeLessThan(2000);

    const plain = await send(base, '/api/v1/auth/big');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString()).data).toHaveLength(20_000);

    // The first part reaches the client before the service has written the second.
    const firstByte = await new Promise<number>((resolve, reject) => {
      const started = Date.now();
      request(`${base}/api/v1/drawing-projects/download`, { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
        expect(res.headers['content-encoding']).toBeUndefined();
        expect(res.headers['content-disposition']).toContain('attachment');
        res.once('data', () => resolve(Date.now() - started));
        res.resume();
      })
        .on('error', reject)
        .end();
    });
    expect(firstByte).toBeLessThan(250);
  });

  it('is ready only when every service is ready, and names no internal address when one is down', async () => {
    expect((await send(base, '/health/ready')).status).toBe(200);
    const formsNotReady = await upstream('forms', 0, false);
    const notReady = await startGateway({ FORMS_SERVICE_URL: `http://127.0.0.1:${formsNotReady.port}` });
    const gone = await startGateway({ WEB_SERVICE_URL: 'http://127.0.0.1:9' });
    try {
      const ready = await send(notReady.url, '/health/ready');
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body.toString())).toMatchObject({
        status: 'error',
        details: { forms: { status: 'down' }, auth: { status: 'up' } },
      });
      const detailed = await send(gone.url, '/api/v1/health');
      expect(detailed.status).toBe(503);
      expect(detailed.body.toString()).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|http:\/\//);
      expect(JSON.parse(detailed.body.toString())).toMatchObject({
        status: 'unhealthy',
        services: { database: { status: 'disconnected' } },
      });
    } finally {
      await notReady.close();
      await gone.close();
      await close(formsNotReady.server);
    }
  });
});
