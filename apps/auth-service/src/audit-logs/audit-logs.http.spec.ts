import { randomUUID } from 'node:crypto';

import type { RunningTestService } from '@nafs/runtime/testing';
import type { Client } from 'pg';

import { connect, insertTenant, insertUser } from '../../test/support/db';
import { api, ISO, loginToken, startAuth } from '../../test/support/http';

describe('audit logs: written by auth and user actions, read by admins', () => {
  let auth: RunningTestService;
  let db: Client;
  let adminToken: string;
  let admin: { id: string; email: string };

  beforeAll(async () => {
    auth = await startAuth();
    db = await connect(auth.database.url);
    admin = await insertUser(db, { role: 'admin', password: 'Admin123!' });
    adminToken = await loginToken(auth.url, admin.email, 'Admin123!');
  });
  afterAll(async () => {
    await db?.end();
    await auth?.close();
  });

  const logs = (query = '', path = '/api/v1/audit-logs', token = adminToken) => api(auth.url, 'GET', `${path}${query}`, { token });

  it('records register, login (success and failure), logout and user admin actions, with client IP', async () => {
    const headers = { 'x-forwarded-for': '192.0.2.44', 'user-agent': 'audit-test' };
    const email = `audited${randomUUID().slice(0, 6)}@example.com`;
    const reg = await api(auth.url, 'POST', '/api/v1/auth/register', {
      body: { email, password: 'Passw0rd!', firstName: 'Aud', lastName: 'It' },
      headers,
    });
    const userId = reg.body.data.user.id;
    await api(auth.url, 'POST', '/api/v1/auth/login', { body: { email, password: 'Wrong000!' }, headers });
    const login = await api(auth.url, 'POST', '/api/v1/auth/login', { body: { email, password: 'Passw0rd!' }, headers });
    await api(auth.url, 'POST', '/api/v1/auth/logout', { body: { refreshToken: login.body.data.refreshToken }, headers });
    await api(auth.url, 'PATCH', `/api/v1/users/${userId}`, { token: adminToken, body: { role: 'readonly' }, headers });
    await api(auth.url, 'DELETE', `/api/v1/users/${userId}`, { token: adminToken, headers });

    const mine = await logs(`?resourceId=${userId}&limit=100`);
    expect(mine.status).toBe(200);
    expect(mine.body.data.logs.map((l: { action: string }) => l.action).sort()).toEqual(['DELETE', 'LOGIN', 'LOGOUT', 'PATCH', 'REGISTER']);
    for (const log of mine.body.data.logs) expect(log).toMatchObject({ ipAddress: '192.0.2.44', userAgent: 'audit-test', createdAt: ISO });
    const patch = mine.body.data.logs.find((l: { action: string }) => l.action === 'PATCH');
    expect(patch).toMatchObject({ userId: admin.id, resourceType: 'users', changes: { role: 'readonly' } });
    const failed = await logs(`?action=LOGIN_FAILED`);
    expect(failed.body.data.logs.some((l: { changes: { attemptedEmail?: string } }) => l.changes.attemptedEmail === email)).toBe(true);
  });

  it('paginates newest first and filters; the users-prefixed alias answers the same', async () => {
    const page = await logs('?page=1&limit=2');
    expect(page.body).toEqual({
      success: true,
      message: 'Audit logs retrieved successfully',
      data: { logs: expect.any(Array), pagination: { page: 1, limit: 2, total: expect.any(Number), totalPages: expect.any(Number) } },
      timestamp: ISO,
    });
    expect(page.body.data.logs).toHaveLength(2);
    const [a, b] = page.body.data.logs;
    expect(new Date(a.createdAt).getTime()).toBeGreaterThanOrEqual(new Date(b.createdAt).getTime());
    const alias = await logs('?page=1&limit=2', '/api/v1/users/audit-logs');
    expect(alias.status).toBe(200);
    expect(alias.body.data.pagination.total).toBe(page.body.data.pagination.total);
    const future = await logs(`?from=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    expect(future.body.data.logs).toEqual([]);
  });

  it('shows an admin only their own tenant’s trail', async () => {
    const tenantId = await insertTenant(db);
    await db.query(`INSERT INTO audit_logs (tenant_id, action, resource_type) VALUES ($1, 'SECRET', 'users')`, [tenantId]);
    expect((await logs('?action=SECRET')).body.data.logs).toEqual([]);
  });

  it('is admin-only and refuses bad filters with 400 V2', async () => {
    const user = await insertUser(db, { password: 'User1234!' });
    const userToken = await loginToken(auth.url, user.email, 'User1234!');
    expect(await logs('', '/api/v1/audit-logs', userToken)).toMatchObject({
      status: 403,
      body: { error: 'Forbidden', message: 'Insufficient permissions' },
    });
    expect(await logs('', '/api/v1/users/audit-logs', userToken)).toMatchObject({ status: 403 });
    expect(await api(auth.url, 'GET', '/api/v1/audit-logs')).toMatchObject({ status: 401 });
    for (const query of [
      '?userId=nope',
      '?from=yesterday',
      '?page=0',
      "?resourceId=1'%20OR%201=1",
      '?from=-100000-01-01T00:00:00Z',
      '?action=a%00b',
      '?to=99999-01-01',
    ]) {
      expect(await logs(query)).toMatchObject({ status: 400, body: { success: false, error: { code: 'VALIDATION_ERROR' } } });
    }
  });
});
