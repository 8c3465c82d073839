import type { RunningTestService } from '@nafs/runtime/testing';
import type { Client } from 'pg';

import { connect, insertTenant, insertUser } from '../../test/support/db';
import { api, claimsOf, startAuth } from '../../test/support/http';

const login = (auth: RunningTestService, email: string, password: string) =>
  api(auth.url, 'POST', '/api/v1/auth/login', { body: { email, password } });

describe('tenancy switches (legacy 1.8)', () => {
  describe('ENABLE_MULTI_TENANCY=true with TENANT_TOKEN_ISOLATION (default)', () => {
    let auth: RunningTestService;
    let db: Client;

    beforeAll(async () => {
      auth = await startAuth({ ENABLE_MULTI_TENANCY: 'true' });
      db = await connect(auth.database.url);
    });
    afterAll(async () => {
      await db?.end();
      await auth?.close();
    });

    it('registers into an active tenant and issues tokens with the tenant claim', async () => {
      const tenantId = await insertTenant(db, { slug: 'acme-mt', plan: 'professional' });
      const res = await api(auth.url, 'POST', '/api/v1/auth/register', {
        body: { email: 'mt@example.com', password: 'Passw0rd!', firstName: 'M', lastName: 'T', tenantId },
      });
      expect(res.status).toBe(201);
      expect(res.body.data.user.tenantId).toBe(tenantId);
      expect(claimsOf(res.body.data.accessToken)).toMatchObject({
        tenantId,
        tenant: {
          id: tenantId,
          slug: 'acme-mt',
          plan: 'professional',
          features: ['apiAccess'],
          limits: { maxUsers: 5, maxStorage: 500, maxApiCalls: 10000 },
          status: 'active',
        },
      });
      const inactive = await insertTenant(db, { isActive: false });
      expect(
        await api(auth.url, 'POST', '/api/v1/auth/register', {
          body: { email: 'mt2@example.com', password: 'Passw0rd!', firstName: 'M', lastName: 'T', tenantId: inactive },
        }),
      ).toMatchObject({
        status: 400,
        body: { error: 'Bad Request', message: 'Invalid tenant' },
      });
    });

    it('logs in tenant users; a suspended or deactivated tenant locks its users out', async () => {
      const tenantId = await insertTenant(db);
      const user = await insertUser(db, { tenantId, password: 'Secret123!' });
      const ok = await login(auth, user.email, 'Secret123!');
      expect(ok.status).toBe(200);
      expect((await api(auth.url, 'GET', '/api/v1/auth/me', { token: ok.body.data.accessToken })).status).toBe(200);
      await db.query(`UPDATE tenants SET status = 'suspended' WHERE id = $1`, [tenantId]);
      const suspended = await login(auth, user.email, 'Secret123!');
      expect(claimsOf(suspended.body.data.accessToken).tenant.status).toBe('suspended');
      expect(await api(auth.url, 'GET', '/api/v1/auth/me', { token: suspended.body.data.accessToken })).toMatchObject({
        status: 401,
        body: { message: 'Invalid or expired token' },
      });
      await db.query(`UPDATE tenants SET status = 'active', is_active = false WHERE id = $1`, [tenantId]);
      expect(await api(auth.url, 'GET', '/api/v1/auth/me', { token: ok.body.data.accessToken })).toMatchObject({
        status: 401,
        body: { message: 'Tenant account is inactive or not found' },
      });
    });
  });

  describe('TENANT_TOKEN_ISOLATION=false', () => {
    let auth: RunningTestService;
    let db: Client;

    beforeAll(async () => {
      auth = await startAuth({ ENABLE_MULTI_TENANCY: 'true', TENANT_TOKEN_ISOLATION: 'false' });
      db = await connect(auth.database.url);
    });
    afterAll(async () => {
      await db?.end();
      await auth?.close();
    });

    it('issues no tenant claim and does not check the tenant', async () => {
      const tenantId = await insertTenant(db, { isActive: false });
      const user = await insertUser(db, { tenantId, password: 'Secret123!' });
      const res = await login(auth, user.email, 'Secret123!');
      expect(res.status).toBe(200);
      expect(claimsOf(res.body.data.accessToken)).not.toHaveProperty('tenant');
      expect(claimsOf(res.body.data.accessToken).tenantId).toBe(tenantId);
      expect((await api(auth.url, 'GET', '/api/v1/auth/me', { token: res.body.data.accessToken })).status).toBe(200);
    });
  });

  describe('single-tenant mode (default)', () => {
    let auth: RunningTestService;
    let db: Client;

    beforeAll(async () => {
      auth = await startAuth();
      db = await connect(auth.database.url);
    });
    afterAll(async () => {
      await db?.end();
      await auth?.close();
    });

    it('only finds tenant-less users at login, as legacy findByEmail did', async () => {
      const tenantId = await insertTenant(db);
      const inTenant = await insertUser(db, { tenantId, password: 'Secret123!', email: 'same@example.com' });
      expect((await login(auth, inTenant.email, 'Secret123!')).status).toBe(401);
      await insertUser(db, { password: 'Other123!', email: 'same@example.com' });
      const res = await login(auth, 'same@example.com', 'Other123!');
      expect(res.status).toBe(200);
      expect(res.body.data.user.tenantId).toBeNull();
    });
  });
});
