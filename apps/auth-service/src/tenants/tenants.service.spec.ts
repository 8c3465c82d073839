import { randomUUID } from 'node:crypto';

import type { RunningTestService } from '@nafs/runtime/testing';
import type { Client } from 'pg';

import { connect, insertTenant } from '../../test/support/db';
import { startAuth } from '../../test/support/http';
import { TenantsService } from './tenants.service';

describe('TenantsService.update (real PostgreSQL)', () => {
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

  it('changes the tenant and writes auth.tenant.updated in the same transaction', async () => {
    const tenantId = await insertTenant(db);
    const tenant = await auth.app.get(TenantsService).update(tenantId, { isActive: false, status: 'suspended' });
    expect(tenant).toMatchObject({ id: tenantId, isActive: false, status: 'suspended' });
    const events = (await db.query(`SELECT type, payload FROM event_outbox WHERE payload->>'tenantId' = $1`, [tenantId])).rows;
    expect(events).toEqual([{ type: 'auth.tenant.updated', payload: { tenantId, isActive: false, status: 'suspended', plan: 'starter' } }]);
  });

  it('writes nothing when the change is refused by the database', async () => {
    const tenantId = await insertTenant(db);
    await expect(auth.app.get(TenantsService).update(tenantId, { status: 'bogus' })).rejects.toThrow();
    expect((await db.query(`SELECT count(*)::int AS n FROM event_outbox WHERE payload->>'tenantId' = $1`, [tenantId])).rows[0].n).toBe(0);
    expect(await auth.app.get(TenantsService).update(randomUUID(), { status: 'active' })).toBeNull();
  });
});
