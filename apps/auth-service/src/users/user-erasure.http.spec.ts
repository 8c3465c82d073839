import type { RunningTestService } from '@nafs/runtime/testing';
import type { Client } from 'pg';

import { connect, count, insertApiToken, insertUser } from '../../test/support/db';
import { api, loginToken, startAuth } from '../../test/support/http';

describe('DELETE /api/v1/users/:id/permanent (erasure, admin)', () => {
  let auth: RunningTestService;
  let db: Client;
  let adminToken: string;
  let admin: { id: string; email: string };

  const erase = (id: string, token?: string) => api(auth.url, 'DELETE', `/api/v1/users/${id}/permanent`, { token });

  beforeAll(async () => {
    auth = await startAuth();
    db = await connect(auth.database.url);
    admin = await insertUser(db, { role: 'admin', password: 'Admin123!', email: 'admin.erase@example.com' });
    adminToken = await loginToken(auth.url, admin.email, 'Admin123!');
  });
  afterAll(async () => {
    await db?.end();
    await auth?.close();
  });

  it('deletes the user with their sessions and tokens, keeps their audit rows unnamed, and emits auth.user.deleted in the same transaction', async () => {
    const doomed = await insertUser(db, { password: 'Doomed123!', email: 'doomed@example.com' });
    await loginToken(auth.url, doomed.email, 'Doomed123!');
    await insertApiToken(db, { userId: doomed.id });
    expect(await count(db, 'sessions', 'user_id = $1', [doomed.id])).toBe(1);
    expect(await count(db, 'audit_logs', 'user_id = $1', [doomed.id])).toBeGreaterThan(0);

    expect((await erase(doomed.id, adminToken)).status).toBe(204);

    expect(await count(db, 'users', 'id = $1', [doomed.id])).toBe(0);
    expect(await count(db, 'sessions', 'user_id = $1', [doomed.id])).toBe(0);
    expect(await count(db, 'api_tokens', 'user_id = $1', [doomed.id])).toBe(0);
    expect(await count(db, 'audit_logs', 'user_id = $1', [doomed.id])).toBe(0);
    expect(await count(db, 'audit_logs', `action = 'ERASE' AND user_id = $1 AND resource_id = $2`, [admin.id, doomed.id])).toBe(1);
    const events = await db.query(`SELECT type, payload FROM event_outbox WHERE payload->>'userId' = $1`, [doomed.id]);
    expect(events.rows).toEqual([{ type: 'auth.user.deleted', payload: { userId: doomed.id, tenantId: null } }]);
    expect((await api(auth.url, 'POST', '/api/v1/auth/login', { body: { email: doomed.email, password: 'Doomed123!' } })).status).toBe(401);
  });

  it('answers 404 for an unknown or already erased user, 400 for a malformed id or oneself, 403 for non-admins, writing nothing', async () => {
    const bystander = await insertUser(db, { password: 'Plain123!', email: 'plain.erase@example.com' });
    const userToken = await loginToken(auth.url, bystander.email, 'Plain123!');
    const outboxBefore = await count(db, 'event_outbox');

    expect(await erase('00000000-0000-4000-8000-000000000000', adminToken)).toMatchObject({
      status: 404,
      body: { success: false, error: { code: 'NOT_FOUND' } },
    });
    expect(await erase('not-a-uuid', adminToken)).toMatchObject({
      status: 400,
      body: { success: false, error: { code: 'VALIDATION_ERROR' } },
    });
    expect(await erase(admin.id, adminToken)).toMatchObject({ status: 400, body: { success: false } });
    expect((await erase(bystander.id, userToken)).status).toBe(403);
    expect((await erase(bystander.id)).status).toBe(401);

    expect(await count(db, 'users', 'id = ANY($1)', [[admin.id, bystander.id]])).toBe(2);
    expect(await count(db, 'event_outbox')).toBe(outboxBefore);
  });
});
