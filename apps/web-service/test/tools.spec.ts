// Admin tools, tool configs, public tools, tool registry and the retired test tool (W1–W24,
// W37–W41) on the seeded legacy fixture copied into web's database, with the real auth-service
// bundle answering who is calling, and two web-service instances sharing the database and Redis.
import { AuthFixture, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';
import { copyLegacyTables, createSeededLegacyDatabase, type TestDatabase, testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { createServiceApp } from '@nafs/runtime';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';

import { WEB_SERVICE } from '../src/service';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Body = Record<string, any>;

describe('tools, tool configs, public tools and the tool registry on the legacy fixture (real PostgreSQL, Redis, auth)', () => {
  let auth: AuthFixture;
  let legacy: TestDatabase;
  let web: RunningTestService;
  let second: { app: INestApplication; url: string };
  let db: Client;
  let admin: TestUser;
  let user: TestUser;
  let adminToken: string;
  let userToken: string;

  async function call(
    base: string,
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : text;
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, body: body as Body };
  }
  const api = (method: string, path: string, options: Parameters<typeof call>[3] = {}) => call(web.url, method, path, options);
  const asAdmin = (method: string, path: string, body?: unknown) => api(method, path, { token: adminToken, body });
  const rows = async <T = Body>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows as T[];
  const count = async (sql: string, params: unknown[] = []) => Number((await rows<{ count: string }>(sql, params))[0].count);

  beforeAll(async () => {
    const prefix = uniqueRedisPrefix('tools');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    [legacy] = await Promise.all([createSeededLegacyDatabase('web_tools'), auth.addReplica()]);
    web = await startTestService(WEB_SERVICE, {
      ...shared,
      JWT_SECRET: TEST_JWT_SECRET,
      EVENTS_RELAY_POLL_MS: '50',
      TOOL_REGISTRY_RATE_LIMIT_MAX: '80',
    });
    await copyLegacyTables(legacy.url, web.database.url, 'web');
    const app = await createServiceApp(WEB_SERVICE, WEB_SERVICE.loadConfig(web.env));
    await app.listen(0, '127.0.0.1');
    second = { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
    db = new Client({ connectionString: web.database.url });
    await db.connect();
    admin = await auth.createUser({ role: 'admin' });
    user = await auth.createUser();
    adminToken = auth.accessToken(admin);
    userToken = auth.accessToken(user);
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await second?.app.close();
    await web?.close();
    await auth?.stopAll();
    await legacy?.drop();
  });

  describe('admin tools W1–W5, W12–W15', () => {
    it('W1 lists every legacy tool by name with a weak ETag; a conditional request to the other instance is a 304 that needs no database', async () => {
      const first = await asAdmin('GET', '/api/v1/admin/tools');
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ success: true, data: { tools: expect.any(Array) }, timestamp: expect.any(String) });
      const expected = await rows<{ key: string }>(`SELECT key FROM tools ORDER BY name, key`);
      expect(first.body.data.tools.map((t: Body) => t.key)).toEqual(expected.map((t) => t.key));
      expect(first.body.data.tools.find((t: Body) => t.key === 'form-builder')).toEqual({
        id: expect.any(String),
        key: 'form-builder',
        name: 'Form Builder',
        slug: 'forms',
        description: null,
        active: true,
        createdAt: null,
        updatedAt: null,
      });
      const etag = first.headers.get('etag') as string;
      expect(etag).toMatch(/^W\/"[0-9a-f]{32}-\d+"$/);
      expect(first.headers.get('cache-control')).toBe('private, max-age=300');
      expect(first.headers.get('x-frame-options')).toBe('DENY');
      expect(first.headers.get('x-xss-protection')).toBe('1; mode=block');
      expect(first.headers.get('x-content-type-options')).toBe('nosniff');

      // The other replica knows the same ETag. With the tools table locked against every access,
      // the 304 still comes back at once: it is answered from Redis alone.
      const locker = new Client({ connectionString: web.database.url });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE tools IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        const conditional = await call(second.url, 'GET', '/api/v1/admin/tools', { token: adminToken, headers: { 'If-None-Match': etag } });
        expect(conditional.status).toBe(304);
        expect(conditional.body).toBe('');
        expect(conditional.headers.get('etag')).toBe(etag);
        expect(Date.now() - started).toBeLessThan(1000);
      } finally {
        await locker.query('ROLLBACK');
        await locker.end();
      }

      // A write on one instance changes the ETag on both.
      expect((await asAdmin('PATCH', '/api/v1/admin/tools/pdf-export', { active: false })).status).toBe(200);
      const after = await call(second.url, 'GET', '/api/v1/admin/tools', { token: adminToken, headers: { 'If-None-Match': etag } });
      expect(after.status).toBe(200);
      expect(after.body.data.tools.find((t: Body) => t.key === 'pdf-export').active).toBe(false);
      const newEtag = after.headers.get('etag');
      expect(newEtag).not.toBe(etag);
      expect((await api('GET', '/api/v1/admin/tools', { token: adminToken, headers: { 'If-None-Match': newEtag as string } })).status).toBe(
        304,
      );
      expect((await asAdmin('PATCH', '/api/v1/admin/tools/pdf-export', { active: true })).status).toBe(200);
    });

    it('refuses non-admins with the legacy 403 and anonymous callers with 401 (E1), security headers included', async () => {
      const forbidden = await api('GET', '/api/v1/admin/tools', { token: userToken });
      expect(forbidden).toMatchObject({
        status: 403,
        body: { error: 'Forbidden', message: 'Insufficient permissions', timestamp: expect.any(String) },
      });
      expect(forbidden.headers.get('x-frame-options')).toBe('DENY');
      const before = await count('SELECT count(*) FROM tools');
      expect(
        (
          await api('POST', '/api/v1/admin/tools', {
            token: userToken,
            body: { key: 'user-made', name: 'User Made', description: 'made by a user' },
          })
        ).status,
      ).toBe(403);
      expect((await api('DELETE', '/api/v1/admin/tools/short-link', { token: userToken })).status).toBe(403);
      expect((await api('GET', '/api/v1/admin/tools/short-link/configs', { token: userToken })).status).toBe(403);
      expect(await count('SELECT count(*) FROM tools')).toBe(before);
      expect(await api('GET', '/api/v1/admin/tools')).toMatchObject({
        status: 401,
        body: { error: 'Unauthorized', message: 'Authorization header is required' },
      });
    });

    it('W2 active tools, W3 key availability and rules, W4 component check, W5 slug, W12 key', async () => {
      const active = await asAdmin('GET', '/api/v1/admin/tools/active');
      expect(active.status).toBe(200);
      expect(active.body.data.tools.length).toBe(await count('SELECT count(*) FROM tools WHERE active'));
      expect(active.body.data.tools.every((t: Body) => t.active)).toBe(true);

      expect((await asAdmin('GET', '/api/v1/admin/tools/validate-key/short-link')).body).toEqual({
        success: true,
        available: false,
        message: 'Tool key is already taken',
        timestamp: expect.any(String),
      });
      expect((await asAdmin('GET', '/api/v1/admin/tools/validate-key/brand-new-tool')).body).toMatchObject({
        success: true,
        available: true,
        message: 'Tool key is available',
      });
      for (const bad of ['admin', 'Bad_Key', 'a', `${'x'.repeat(51)}`, 'trailing-']) {
        const res = await asAdmin('GET', `/api/v1/admin/tools/validate-key/${bad}`);
        expect({ bad, status: res.status, code: res.body.error?.code }).toEqual({ bad, status: 400, code: 'VALIDATION_ERROR' });
      }

      const component = await asAdmin('GET', '/api/v1/admin/tools/check-component/svg-drawing');
      expect(component.status).toBe(200);
      expect(component.body.data).toMatchObject({ exists: false, reason: expect.stringContaining('Angular source tree') });

      expect((await asAdmin('GET', '/api/v1/admin/tools/slug/forms')).body.data.tool).toMatchObject({ key: 'form-builder', slug: 'forms' });
      expect((await asAdmin('GET', '/api/v1/admin/tools/slug/svg-drawing')).body.data.tool.key).toBe('svg-drawing');
      expect(await asAdmin('GET', '/api/v1/admin/tools/slug/nope')).toMatchObject({
        status: 404,
        body: { success: false, error: { code: 'TOOL_NOT_FOUND', message: "Tool with slug 'nope' not found" } },
      });
      expect((await asAdmin('GET', '/api/v1/admin/tools/short-link')).body.data.tool).toMatchObject({
        key: 'short-link',
        name: 'Short Link Generator',
        description: 'Create short links &amp; QR codes',
      });
      expect(await asAdmin('GET', '/api/v1/admin/tools/nope')).toMatchObject({
        status: 404,
        body: { error: { code: 'TOOL_NOT_FOUND', message: "Tool with key 'nope' not found" } },
      });
    });

    it('W13 creates a tool with the trigger-derived slug, exactly one default config, a tool event and an audit event in the outbox', async () => {
      const res = await asAdmin('POST', '/api/v1/admin/tools', {
        key: 'pdf-export-new',
        name: 'PDF Export',
        description: 'Exports <b>pages</b> to PDF files',
        icon: 'pi-file',
        category: 'x',
      });
      expect(res.status).toBe(201);
      const tool = res.body.data.tool;
      expect(tool).toEqual({
        id: expect.any(String),
        key: 'pdf-export-new',
        name: 'PDF Export',
        slug: 'pdf-export-2',
        description: 'Exports pages to PDF files',
        active: true,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(
        await rows(`SELECT version, display_mode, layout_settings, is_active FROM tool_configs WHERE tool_id = $1`, [tool.id]),
      ).toEqual([
        { version: '1.0.0', display_mode: 'standard', layout_settings: { maxWidth: '1200px', padding: '2rem' }, is_active: true },
      ]);
      const events = await rows<{ type: string; payload: Body }>(
        `SELECT type, payload FROM event_outbox WHERE payload->>'toolId' = $1 OR payload->>'resourceId' = $1 ORDER BY occurred_at`,
        [tool.id],
      );
      expect(events).toEqual([
        {
          type: 'web.tool.created',
          payload: { toolId: tool.id, key: 'pdf-export-new', name: 'PDF Export', active: true, schemaVersion: 1 },
        },
        {
          type: 'web.audit.recorded',
          payload: expect.objectContaining({
            schemaVersion: 1,
            userId: admin.id,
            tenantId: null,
            action: 'CREATE',
            resourceType: 'tools',
            resourceId: tool.id,
            details: { key: 'pdf-export-new', name: 'PDF Export', description: 'Exports pages to PDF files', active: true },
          }),
        },
      ]);

      const dup = await asAdmin('POST', '/api/v1/admin/tools', {
        key: 'pdf-export-new',
        name: 'Other Name',
        description: 'another description',
      });
      expect(dup).toMatchObject({
        status: 400,
        body: {
          success: false,
          error: { code: 'VALIDATION_ERROR', details: [expect.objectContaining({ path: 'key', msg: 'Tool key already exists' })] },
        },
      });
      const explicit = await asAdmin('POST', '/api/v1/admin/tools', {
        key: 'with-slug',
        name: 'With Slug',
        description: 'has its own slug',
        slug: 'custom-slug',
        active: false,
      });
      expect(explicit.body.data.tool).toMatchObject({ slug: 'custom-slug', active: false });
    });

    it('bad keys, XSS and bad fields are a 4xx and change nothing', async () => {
      const before = await count('SELECT count(*) FROM tools');
      const outboxBefore = await count('SELECT count(*) FROM event_outbox');
      const cases: [unknown, number, string][] = [
        [{ key: 'Bad Key', name: 'Fine Name', description: 'a fine description' }, 400, 'VALIDATION_ERROR'],
        [{ key: 'api', name: 'Fine Name', description: 'a fine description' }, 400, 'VALIDATION_ERROR'],
        [{ key: 'ok-key', name: '<script>alert(1)</script>', description: 'a fine description' }, 400, 'SECURITY_VIOLATION'],
        [{ key: 'ok-key', name: 'Fine', description: '<img src=x onerror=alert(1)>' }, 400, 'SECURITY_VIOLATION'],
        [{ key: 'ok-key', name: 'Name$%', description: 'a fine description' }, 400, 'VALIDATION_ERROR'],
        [{ key: 'ok-key', name: 'Fine Name', description: 'short' }, 400, 'VALIDATION_ERROR'],
        [{ key: 'ok-key', name: 'Fine\u0000Name', description: 'a fine description' }, 400, 'VALIDATION_ERROR'],
        [{ key: 'ok-key', name: 'Fine Name', description: 'a fine description', active: 'yes' }, 400, 'VALIDATION_ERROR'],
      ];
      for (const [body, status, code] of cases) {
        const res = await asAdmin('POST', '/api/v1/admin/tools', body);
        expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status, code });
      }
      expect((await asAdmin('PATCH', '/api/v1/admin/tools/short-link', { active: 'no' })).status).toBe(400);
      expect((await asAdmin('PATCH', '/api/v1/admin/tools/short-link', {})).status).toBe(400);
      expect(await count('SELECT count(*) FROM tools')).toBe(before);
      expect(await count('SELECT count(*) FROM event_outbox')).toBe(outboxBefore);
    });

    it('W14 toggles a legacy tool (keys from before the kebab-case rule too) and W15 deletes with its configs', async () => {
      const [legacyKey] = await rows<{ key: string; id: string }>(`SELECT key, id FROM tools WHERE key LIKE 'tool.%' ORDER BY key LIMIT 1`);
      const off = await asAdmin('PATCH', `/api/v1/admin/tools/${legacyKey.key}`, { active: false });
      expect(off).toMatchObject({ status: 200, body: { success: true, data: { tool: { key: legacyKey.key, active: false } } } });
      expect(
        (
          await rows(`SELECT type, payload FROM event_outbox WHERE type = 'web.tool.updated' AND payload->>'toolId' = $1`, [legacyKey.id])
        ).at(-1),
      ).toMatchObject({ payload: { active: false } });
      expect(await asAdmin('PATCH', '/api/v1/admin/tools/missing-tool', { active: false })).toMatchObject({
        status: 404,
        body: { error: { code: 'TOOL_NOT_FOUND' } },
      });

      const created = (
        await asAdmin('POST', '/api/v1/admin/tools', { key: 'to-delete', name: 'To Delete', description: 'will be deleted' })
      ).body.data.tool;
      const removed = await asAdmin('DELETE', '/api/v1/admin/tools/to-delete');
      expect(removed).toMatchObject({ status: 200, body: { success: true, message: "Tool 'to-delete' deleted successfully" } });
      expect(await count('SELECT count(*) FROM tool_configs WHERE tool_id = $1', [created.id])).toBe(0);
      expect(
        await rows(`SELECT payload FROM event_outbox WHERE type = 'web.tool.deleted' AND payload->>'toolId' = $1`, [created.id]),
      ).toEqual([{ payload: { toolId: created.id, key: 'to-delete', name: 'To Delete', active: false, schemaVersion: 1 } }]);
      expect(
        await rows(
          `SELECT payload->>'action' AS action FROM event_outbox WHERE type = 'web.audit.recorded' AND payload->>'resourceId' = $1 ORDER BY occurred_at`,
          [created.id],
        ),
      ).toEqual([{ action: 'CREATE' }, { action: 'DELETE' }]);
      expect((await asAdmin('DELETE', '/api/v1/admin/tools/to-delete')).status).toBe(404);
    });
  });

  describe('tool configs W6–W11', () => {
    it('W6 is readable by every authenticated user; unknown tools and tools without an active config are 404 (E5)', async () => {
      const res = await api('GET', '/api/v1/admin/tools/short-link/configs/active', { token: userToken });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        data: {
          config: expect.objectContaining({
            toolId: expect.any(String),
            isActive: true,
            version: expect.any(String),
            displayMode: expect.any(String),
          }),
        },
      });
      expect(await api('GET', '/api/v1/admin/tools/nope-tool/configs/active', { token: userToken })).toMatchObject({
        status: 404,
        body: { success: false, message: "Tool with key 'nope-tool' not found" },
      });
      const [inactive] = await rows<{ key: string }>(
        `SELECT t.key FROM tools t WHERE EXISTS (SELECT 1 FROM tool_configs c WHERE c.tool_id = t.id) AND NOT EXISTS (SELECT 1 FROM tool_configs c WHERE c.tool_id = t.id AND c.is_active) LIMIT 1`,
      );
      expect(await api('GET', `/api/v1/admin/tools/${inactive.key}/configs/active`, { token: userToken })).toEqual(
        expect.objectContaining({ status: 404, body: { success: false, message: 'No active configuration found for this tool' } }),
      );
      expect(await api('GET', '/api/v1/admin/tools/x/configs/active', { token: userToken })).toMatchObject({
        status: 400,
        body: { success: false, errors: [expect.objectContaining({ path: 'toolKey' })] },
      });
    });

    it('W7 lists configs and creates the default for a tool that has none (form-builder in the fixture)', async () => {
      expect(await count(`SELECT count(*) FROM tool_configs c JOIN tools t ON t.id = c.tool_id WHERE t.key = 'form-builder'`)).toBe(0);
      const res = await asAdmin('GET', '/api/v1/admin/tools/form-builder/configs');
      expect(res.status).toBe(200);
      expect(res.body.data.configs).toHaveLength(1);
      expect(res.body.data.activeConfig).toMatchObject({
        version: '1.0.0',
        displayMode: 'standard',
        layoutSettings: { maxWidth: '1200px', padding: '2rem' },
        isActive: true,
      });
      expect((await asAdmin('GET', '/api/v1/admin/tools/form-builder/configs')).body.data.configs).toHaveLength(1);
    });

    it('W8–W11: create, update, activate, delete; bad semver or display mode is a 400 V3 and changes nothing', async () => {
      const base = '/api/v1/admin/tools/svg-drawing/configs';
      const before = await count(`SELECT count(*) FROM tool_configs c JOIN tools t ON t.id = c.tool_id WHERE t.key = 'svg-drawing'`);
      for (const body of [
        { version: '1.0', displayMode: 'standard' },
        { version: '1.2.3', displayMode: 'fullscreen' },
        { version: '1.2.3', displayMode: 'standard', layoutSettings: { padding: 3 } },
        { displayMode: 'standard' },
      ]) {
        const res = await asAdmin('POST', base, body);
        expect({ body, status: res.status, ok: res.body.success, errors: Array.isArray(res.body.errors) }).toEqual({
          body,
          status: 400,
          ok: false,
          errors: true,
        });
      }
      expect(await count(`SELECT count(*) FROM tool_configs c JOIN tools t ON t.id = c.tool_id WHERE t.key = 'svg-drawing'`)).toBe(before);

      const created = await asAdmin('POST', base, {
        version: '3.0.0',
        displayMode: 'compact',
        layoutSettings: { maxWidth: '800px', customClasses: ['a'] },
      });
      expect(created).toMatchObject({
        status: 201,
        body: { success: true, data: { config: { version: '3.0.0', displayMode: 'compact', isActive: false } } },
      });
      const id = created.body.data.config.id;
      expect(await asAdmin('POST', base, { version: '3.0.0', displayMode: 'standard' })).toMatchObject({
        status: 400,
        body: { success: false, message: "Configuration version '3.0.0' already exists for this tool" },
      });

      expect((await asAdmin('PUT', `${base}/${id}`, { displayMode: 'modal' })).body.data.config).toMatchObject({
        id,
        displayMode: 'modal',
      });
      expect((await asAdmin('PUT', `${base}/${id}`, {})).status).toBe(400);
      expect((await asAdmin('PUT', `${base}/not-a-uuid`, { displayMode: 'modal' })).status).toBe(400);
      expect(
        await asAdmin('POST', base, {
          version: '3.9.0',
          displayMode: 'standard',
          layoutSettings: { backgroundColor: 'javascript:alert(1)' },
        }),
      ).toMatchObject({
        status: 400,
        body: { success: false, error: { code: 'SECURITY_VIOLATION' }, timestamp: expect.any(String) },
      });
      const otherTool = (
        await rows<{ id: string }>(`SELECT c.id FROM tool_configs c JOIN tools t ON t.id = c.tool_id WHERE t.key = 'short-link' LIMIT 1`)
      )[0].id;
      expect(await asAdmin('PUT', `${base}/${otherTool}/activate`, {})).toMatchObject({
        status: 404,
        body: { message: 'Configuration does not belong to this tool' },
      });

      expect((await asAdmin('PUT', `${base}/${id}/activate`, {})).body.data.config).toMatchObject({ id, isActive: true });
      expect(
        await rows(`SELECT c.id FROM tool_configs c JOIN tools t ON t.id = c.tool_id WHERE t.key = 'svg-drawing' AND c.is_active`),
      ).toEqual([{ id }]);
      expect(await asAdmin('DELETE', `${base}/${id}`)).toMatchObject({
        status: 400,
        body: { success: false, message: 'Cannot delete the active configuration. Activate another config first.' },
      });
      const other = (await asAdmin('POST', base, { version: '3.1.0', displayMode: 'embedded' })).body.data.config.id;
      expect(await asAdmin('DELETE', `${base}/${other}`)).toEqual(
        expect.objectContaining({ status: 200, body: { success: true, message: 'Configuration deleted successfully' } }),
      );
    });

    it('concurrent activations on both instances leave exactly one active config', async () => {
      const base = '/api/v1/admin/tools/pdf-export/configs';
      const ids: string[] = [];
      for (let i = 0; i < 6; i++)
        ids.push((await asAdmin('POST', base, { version: `5.0.${i}`, displayMode: 'standard' })).body.data.config.id);
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          call(i % 2 ? second.url : web.url, 'PUT', `${base}/${ids[i % ids.length]}/activate`, { token: adminToken, body: {} }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
      expect(
        await count(`SELECT count(*) FROM tool_configs c JOIN tools t ON t.id = c.tool_id WHERE t.key = 'pdf-export' AND c.is_active`),
      ).toBe(1);
    });
  });

  describe('public tools W16–W18', () => {
    it('W16 lists active tools without ids, with cache headers; a stable ETag gives 304 on both instances until a tool changes', async () => {
      const res = await api('GET', '/api/v1/tools', { token: 'not-a-valid-token' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true, data: { tools: expect.any(Array) } });
      expect(res.body.data.tools.length).toBe(await count('SELECT count(*) FROM tools WHERE active'));
      expect(Object.keys(res.body.data.tools[0]).sort()).toEqual(['active', 'description', 'key', 'name', 'slug']);
      expect(res.headers.get('cache-control')).toBe('public, max-age=300');
      const etag = res.headers.get('etag') as string;
      expect(etag).toMatch(/^"tools-\d+"$/);
      expect((await call(second.url, 'GET', '/api/v1/tools', { headers: { 'If-None-Match': etag } })).status).toBe(304);
      await asAdmin('PATCH', '/api/v1/admin/tools/svg-drawing', { active: false });
      const changed = await call(second.url, 'GET', '/api/v1/tools', { headers: { 'If-None-Match': etag } });
      expect(changed.status).toBe(200);
      expect(changed.body.data.tools.some((t: Body) => t.key === 'svg-drawing')).toBe(false);
      expect(await api('GET', '/api/v1/tools/svg-drawing')).toMatchObject({
        status: 404,
        body: { success: false, error: 'Tool not found or disabled' },
      });
      await asAdmin('PATCH', '/api/v1/admin/tools/svg-drawing', { active: true });
    });

    it('W17 by slug and W18 by key, with cache headers', async () => {
      const bySlug = await api('GET', '/api/v1/tools/slug/short-link-generator');
      expect(bySlug).toMatchObject({
        status: 200,
        body: {
          success: true,
          data: { tool: { key: 'short-link', name: 'Short Link Generator', slug: 'short-link-generator', active: true } },
        },
      });
      expect(bySlug.headers.get('cache-control')).toBe('public, max-age=300');
      expect((await api('GET', '/api/v1/tools/short-link')).body.data.tool).toEqual({
        key: 'short-link',
        name: 'Short Link Generator',
        slug: 'short-link-generator',
        description: 'Create short links &amp; QR codes',
        active: true,
      });
      expect(await api('GET', '/api/v1/tools/slug/nope')).toMatchObject({
        status: 404,
        body: { success: false, error: 'Tool not found or disabled' },
      });
    });
  });

  describe('tool registry W19–W24 and the web app paths #33–#35', () => {
    it('#33 GET /tools/registry and W19 answer every record, newest first, snake_case with toolType and toolMetadata', async () => {
      const res = await api('GET', '/api/v1/tools/registry', { token: userToken });
      expect(res.status).toBe(200);
      expect(res.body.message).toBe('Tools retrieved successfully');
      const expected = await rows<{ tool_id: string }>(`SELECT tool_id FROM tool_registry ORDER BY created_at DESC, tool_id`);
      expect(res.body.data.map((r: Body) => r.tool_id)).toEqual(expected.map((r) => r.tool_id));
      expect((await api('GET', '/api/v1/tools/registry/registry', { token: userToken })).body.data).toEqual(res.body.data);
      const record = res.body.data.find((r: Body) => r.tool_id === 'legacy-form-export');
      expect(Object.keys(record).sort()).toEqual(
        [
          'id',
          'tool_id',
          'name',
          'description',
          'version',
          'icon',
          'route',
          'api_base',
          'permissions',
          'status',
          'toolType',
          'toolMetadata',
          'is_exported',
          'exported_at',
          'service_url',
          'database_name',
          'manifest_json',
          'created_at',
          'updated_at',
          'created_by',
        ].sort(),
      );
      expect(record).toMatchObject({
        route: '/tools/legacy-form-export',
        api_base: '/api/tools/legacy-form-export',
        toolType: 'forms',
        toolMetadata: { formSchemaId: expect.any(String) },
      });
      const bare = res.body.data.find((r: Body) => r.manifest_json === null);
      expect(bare).toMatchObject({ toolType: null, toolMetadata: {} });
      expect(await api('GET', '/api/v1/tools/registry')).toMatchObject({ status: 401, body: { error: 'Unauthorized' } });
    });

    it('#34 GET /tools/registry/:toolId and W20; unknown ids are 404 { error }', async () => {
      const res = await api('GET', '/api/v1/tools/registry/legacy-form-export', { token: userToken });
      expect(res).toMatchObject({ status: 200, body: { message: 'Tool retrieved successfully', data: { tool_id: 'legacy-form-export' } } });
      expect((await api('GET', '/api/v1/tools/registry/registry/legacy-form-export', { token: userToken })).body).toEqual(res.body);
      expect(await api('GET', '/api/v1/tools/registry/nope', { token: userToken })).toEqual(
        expect.objectContaining({ status: 404, body: { error: "Tool 'nope' not found" } }),
      );
    });

    it('#35 GET /tools/search and W24: case-insensitive on name or description, by name; a short query is a 400', async () => {
      const res = await api('GET', '/api/v1/tools/search?q=FORMS%20tool', { token: userToken });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ message: 'Search completed successfully', query: 'FORMS tool' });
      const expected = await rows<{ tool_id: string }>(
        `SELECT tool_id FROM tool_registry WHERE name ILIKE '%forms tool%' OR description ILIKE '%forms tool%' ORDER BY name, tool_id`,
      );
      expect(expected.length).toBeGreaterThan(0);
      expect(res.body.data.map((r: Body) => r.tool_id)).toEqual(expected.map((r) => r.tool_id));
      expect((await api('GET', '/api/v1/tools/registry/search?q=FORMS%20tool', { token: userToken })).body.data).toEqual(res.body.data);
      expect((await api('GET', '/api/v1/tools/search?q=%25%25', { token: userToken })).body.data).toEqual([]);
      expect(await api('GET', '/api/v1/tools/search?q=%20a%20', { token: userToken })).toEqual(
        expect.objectContaining({ status: 400, body: { error: 'Search query must be at least 2 characters' } }),
      );
    });

    it('W21–W23: register, the status lifecycle, is_exported blocks deletion; an invalid status is a 400', async () => {
      const valid = {
        toolId: 'my-tool',
        name: 'My Tool',
        version: '1.0.0',
        route: '/tools/my-tool',
        apiBase: '/api/tools/my-tool',
        manifestJson: { toolType: 'forms', toolMetadata: { formSchemaId: 'x' } },
        isExported: true,
      };
      const before = await count('SELECT count(*) FROM tool_registry');
      for (const [body, expected] of [
        [{ ...valid, status: 'alpha' }, { error: 'Validation failed' }],
        [{ ...valid, version: '1.0' }, { error: 'Validation failed' }],
        [{ ...valid, toolId: 'My_Tool' }, { error: 'Validation failed' }],
        [{ ...valid, route: '/tools/other' }, { error: 'Route must be /tools/my-tool' }],
        [{ ...valid, manifestJson: 'x' }, { error: 'Validation failed' }],
      ] as const) {
        const res = await api('POST', '/api/v1/tools/registry/register', { token: userToken, body });
        expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: expected.error });
      }
      expect(await count('SELECT count(*) FROM tool_registry')).toBe(before);

      const created = await api('POST', '/api/v1/tools/registry/register', { token: userToken, body: valid });
      expect(created).toMatchObject({
        status: 201,
        body: {
          message: 'Tool registered successfully',
          data: { tool_id: 'my-tool', status: 'beta', is_exported: false, created_by: user.id, toolType: 'forms' },
        },
      });
      expect(await api('POST', '/api/v1/tools/registry/register', { token: userToken, body: valid })).toMatchObject({
        status: 400,
        body: { error: "Tool with ID 'my-tool' already exists" },
      });

      const put = (body: unknown) => api('PUT', '/api/v1/tools/registry/registry/my-tool', { token: userToken, body });
      expect(await put({ status: 'active' })).toMatchObject({
        status: 200,
        body: { message: 'Tool updated successfully', data: { status: 'active' } },
      });
      expect(await put({ status: 'beta' })).toMatchObject({
        status: 400,
        body: { error: "Invalid status transition from 'active' to 'beta'" },
      });
      expect((await put({ status: 'alpha' })).status).toBe(400);
      expect(await put({ status: 'deprecated', name: 'My Tool v2' })).toMatchObject({
        status: 200,
        body: { data: { status: 'deprecated', name: 'My Tool v2' } },
      });
      expect((await put({ status: 'active' })).status).toBe(400);
      expect(await put({ isExported: true })).toMatchObject({ status: 200, body: { data: { is_exported: true } } });
      expect(await api('DELETE', '/api/v1/tools/registry/registry/my-tool', { token: userToken })).toMatchObject({
        status: 400,
        body: { error: "Cannot delete exported tool 'my-tool'" },
      });
      await put({ isExported: false });
      expect(await api('DELETE', '/api/v1/tools/registry/registry/my-tool', { token: userToken })).toEqual(
        expect.objectContaining({ status: 200, body: { message: 'Tool deleted successfully' } }),
      );
      expect((await api('DELETE', '/api/v1/tools/registry/registry/my-tool', { token: userToken })).status).toBe(404);
      expect((await api('PUT', '/api/v1/tools/registry/registry/nope', { token: userToken, body: { name: 'Whatever' } })).status).toBe(404);
    });
  });

  // Last: it spends the registry's per-IP budget of this file.
  it('the registry routes share one per-IP limit across instances (legacy 100/min; 80 here): 429 { error } with RateLimit headers', async () => {
    const first = await api('GET', '/api/v1/tools/registry', { token: userToken });
    expect(first.headers.get('ratelimit-limit')).toBe('80');
    const remaining = Number(first.headers.get('ratelimit-remaining'));
    expect(remaining).toBeGreaterThan(0);
    const results = await Promise.all(
      Array.from({ length: remaining + 2 }, (_, i) =>
        call(i % 2 ? second.url : web.url, 'GET', '/api/v1/tools/search?q=forms', { token: userToken }),
      ),
    );
    const limited = results.filter((r) => r.status === 429);
    expect(limited).toHaveLength(2);
    expect(limited[0].body).toEqual({ error: 'Too many requests to tool registry. Please try again later.' });
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThan(0);
    // Other routes are not limited by it.
    expect((await api('GET', '/api/v1/tools')).status).toBe(200);
  });

  it('the retired test tool W37–W41 answers 410 on every route', async () => {
    const id = '3f1d2c4b-5a69-4e7f-8a9b-0c1d2e3f4a5b';
    for (const [method, path] of [
      ['GET', ''],
      ['GET', `/${id}`],
      ['POST', ''],
      ['PUT', `/${id}`],
      ['DELETE', `/${id}`],
    ]) {
      const res = await api(method, `/api/tools/test-tool${path}`, {
        token: userToken,
        body: method === 'POST' || method === 'PUT' ? { name: 'x' } : undefined,
      });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 410 });
    }
  });
});
