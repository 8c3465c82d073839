// End to end with the real auth-service bundle (two replicas, so two relays compete for the
// outbox). Both changes go through auth's API: a deactivation (legacy U6, a soft delete) and a
// permanent deletion (DELETE /api/v1/users/:id/permanent). The events reach web-service through
// auth's relay and web's consumer group.
import { AuthFixture, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';
import { AUTH_EVENTS } from '@nafs/contracts';
import { createMigratedDatabase, type TestDatabase, testInfra, uniqueRedisPrefix, waitFor } from '@nafs/database/testing';
import { createServiceApp } from '@nafs/runtime';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';

import { WEB_SERVICE } from '../src/service';

describe('auth events end to end: auth-service bundle → Redis stream → web-service', () => {
  let auth: AuthFixture;
  let db: TestDatabase;
  let env: Record<string, string>;
  let web: { app: INestApplication; url: string } | undefined;

  async function startWeb(): Promise<void> {
    const app = await createServiceApp(WEB_SERVICE, WEB_SERVICE.loadConfig(env));
    await app.listen(0, '127.0.0.1');
    web = { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
  }

  async function stopWeb(): Promise<void> {
    await web?.app.close();
    web = undefined;
  }

  const listProjects = async (token: string) =>
    fetch(`${web?.url}/api/v1/drawing-projects`, { headers: { Authorization: `Bearer ${token}` } });

  async function createProject(token: string, name: string): Promise<string> {
    const res = await fetch(`${web?.url}/api/v1/drawing-projects`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, templateData: { version: '1.0', shapes: [] } }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { project: { id: string } } }).data.project.id;
  }

  async function webCount(sql: string, params: unknown[]): Promise<number> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return Number((await client.query(sql, params)).rows[0].count);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    const prefix = uniqueRedisPrefix('events-e2e');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    await auth.addReplica();
    db = await createMigratedDatabase('web', WEB_SERVICE.schema);
    env = { NODE_ENV: 'test', LOG_LEVEL: 'error', JWT_SECRET: TEST_JWT_SECRET, ...shared, ...db.env('web') };
    await startWeb();
  }, 90_000);

  afterAll(async () => {
    await stopWeb();
    await auth?.stopAll();
    await db?.drop();
  });

  it("a deactivation through auth's API takes effect in web within a second or two, although web caches identities for minutes", async () => {
    const admin = await auth.createUser({ role: 'admin' });
    const user: TestUser = await auth.createUser();
    const token = auth.accessToken(user);
    expect((await listProjects(token)).status).toBe(200); // identity now cached in web (Redis 5 min)

    const removed = await fetch(`${auth.replicas[0].url}/api/v1/users/${user.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${auth.accessToken(admin)}` },
    });
    expect(removed.status).toBe(204);
    const changedAt = Date.now();
    await waitFor(async () => (await listProjects(token)).status === 401, 5000, 'web to refuse the deactivated user', 25);
    expect(Date.now() - changedAt).toBeLessThan(2000);
    const types = await auth.query<{ type: string }>(
      `SELECT type FROM event_outbox WHERE payload->>'userId' = $1 AND published_at IS NOT NULL ORDER BY type`,
      [user.id],
    );
    expect(types.map((row) => row.type)).toEqual([AUTH_EVENTS.userDeactivated, AUTH_EVENTS.userUpdated]);
  });

  it('web stopped while auth deletes a user: once started again, that user’s drawing projects are gone', async () => {
    const admin = await auth.createUser({ role: 'admin' });
    const [doomed, other] = [await auth.createUser(), await auth.createUser()];
    const doomedProjects = [await createProject(auth.accessToken(doomed), 'a'), await createProject(auth.accessToken(doomed), 'b')];
    const otherProject = await createProject(auth.accessToken(other), 'c');
    expect(await webCount('SELECT count(*) FROM drawing_projects WHERE id = ANY($1)', [doomedProjects])).toBe(2);
    await stopWeb();

    const erased = await fetch(`${auth.replicas[1].url}/api/v1/users/${doomed.id}/permanent`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${auth.accessToken(admin)}` },
    });
    expect(erased.status).toBe(204);
    // auth's relay publishes while web is down; the stream keeps it for web's group.
    await waitFor(
      async () =>
        (await auth.query(`SELECT 1 FROM event_outbox WHERE type = $1 AND published_at IS NULL`, [AUTH_EVENTS.userDeleted])).length === 0,
      5000,
      'the relay',
    );
    expect(await webCount('SELECT count(*) FROM drawing_projects WHERE id = ANY($1)', [doomedProjects])).toBe(2);

    await startWeb();
    await waitFor(
      async () => (await webCount('SELECT count(*) FROM drawing_projects WHERE id = ANY($1)', [doomedProjects])) === 0,
      10_000,
      'web to apply the deletion',
    );
    expect(await webCount('SELECT count(*) FROM drawing_projects WHERE id = $1', [otherProject])).toBe(1);
    const published = await auth.query<{ n: number }>(`SELECT count(*)::int AS n FROM event_outbox WHERE published_at IS NOT NULL`);
    expect(published[0].n).toBeGreaterThanOrEqual(3);
  });
});
