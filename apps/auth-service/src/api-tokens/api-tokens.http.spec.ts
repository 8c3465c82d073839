import { randomUUID } from 'node:crypto';

import { REDIS_CLIENT } from '@nafs/cache';
import type { RunningTestService } from '@nafs/runtime/testing';
import { compare } from 'bcrypt';
import type Redis from 'ioredis';
import type { Client } from 'pg';

import { connect, count, insertApiToken, insertUser } from '../../test/support/db';
import { api, ISO, loginToken, startAuth } from '../../test/support/http';
import { ApiTokenUsageRecorder } from './api-token-usage.recorder';
import { sha256Hex } from './api-token-verifier';

describe('/api/v1/tokens over HTTP', () => {
  let auth: RunningTestService;
  let db: Client;
  let owner: { id: string; email: string };
  let jwt: string;
  const call = (method: string, path: string, token: string | undefined, body?: unknown) =>
    api(auth.url, method, `/api/v1/tokens${path}`, { token, body });
  const create = async (body: Record<string, unknown> = {}) => {
    const res = await call('POST', '', jwt, { name: `t ${randomUUID().slice(0, 8)}`, scopes: ['read'], ...body });
    expect(res.status).toBe(201);
    return res.body.data as { token: string; id: string; name: string; scopes: string[]; expiresAt: string };
  };
  /** The usage rows are written by a timer; flush until `expected` rows of `tokenId` are in. */
  const flushUsage = async (tokenId: string, expected: number) => {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      await auth.app.get(ApiTokenUsageRecorder).flush();
      if ((await count(db, 'api_token_usage', 'token_id = $1', [tokenId])) >= expected) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  beforeAll(async () => {
    auth = await startAuth();
    db = await connect(auth.database.url);
    owner = await insertUser(db, { password: 'Owner123!' });
    jwt = await loginToken(auth.url, owner.email, 'Owner123!');
  });
  afterAll(async () => {
    await db?.end();
    await auth?.close();
  });

  it('replays a retried creation with the same Idempotency-Key (one row; the answer kept 10 minutes), 422 for another body', async () => {
    const name = `idem ${randomUUID().slice(0, 8)}`;
    const key = randomUUID();
    const post = (body: unknown) => api(auth.url, 'POST', '/api/v1/tokens', { token: jwt, body, headers: { 'idempotency-key': key } });
    const first = await post({ name, scopes: ['read'] });
    expect(first.status).toBe(201);
    const retry = await post({ name, scopes: ['read'] });
    expect({ status: retry.status, body: retry.body, replayed: retry.headers.get('idempotent-replayed') }).toEqual({
      status: 201,
      body: first.body,
      replayed: 'true',
    });
    expect(await count(db, 'api_tokens', 'name = $1', [name])).toBe(1);
    expect(await post({ name, scopes: ['write'] })).toMatchObject({ status: 422, body: { success: false } });
    const [stored] = await auth.app.get<Redis>(REDIS_CLIENT).keys(`${auth.env.REDIS_KEY_PREFIX}idempotency:${owner.id}:*`);
    expect(await auth.app.get<Redis>(REDIS_CLIENT).ttl(stored)).toBeLessThanOrEqual(600);
  });

  it('creates a token shown once, stored as bcrypt + sha256, that authenticates', async () => {
    const res = await call('POST', '', jwt, { name: ' CI deploy_1.0 ', scopes: ['read', 'write'] });
    expect(res).toEqual(
      expect.objectContaining({
        status: 201,
        body: {
          success: true,
          data: {
            token: expect.stringMatching(/^[0-9a-f]{64}$/),
            id: expect.any(String),
            name: 'CI deploy_1.0',
            scopes: ['read', 'write'],
            expiresAt: ISO,
          },
          timestamp: ISO,
        },
      }),
    );
    const { token, id, expiresAt } = res.body.data;
    const days = (new Date(expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(365);
    const [row] = (await db.query('SELECT token_hash, token_sha256, tenant_id FROM api_tokens WHERE id = $1', [id])).rows;
    expect(row.token_sha256).toBe(sha256Hex(token));
    expect(await compare(token, row.token_hash)).toBe(true);
    expect(await api(auth.url, 'GET', '/api/v1/auth/me', { token })).toMatchObject({ status: 200, body: { data: { id: owner.id } } });
    const listed = await call('GET', '', jwt);
    expect(JSON.stringify(listed.body)).not.toContain(token);
  });

  it.each([
    ['no body', {}, ['name', 'scopes']],
    ['bad name characters', { name: 'rm -rf /', scopes: ['read'] }, ['name']],
    ['empty scopes', { name: 'x', scopes: [] }, ['scopes']],
    ['duplicate scopes', { name: 'x', scopes: ['read', 'read'] }, ['scopes']],
    ['unknown scope', { name: 'x', scopes: ['admin'] }, ['scopes.0']],
    ['scopes as string', { name: 'x', scopes: 'read' }, ['scopes']],
    ['past expiry', { name: 'x', scopes: ['read'], expiresAt: '2001-01-01T00:00:00Z' }, ['expiresAt']],
    ['expiry beyond 10 years', { name: 'x', scopes: ['read'], expiresAt: '2199-01-01T00:00:00Z' }, ['expiresAt']],
    ['non-date expiry', { name: 'x', scopes: ['read'], expiresAt: 'tomorrow' }, ['expiresAt']],
  ])('refuses %s with 400 V2 and writes nothing', async (_label, body, paths) => {
    const before = await count(db, 'api_tokens');
    const res = await call('POST', '', jwt, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([...paths].sort());
    expect(await count(db, 'api_tokens')).toBe(before);
  });

  it('answers 409 for a name the user already has', async () => {
    const first = await create({ name: 'same name' });
    expect(await call('POST', '', jwt, { name: 'same name', scopes: ['read'] })).toMatchObject({
      status: 409,
      body: { success: false, error: { code: 'CONFLICT', message: 'Token name already exists for this user' } },
    });
    expect(first.id).toBeDefined();
  });

  it('lists only the caller’s tokens, newest first, inactive and infinite ones included, with meta.total', async () => {
    const other = await insertUser(db);
    await insertApiToken(db, { userId: other.id });
    const infinite = await insertApiToken(db, { userId: owner.id, isActive: false });
    await db.query(`UPDATE api_tokens SET expires_at = 'infinity' WHERE id = $1`, [infinite.id]);
    const res = await call('GET', '', jwt);
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual({ total: res.body.data.length });
    const ids = res.body.data.map((t: { id: string }) => t.id);
    expect(await count(db, 'api_tokens', 'user_id = $1', [owner.id])).toBe(ids.length);
    expect(res.body.data.find((t: { id: string }) => t.id === infinite.id)).toEqual({
      id: infinite.id,
      name: expect.any(String),
      scopes: ['read'],
      expiresAt: 'infinity',
      createdAt: ISO,
      lastUsedAt: null,
      isActive: false,
    });
    const created = res.body.data.map((t: { createdAt: string }) => t.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
  });

  it('gets, patches and deletes only the caller’s tokens; malformed ids are 400, others 404', async () => {
    const mine = await create();
    const other = await insertApiToken(db, { userId: (await insertUser(db)).id });
    expect(await call('GET', `/${mine.id}`, jwt)).toMatchObject({
      status: 200,
      body: { success: true, data: { id: mine.id, isActive: true } },
    });
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      expect(await call(method, `/${other.id}`, jwt, method === 'PATCH' ? { name: 'x' } : undefined)).toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_FOUND' } },
      });
      expect(await call(method, '/nope', jwt, method === 'PATCH' ? { name: 'x' } : undefined)).toMatchObject({
        status: 400,
        body: { error: { code: 'VALIDATION_ERROR', details: [{ path: 'id', msg: 'Invalid token ID format' }] } },
      });
    }
    expect(await call('PATCH', `/${mine.id}`, jwt, {})).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
    expect(await call('PATCH', `/${mine.id}`, jwt, { isActive: 'false' })).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_ERROR' } },
    });
    expect(await call('PATCH', `/${mine.id}`, jwt, { name: 'renamed', scopes: ['write'] })).toMatchObject({
      status: 200,
      body: { data: { name: 'renamed', scopes: ['write'] } },
    });
    expect(await count(db, 'api_tokens', 'id = $1', [other.id])).toBe(1);
  });

  it('revokes by deactivation or deletion: the token stops working and an outbox event carries its sha256', async () => {
    const disabled = await create();
    expect((await call('PATCH', `/${disabled.id}`, jwt, { isActive: false })).status).toBe(200);
    expect(await call('GET', '', disabled.token)).toMatchObject({ status: 401, body: { message: 'Invalid or expired token' } });
    const deleted = await create();
    expect(await call('DELETE', `/${deleted.id}`, jwt)).toMatchObject({
      status: 200,
      body: { success: true, data: { message: 'Token revoked successfully' } },
    });
    expect(await count(db, 'api_tokens', 'id = $1', [deleted.id])).toBe(0);
    expect(await call('GET', '', deleted.token)).toMatchObject({ status: 401 });
    const events = (
      await db.query(`SELECT payload FROM event_outbox WHERE type = 'auth.api-token.revoked' AND payload->>'tokenId' = ANY($1)`, [
        [disabled.id, deleted.id],
      ])
    ).rows;
    expect(events.map((e) => e.payload).sort((a, b) => a.tokenId.localeCompare(b.tokenId))).toEqual(
      [
        { tokenId: disabled.id, userId: owner.id, tokenSha256: sha256Hex(disabled.token) },
        { tokenId: deleted.id, userId: owner.id, tokenSha256: sha256Hex(deleted.token) },
      ].sort((a, b) => a.tokenId.localeCompare(b.tokenId)),
    );
  });

  it('enforces scopes: a read token reads but cannot write anywhere (legacy never checked)', async () => {
    const read = await create({ scopes: ['read'] });
    const write = await create({ scopes: ['write'] });
    expect((await call('GET', '', read.token)).status).toBe(200);
    const before = await count(db, 'api_tokens');
    expect(await call('POST', '', read.token, { name: 'from read', scopes: ['read'] })).toMatchObject({
      status: 403,
      body: { error: 'Forbidden', message: 'This API token does not have the write scope' },
    });
    expect((await api(auth.url, 'PATCH', '/api/v1/auth/profile', { token: read.token, body: { firstName: 'X' } })).status).toBe(403);
    expect((await call('DELETE', `/${write.id}`, read.token)).status).toBe(403);
    expect(await count(db, 'api_tokens')).toBe(before);
    expect((await call('POST', '', write.token, { name: 'from write', scopes: ['read'] })).status).toBe(201);
  });

  it('records usage off the request path and serves usage, stats and timeseries', async () => {
    const token = await create({ scopes: ['read'] });
    await call('GET', '', token.token, undefined);
    await call('GET', `/${token.id}`, token.token);
    await call('POST', '', token.token, { name: 'denied', scopes: ['read'] });
    await flushUsage(token.id, 3);
    const usage = await call('GET', `/${token.id}/usage?limit=2`, jwt);
    expect(usage.status).toBe(200);
    expect(usage.body.data.pagination).toEqual({ page: 1, limit: 2, total: 3, totalPages: 2 });
    expect(usage.body.data.usage[0]).toEqual({
      id: expect.any(String),
      tokenId: token.id,
      endpoint: expect.stringMatching(/^\/api\/v1\/tokens/),
      method: expect.any(String),
      timestamp: ISO,
      processingTime: expect.any(Number),
      responseStatus: expect.any(Number),
      ipAddress: expect.any(String),
      userAgent: expect.any(String),
      tenantId: null,
      createdAt: ISO,
    });
    const endpoints = (await call('GET', `/${token.id}/usage?limit=100`, jwt)).body.data.usage
      .map((u: { endpoint: string; method: string; responseStatus: number }) => `${u.method} ${u.endpoint} ${u.responseStatus}`)
      .sort();
    expect(endpoints).toEqual(['GET /api/v1/tokens 200', 'GET /api/v1/tokens/:id 200', 'POST /api/v1/tokens 403']);
    expect((await call('GET', `/${token.id}/usage?status=403`, jwt)).body.data.pagination.total).toBe(1);
    const [row] = (await db.query('SELECT last_used_at FROM api_tokens WHERE id = $1', [token.id])).rows;
    expect(row.last_used_at).toBeInstanceOf(Date);

    const stats = await call('GET', `/${token.id}/usage/stats`, jwt);
    expect(stats.body.data).toEqual({
      totalRequests: 3,
      successfulRequests: 2,
      failedRequests: 1,
      averageResponseTime: expect.any(Number),
      topEndpoints: expect.arrayContaining([{ endpoint: '/api/v1/tokens', count: 2 }]),
      requestsByStatus: [
        { status: 200, count: 2 },
        { status: 403, count: 1 },
      ],
    });
    const series = await call('GET', `/${token.id}/usage/timeseries?period=hour`, jwt);
    expect(series.body.data).toEqual({ data: [{ period: ISO, requests: 3, averageResponseTime: expect.any(Number) }], period: 'hour' });
  });

  it('answers the legacy 400s and 404s of the usage endpoints', async () => {
    const token = await create();
    expect(await call('GET', `/${token.id}/usage?from=yesterday`, jwt)).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_DATE' } },
    });
    expect(await call('GET', `/${token.id}/usage?status=abc`, jwt)).toMatchObject({ status: 400 });
    expect(await call('GET', `/${token.id}/usage?page=-1`, jwt)).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_ERROR' } },
    });
    expect(await call('GET', `/${token.id}/usage/timeseries?period=week`, jwt)).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_PERIOD' } },
    });
    expect(await call('GET', `/${token.id}/usage/stats?from=x&to=y`, jwt)).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_DATE' } },
    });
    expect(await call('GET', `/${randomUUID()}/usage`, jwt)).toMatchObject({ status: 404, body: { error: { code: 'TOKEN_NOT_FOUND' } } });
    expect(await call('GET', '/not-a-uuid/usage/stats', jwt)).toMatchObject({ status: 400 });
    // Issue 16.1: dates PostgreSQL cannot store, NUL bytes and huge ids are 400s, not 500s.
    expect(await call('GET', `/${token.id}/usage?from=${encodeURIComponent('-100000-01-01T00:00:00Z')}`, jwt)).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_DATE' } },
    });
    expect(await call('GET', `/${token.id}/usage/stats?to=${encodeURIComponent('+275760-09-13T00:00:00Z')}`, jwt)).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_DATE' } },
    });
    expect(await call('GET', `/${token.id}/usage?endpoint=%2Fa%00b`, jwt)).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION_ERROR' } },
    });
    expect(await call('GET', `/${'a'.repeat(10_000)}/usage`, jwt)).toMatchObject({ status: 400 });
  });

  it('answers oversize and malformed JSON in the E2 shape and writes nothing', async () => {
    const before = await count(db, 'api_tokens');
    const huge = await call('POST', '', jwt, { name: 'x', scopes: ['read'], padding: 'p'.repeat(200 * 1024) });
    expect(huge).toMatchObject({ status: 413, body: { success: false, error: { code: 'PAYLOAD_TOO_LARGE' }, timestamp: ISO } });
    const malformed = await call('POST', '', jwt, '{"name": "x", "scopes": [');
    expect(malformed).toMatchObject({
      status: 400,
      body: { success: false, error: { code: 'BAD_REQUEST', message: 'Malformed JSON in request body' } },
    });
    expect(await count(db, 'api_tokens')).toBe(before);
    expect(await call('GET', '/a/b/c', jwt)).toMatchObject({
      status: 404,
      body: { success: false, error: 'Not Found', message: 'The requested resource was not found' },
    });
  });
});
