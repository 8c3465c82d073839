import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { RunningTestService } from '@nafs/runtime/testing';
import type { Client } from 'pg';

import { connect, count, insertTenant, insertUser } from '../../test/support/db';
import { api, ISO, loginToken, startAuth } from '../../test/support/http';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 1)]);

describe('/api/v1/users over HTTP', () => {
  let auth: RunningTestService;
  let db: Client;
  let uploads: string;
  let adminToken: string;
  let admin: { id: string; email: string };
  let userToken: string;
  let user: { id: string; email: string };

  const call = (method: string, path: string, token: string | undefined, body?: unknown) =>
    api(auth.url, method, `/api/v1/users${path}`, { token, body });
  const uploadAvatar = (token: string, file: Buffer, type: string, field = 'avatar') => {
    const form = new FormData();
    form.append(field, new Blob([file], { type }), 'me.png');
    return fetch(`${auth.url}/api/v1/users/avatar`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  };
  const usersSnapshot = async () =>
    (
      await db.query(
        'SELECT id, email, first_name, last_name, role, is_active, email_verified, avatar_url, updated_at FROM users ORDER BY id',
      )
    ).rows;

  beforeAll(async () => {
    uploads = await mkdtemp(join(tmpdir(), 'auth-uploads-'));
    auth = await startAuth({ UPLOADS_DIR: uploads, UPLOADS_PUBLIC_URL: 'http://gateway.test/api/v1/users/uploads' });
    db = await connect(auth.database.url);
    admin = await insertUser(db, { role: 'admin', password: 'Admin123!', email: 'admin.users@example.com' });
    user = await insertUser(db, { role: 'user', password: 'User123!', email: 'plain.users@example.com' });
    adminToken = await loginToken(auth.url, admin.email, 'Admin123!');
    userToken = await loginToken(auth.url, user.email, 'User123!');
  });
  afterAll(async () => {
    await db?.end();
    await auth?.close();
    await rm(uploads, { recursive: true, force: true });
  });

  describe('POST / (U1, admin)', () => {
    it('creates a user in the admin’s tenant with escaped names, audits it and answers 201', async () => {
      const res = await call('POST', '', adminToken, {
        email: 'New.Member@Example.com',
        password: 'Member1!x',
        firstName: "D'Arcy",
        lastName: 'Smith-Jones',
        role: 'readonly',
        tenantId: randomUUID(),
        id: randomUUID(),
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        success: true,
        message: 'User created successfully',
        data: expect.objectContaining({
          email: 'new.member@example.com',
          firstName: 'D&#x27;Arcy',
          lastName: 'Smith-Jones',
          role: 'readonly',
          tenantId: null,
          isActive: true,
        }),
        timestamp: ISO,
      });
      expect(
        await count(db, 'audit_logs', `action = 'CREATE' AND resource_type = 'users' AND user_id = $1 AND resource_id = $2`, [
          admin.id,
          res.body.data.id,
        ]),
      ).toBe(1);
      expect((await loginToken(auth.url, 'new.member@example.com', 'Member1!x')).length).toBeGreaterThan(20);
    });

    it('refuses non-admins (403 E1), duplicates (V2), bad input (V2) and markup (SECURITY_ERROR), writing nothing', async () => {
      const before = await usersSnapshot();
      expect(await call('POST', '', userToken, { email: 'x@example.com' })).toMatchObject({
        status: 403,
        body: { error: 'Forbidden', message: 'Insufficient permissions' },
      });
      expect(await call('POST', '', undefined, {})).toMatchObject({ status: 401, body: { error: 'Unauthorized' } });
      const dup = await call('POST', '', adminToken, { email: user.email, password: 'Member1!x', firstName: 'A', lastName: 'B' });
      expect(dup).toMatchObject({
        status: 400,
        body: {
          success: false,
          error: { code: 'VALIDATION_ERROR', details: [{ type: 'field', path: 'email', msg: 'Email already exists', location: 'body' }] },
        },
      });
      const weak = await call('POST', '', adminToken, { email: 'weak@example.com', password: 'Member1#x', firstName: 'A', lastName: 'B' });
      expect(weak).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_ERROR', details: [{ path: 'password' }] } } });
      const types = await call('POST', '', adminToken, {
        email: ['a'],
        password: 5,
        firstName: 'A'.repeat(51),
        lastName: null,
        role: 'root',
      });
      expect(types.status).toBe(400);
      expect(types.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
        'email',
        'firstName',
        'lastName',
        'password',
        'role',
      ]);
      const xss = await call('POST', '', adminToken, {
        email: 'x@example.com',
        password: 'Member1!x',
        firstName: '<script>alert(1)</script>',
        lastName: 'B',
      });
      expect(xss).toEqual(
        expect.objectContaining({
          status: 400,
          body: { success: false, error: { code: 'SECURITY_ERROR', message: expect.any(String) }, timestamp: ISO },
        }),
      );
      // 50 apostrophes pass the length rule but are 300 characters escaped: refused, not a 500.
      const long = await call('POST', '', adminToken, {
        email: 'q@example.com',
        password: 'Member1!x',
        firstName: "'".repeat(50),
        lastName: 'B',
      });
      expect(long).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_ERROR' } } });
      expect(await usersSnapshot()).toEqual(before);
    });
  });

  describe('GET / (U2, admin)', () => {
    it('lists the admin’s tenant newest first with the legacy pagination shape and filters', async () => {
      const res = await call('GET', '?page=1&limit=2', adminToken);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        message: 'Users retrieved successfully',
        data: {
          users: expect.any(Array),
          pagination: { page: 1, limit: 2, total: expect.any(Number), pages: expect.any(Number), hasNext: true, hasPrev: false },
        },
        timestamp: ISO,
      });
      expect(res.body.data.users).toHaveLength(2);
      const search = await call('GET', '?search=plain.users&status=all&limit=500', adminToken);
      expect(search.body.data.pagination.limit).toBe(100);
      expect(search.body.data.users.map((u: { id: string }) => u.id)).toEqual([user.id]);
      const tenantUser = await insertUser(db, { tenantId: await insertTenant(db), email: 'other.tenant@example.com' });
      const all = await call('GET', '?status=all&limit=100', adminToken);
      expect(all.body.data.users.map((u: { id: string }) => u.id)).not.toContain(tenantUser.id);
      const inactive = await insertUser(db, { isActive: false });
      expect((await call('GET', '?status=inactive&limit=100', adminToken)).body.data.users.map((u: { id: string }) => u.id)).toContain(
        inactive.id,
      );
      expect((await call('GET', '?role=admin', adminToken)).body.data.users.every((u: { role: string }) => u.role === 'admin')).toBe(true);
    });

    it('answers 400 V2 for bad query values and 403 for non-admins', async () => {
      for (const query of [
        '?page=0',
        '?page=abc',
        '?limit=-1',
        '?status=gone',
        '?role=root',
        '?search=%27%3B%20DROP%20TABLE%20users%3B--',
      ]) {
        expect(await call('GET', query, adminToken)).toMatchObject({
          status: 400,
          body: { success: false, error: { code: 'VALIDATION_ERROR' } },
        });
      }
      expect(await call('GET', '', userToken)).toMatchObject({ status: 403 });
    });
  });

  describe('GET/PUT/PATCH/DELETE /:id (U3-U6)', () => {
    it('GET: self or admin; others 403; malformed id 400; unknown 404', async () => {
      expect(await call('GET', `/${user.id}`, userToken)).toMatchObject({
        status: 200,
        body: { success: true, message: 'User retrieved successfully', data: { id: user.id } },
      });
      expect(await call('GET', `/${user.id}`, adminToken)).toMatchObject({ status: 200 });
      expect(await call('GET', `/${admin.id}`, userToken)).toMatchObject({
        status: 403,
        body: { success: false, error: { code: 'FORBIDDEN', message: 'Insufficient permissions to access this user' } },
      });
      for (const id of ['not-a-uuid', "1'%20OR%20'1'='1", '123']) {
        expect(await call('GET', `/${id}`, adminToken)).toMatchObject({
          status: 400,
          body: { error: { code: 'VALIDATION_ERROR', details: [{ path: 'id', location: 'params', msg: 'Invalid user ID format' }] } },
        });
      }
      expect(await call('GET', `/${randomUUID()}`, adminToken)).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    });

    it('PUT (admin) replaces the fields, persists a role change (legacy dropped it) and writes audit and outbox rows', async () => {
      const target = await insertUser(db);
      const res = await call('PUT', `/${target.id}`, adminToken, {
        email: `put${randomUUID().slice(0, 6)}@example.com`,
        firstName: 'Put',
        lastName: 'Name',
        role: 'admin',
        emailVerified: true,
      });
      expect(res).toMatchObject({
        status: 200,
        body: { success: true, message: 'User updated successfully', data: { role: 'admin', firstName: 'Put', emailVerified: true } },
      });
      const [row] = (await db.query('SELECT role FROM users WHERE id = $1', [target.id])).rows;
      expect(row.role).toBe('admin');
      const events = (
        await db.query(`SELECT payload FROM event_outbox WHERE type = 'auth.user.updated' AND payload->>'userId' = $1`, [target.id])
      ).rows;
      expect(events).toEqual([{ payload: expect.objectContaining({ role: 'admin', changed: ['email', 'role'] }) }]);
      expect(await count(db, 'audit_logs', `action = 'UPDATE' AND resource_id = $1`, [target.id])).toBe(1);
      expect(await call('PUT', `/${target.id}`, adminToken, { firstName: 'Only' })).toMatchObject({
        status: 400,
        body: { error: { code: 'VALIDATION_ERROR' } },
      });
      expect(
        await call('PUT', `/${target.id}`, adminToken, { email: user.email, firstName: 'A', lastName: 'B', role: 'user' }),
      ).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
      expect(
        await call('PUT', `/${target.id}`, userToken, { email: 'a@example.com', firstName: 'A', lastName: 'B', role: 'user' }),
      ).toMatchObject({ status: 403 });
    });

    it('PATCH: a role-only change works for admins; a user may change only their own names and email', async () => {
      const target = await insertUser(db);
      expect(await call('PATCH', `/${target.id}`, adminToken, { role: 'readonly' })).toMatchObject({
        status: 200,
        body: { data: { role: 'readonly' } },
      });
      const self = await call('PATCH', `/${user.id}`, userToken, { firstName: 'Self', role: 'admin', isActive: false });
      expect(self).toMatchObject({ status: 200, body: { data: { firstName: 'Self', role: 'user', isActive: true } } });
      expect(await call('PATCH', `/${user.id}`, userToken, { role: 'admin' })).toMatchObject({
        status: 400,
        body: { error: { code: 'BAD_REQUEST', message: 'No valid fields provided for update' } },
      });
      expect(await call('PATCH', `/${target.id}`, userToken, { firstName: 'Nope' })).toMatchObject({ status: 403 });
      expect(await call('PATCH', `/${target.id}`, adminToken, { isActive: 'yes' })).toMatchObject({
        status: 400,
        body: { error: { code: 'VALIDATION_ERROR' } },
      });
      expect(await call('PATCH', `/${target.id}`, adminToken, { lastName: 'x onclick=alert(1)' })).toMatchObject({
        status: 400,
        body: { error: { code: 'SECURITY_ERROR' } },
      });
    });

    it('DELETE (admin) soft-deletes: inactive, deleted_at set, sessions gone, events written; then 404', async () => {
      const target = await insertUser(db, { password: 'Target1!' });
      await loginToken(auth.url, target.email, 'Target1!');
      const res = await fetch(`${auth.url}/api/v1/users/${target.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect(res.status).toBe(204);
      expect(await res.text()).toBe('');
      const [row] = (await db.query('SELECT is_active, deleted_at FROM users WHERE id = $1', [target.id])).rows;
      expect(row).toEqual({ is_active: false, deleted_at: expect.any(Date) });
      expect(await count(db, 'sessions', 'user_id = $1', [target.id])).toBe(0);
      const types = (
        await db.query(`SELECT type FROM event_outbox WHERE payload->>'userId' = $1 ORDER BY occurred_at, type`, [target.id])
      ).rows
        .map((r) => r.type)
        .sort();
      expect(types).toEqual(['auth.user.deactivated', 'auth.user.updated']);
      expect(await call('DELETE', `/${target.id}`, adminToken)).toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_FOUND', message: 'User not found or already deleted' } },
      });
      expect(await call('DELETE', '/not-a-uuid', adminToken)).toMatchObject({ status: 400 });
      expect(await call('DELETE', `/${user.id}`, userToken)).toMatchObject({ status: 403 });
    });
  });

  describe('avatar (U7, U8) and tenants (U9)', () => {
    it('uploads to local storage, serves it, replaces the old file, and DELETE /avatar is reachable', async () => {
      const first = await uploadAvatar(userToken, PNG, 'image/png');
      expect(first.status).toBe(200);
      const body = await first.json();
      expect(body).toMatchObject({
        success: true,
        message: 'Avatar uploaded successfully',
        data: {
          avatarUrl: expect.stringMatching(
            new RegExp(`^http://gateway.test/api/v1/users/uploads/avatars/${user.id}/\\d+-${user.id}\\.png$`),
          ),
          user: { id: user.id },
        },
      });
      const key = body.data.avatarUrl.replace('http://gateway.test/api/v1/users/uploads/', '');
      const served = await fetch(`${auth.url}/api/v1/users/uploads/${key}`);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
      const second = await uploadAvatar(userToken, PNG, 'image/png');
      expect(second.status).toBe(200);
      expect(await readdir(join(uploads, 'avatars', user.id))).toHaveLength(1);
      const removed = await call('DELETE', '/avatar', userToken);
      expect(removed).toMatchObject({
        status: 200,
        body: { success: true, message: 'Avatar deleted successfully', data: { user: { avatarUrl: null } } },
      });
      expect(await readdir(join(uploads, 'avatars', user.id))).toHaveLength(0);
      expect((await fetch(`${auth.url}/api/v1/users/uploads/../../etc/passwd`)).status).toBe(404);
    });

    it('refuses a missing file, a wrong type, a lying file and an oversize one, changing nothing', async () => {
      const before = await usersSnapshot();
      const empty = await fetch(`${auth.url}/api/v1/users/avatar`, {
        method: 'POST',
        headers: { authorization: `Bearer ${userToken}` },
        body: new FormData(),
      });
      expect(empty.status).toBe(400);
      expect(await empty.json()).toMatchObject({ success: false, error: { code: 'BAD_REQUEST', message: 'No file uploaded' } });
      expect((await uploadAvatar(userToken, Buffer.from('<svg/>'), 'image/svg+xml')).status).toBe(415);
      const lying = await uploadAvatar(userToken, Buffer.from('<html>not a png</html>'), 'image/png');
      expect(lying.status).toBe(400);
      expect(await lying.json()).toMatchObject({ error: { code: 'FILE_VALIDATION_ERROR' } });
      const big = await uploadAvatar(userToken, Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024 + 10)]), 'image/png');
      expect(big.status).toBe(400);
      const huge = await uploadAvatar(userToken, Buffer.concat([PNG, Buffer.alloc(7 * 1024 * 1024)]), 'image/png');
      expect(huge.status).toBe(413);
      expect(await huge.json()).toMatchObject({ success: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
      expect((await uploadAvatar(userToken, PNG, 'image/png', 'other')).status).toBe(400);
      expect(await usersSnapshot()).toEqual(before);
    });

    it('lists the caller’s tenant memberships (empty without a tenant)', async () => {
      expect(await call('GET', '/me/tenants', userToken)).toEqual(
        expect.objectContaining({ status: 200, body: { success: true, data: [], timestamp: ISO } }),
      );
      const tenantId = await insertTenant(db, { slug: 'members-co' });
      const member = await insertUser(db, { tenantId, role: 'admin' });
      const { insertApiToken } = await import('../../test/support/db');
      const { token } = await insertApiToken(db, { userId: member.id, tenantId });
      const res = await call('GET', '/me/tenants', token);
      expect(res.body.data).toEqual([
        {
          tenant: {
            id: tenantId,
            slug: 'members-co',
            name: expect.any(String),
            plan: 'starter',
            features: ['apiAccess'],
            limits: { maxUsers: 5, maxStorage: 500, maxApiCalls: 10000 },
            status: 'active',
          },
          role: 'admin',
          joinedAt: ISO,
          isDefault: true,
        },
      ]);
    });
  });
});
