import { AuthFixture, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';
import { testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import { Client } from 'pg';

import { WEB_SERVICE } from '../src/service';

const BASE = '/api/v1/drawing-projects';
const template = { version: '1.0', shapes: [{ type: 'rect', x: 1, y: 2 }] };

describe('drawing projects W32-W36 (real PostgreSQL, Redis and auth-service)', () => {
  let auth: AuthFixture;
  let web: RunningTestService;
  let owner: TestUser;
  let other: TestUser;
  let ownerToken: string;
  let otherToken: string;

  const call = async (method: string, path: string, token: string | undefined, body?: unknown, rawBody?: string) => {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined || rawBody !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${web.url}${path}`, {
      method,
      headers,
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
    return { status: res.status, body: json as Record<string, any> };
  };

  const rowCount = async () => {
    const client = new Client({ connectionString: web.database.url });
    await client.connect();
    try {
      return Number((await client.query('SELECT count(*) FROM drawing_projects')).rows[0].count);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    const prefix = uniqueRedisPrefix('dp');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    web = await startTestService(WEB_SERVICE, { ...shared, JWT_SECRET: TEST_JWT_SECRET });
    owner = await auth.createUser();
    other = await auth.createUser();
    ownerToken = auth.accessToken(owner);
    otherToken = auth.accessToken(other);
  });

  afterAll(async () => {
    await web?.close();
    await auth?.stopAll();
  });

  it('creates, lists, reads, updates and deletes a project in the legacy E7 shapes', async () => {
    const created = await call('POST', BASE, ownerToken, {
      name: '  My drawing  ',
      description: 'desc',
      templateData: template,
      thumbnail: 'data:image/png;base64,AAA',
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      success: true,
      message: 'Project created successfully',
      data: {
        project: {
          id: expect.any(String),
          userId: owner.id,
          name: 'My drawing',
          description: 'desc',
          templateData: template,
          thumbnail: 'data:image/png;base64,AAA',
          isActive: true,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      },
    });
    const id = created.body.data.project.id;
    const second = await call('POST', BASE, ownerToken, { name: 'Second', templateData: template });
    expect(second.status).toBe(201);
    expect(second.body.data.project).toMatchObject({ description: null, thumbnail: null });

    const list = await call('GET', BASE, ownerToken);
    expect(list.status).toBe(200);
    expect(list.body.success).toBe(true);
    expect(list.body.data.total).toBe(2);
    expect(list.body.data.projects.map((p: { name: string }) => p.name)).toEqual(['Second', 'My drawing']);
    expect((await call('GET', BASE, otherToken)).body).toEqual({ success: true, data: { projects: [], total: 0 } });

    const one = await call('GET', `${BASE}/${id}`, ownerToken);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ success: true, data: { project: expect.objectContaining({ id, name: 'My drawing' }) } });

    const updated = await call('PUT', `${BASE}/${id}`, ownerToken, { name: 'Renamed', templateData: { version: '2', shapes: [] } });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({
      success: true,
      message: 'Project updated successfully',
      data: { project: expect.objectContaining({ id, name: 'Renamed', templateData: { version: '2', shapes: [] }, description: 'desc' }) },
    });
    expect(new Date(updated.body.data.project.updatedAt).getTime()).toBeGreaterThanOrEqual(
      new Date(one.body.data.project.updatedAt).getTime(),
    );

    const deactivated = await call('PUT', `${BASE}/${id}`, ownerToken, { isActive: false });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.data.project.isActive).toBe(false);
    expect((await call('GET', `${BASE}?activeOnly=true`, ownerToken)).body.data.total).toBe(1);
    expect((await call('GET', `${BASE}?activeOnly=false`, ownerToken)).body.data.total).toBe(2);

    const deleted = await call('DELETE', `${BASE}/${id}`, ownerToken);
    expect(deleted).toEqual({ status: 200, body: { success: true, message: 'Project deleted successfully' } });
    expect((await call('GET', `${BASE}/${id}`, ownerToken)).status).toBe(404);
    expect(await rowCount()).toBe(1);
  });

  it('lets only the owner read, change or delete a project', async () => {
    const created = await call('POST', BASE, ownerToken, { name: 'Private', templateData: template });
    const id = created.body.data.project.id;
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { name: 'Hijack' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(method, `${BASE}/${id}`, otherToken, body);
      expect(res).toEqual({ status: 403, body: { success: false, message: 'Unauthorized access to project' } });
    }
    const missing = await call('GET', `${BASE}/00000000-0000-4000-8000-000000000000`, ownerToken);
    expect(missing).toEqual({ status: 404, body: { success: false, message: 'Project not found or unauthorized' } });
    expect((await call('PUT', `${BASE}/00000000-0000-4000-8000-000000000000`, ownerToken, { name: 'x' })).status).toBe(404);
    expect((await call('DELETE', `${BASE}/00000000-0000-4000-8000-000000000000`, ownerToken)).status).toBe(404);
    expect((await call('GET', `${BASE}/${id}`, ownerToken)).body.data.project.name).toBe('Private');
  });

  it('answers unauthenticated calls with the legacy E1 401 on every route', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    for (const [method, path] of [
      ['GET', BASE],
      ['GET', `${BASE}/${id}`],
      ['POST', BASE],
      ['PUT', `${BASE}/${id}`],
      ['DELETE', `${BASE}/${id}`],
    ]) {
      const res = await call(
        method,
        path,
        undefined,
        method === 'POST' || method === 'PUT' ? { name: 'x', templateData: template } : undefined,
      );
      expect(res).toEqual({
        status: 401,
        body: { error: 'Unauthorized', message: 'Authorization header is required', timestamp: expect.any(String) },
      });
      expect((await call(method, path, 'garbage')).body.message).toBe('Invalid or expired token');
    }
  });

  it('refuses bad input with 4xx in the legacy shapes, never 5xx, and writes nothing', async () => {
    const before = await rowCount();
    const v1 = {
      error: 'Validation Error',
      message: 'Invalid input data provided',
      details: expect.any(Array),
      timestamp: expect.any(String),
    };
    const badCreates: unknown[] = [
      {},
      { templateData: template },
      { name: '', templateData: template },
      { name: '   ', templateData: template },
      { name: 'x'.repeat(256), templateData: template },
      { name: 42, templateData: template },
      { name: ['a'], templateData: template },
      { name: 'ok' },
      { name: 'ok', templateData: 'not an object' },
      { name: 'ok', templateData: [] },
      { name: 'ok', templateData: null },
      { name: 'ok', templateData: { shapes: [] } },
      { name: 'ok', templateData: { version: 1, shapes: [] } },
      { name: 'ok', templateData: { version: '1' } },
      { name: 'ok', templateData: { version: '1', shapes: {} } },
      { name: 'ok', templateData: template, description: 5 },
      { name: 'ok', templateData: template, thumbnail: { a: 1 } },
      [{ name: 'ok', templateData: template }],
    ];
    for (const body of badCreates) {
      const res = await call('POST', BASE, ownerToken, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toEqual(v1);
    }
    const named = await call('POST', BASE, ownerToken, { name: 42, templateData: template });
    expect(named.body.details).toEqual([{ field: 'name', message: 'Project name must be a string', value: 42 }]);

    for (const raw of ['{"name": "x", ', '"just a string"', 'nul']) {
      const malformed = await call('POST', BASE, ownerToken, undefined, raw);
      expect(malformed).toEqual({
        status: 400,
        body: { success: false, error: 'Bad Request', message: expect.any(String), timestamp: expect.any(String) },
      });
    }

    const oversize = await call('POST', BASE, ownerToken, { name: 'big', templateData: template, thumbnail: 'A'.repeat(11 * 1024 * 1024) });
    expect(oversize.status).toBe(413);
    expect(oversize.body).toMatchObject({ success: false, message: expect.any(String) });

    for (const id of ['not-a-uuid', '123', "1' OR '1'='1", '00000000-0000-4000-8000-00000000000Z']) {
      const path = `${BASE}/${encodeURIComponent(id)}`;
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await call(method, path, ownerToken, method === 'PUT' ? { name: 'x' } : undefined);
        expect({ id, method, status: res.status }).toEqual({ id, method, status: 400 });
        expect(res.body).toEqual({ ...v1, details: [{ field: 'id', message: 'Invalid project ID format', value: id }] });
      }
    }

    const created = await call('POST', BASE, ownerToken, { name: 'Target', templateData: template });
    const id = created.body.data.project.id;
    const badUpdates: unknown[] = [
      { name: 5 },
      { name: '' },
      { templateData: [] },
      { templateData: { version: '1' } },
      { isActive: 'yes' },
      { description: 1 },
      [1],
    ];
    for (const body of badUpdates) {
      const res = await call('PUT', `${BASE}/${id}`, ownerToken, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toEqual(v1);
    }
    const empty = await call('PUT', `${BASE}/${id}`, ownerToken, {});
    expect(empty).toEqual({ status: 400, body: { success: false, message: 'At least one field must be provided for update' } });
    expect((await call('GET', `${BASE}/${id}`, ownerToken)).body.data.project).toMatchObject({
      name: 'Target',
      isActive: true,
      templateData: template,
    });
    expect(await rowCount()).toBe(before + 1);
  });

  it('answers NUL bytes, huge ids and deeply nested bodies with a 400 V1, never a 5xx (issue 16.1)', async () => {
    const before = await rowCount();
    const nul = await call('POST', BASE, ownerToken, { name: 'a\u0000b', templateData: template });
    expect(nul).toMatchObject({
      status: 400,
      body: { error: 'Validation Error', details: [{ field: 'name', message: 'must not contain NUL bytes' }] },
    });
    const nulShape = await call('POST', BASE, ownerToken, { name: 'ok', templateData: { ...template, shapes: [{ label: 'x\u0000' }] } });
    expect(nulShape.status).toBe(400);
    expect((await call('GET', `${BASE}/${'a'.repeat(10_000)}`, ownerToken)).status).toBe(400);
    const deep = '{"name":"deep","templateData":{"version":"1","shapes":[' + '['.repeat(20_000) + ']'.repeat(20_000) + ']}}';
    const nested = await call('POST', BASE, ownerToken, undefined, deep);
    expect(nested).toMatchObject({ status: 400, body: { error: 'Validation Error' } });
    const echoed = await call('POST', BASE, ownerToken, { name: 'x'.repeat(100_000), templateData: template });
    expect(echoed.status).toBe(400);
    expect(JSON.stringify(echoed.body).length).toBeLessThan(1024);
    expect(await rowCount()).toBe(before);
  });

  it('refuses writes from a read-scoped API token with 403, and lets a write token write', async () => {
    const readToken = await auth.createApiToken(owner, ['read']);
    const writeToken = await auth.createApiToken(owner, ['read', 'write']);
    const before = await rowCount();
    expect((await call('GET', BASE, readToken)).status).toBe(200);
    const refused = await call('POST', BASE, readToken, { name: 'via token', templateData: template });
    expect(refused).toEqual({
      status: 403,
      body: { error: 'Forbidden', message: expect.stringContaining('scope'), timestamp: expect.any(String) },
    });
    const project = (await call('POST', BASE, writeToken, { name: 'via write token', templateData: template })).body.data.project;
    expect(project.userId).toBe(owner.id);
    expect((await call('PUT', `${BASE}/${project.id}`, readToken, { name: 'nope' })).status).toBe(403);
    expect((await call('DELETE', `${BASE}/${project.id}`, readToken)).status).toBe(403);
    expect(await rowCount()).toBe(before + 1);
  });

  it('refuses a user auth does not know or has deactivated, and writes nothing for them', async () => {
    const ghost: TestUser = { id: '00000000-0000-4000-8000-0000000000aa', email: 'ghost@example.com', role: 'user', tenantId: null };
    const inactive = await auth.createUser({ isActive: false });
    const before = await rowCount();
    for (const user of [ghost, inactive]) {
      const res = await call('POST', BASE, auth.accessToken(user), { name: 'x', templateData: template });
      expect(res).toEqual({
        status: 401,
        body: { error: 'Unauthorized', message: 'Invalid or expired token', timestamp: expect.any(String) },
      });
    }
    expect(await rowCount()).toBe(before);
  });
});
