// Issue 16.4 end to end: web is down while auth erases a user, then Redis (a private redis-server,
// without persistence) is killed and restarted empty, losing the stream and web's group. auth's
// relay replays its outbox, web's consumer recreates its group, and the erasure is applied once.

import { AuthFixture, TEST_JWT_SECRET } from '@nafs/auth-client/testing';
import { createMigratedDatabase, PrivateRedis, type TestDatabase, uniqueRedisPrefix, waitFor } from '@nafs/database/testing';
import { createServiceApp } from '@nafs/runtime';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';

import { WEB_SERVICE } from '../src/service';

describe('auth events survive a Redis restarted empty while web is down (auth bundle, web, a private redis-server)', () => {
  let redis: PrivateRedis;
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

  async function createProject(token: string, name: string): Promise<string> {
    const res = await fetch(`${web?.url}/api/v1/drawing-projects`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, templateData: { version: '1.0', shapes: [] } }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { data: { project: { id: string } } }).data.project.id;
  }

  async function webQuery<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const projectsLeft = async (ids: string[]) =>
    Number((await webQuery<{ n: string }>('SELECT count(*) AS n FROM drawing_projects WHERE id = ANY($1)', [ids]))[0].n);

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    const prefix = uniqueRedisPrefix('redis-restart');
    const shared = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    db = await createMigratedDatabase('web', WEB_SERVICE.schema);
    env = { NODE_ENV: 'test', LOG_LEVEL: 'error', JWT_SECRET: TEST_JWT_SECRET, EVENTS_BLOCK_MS: '200', ...shared, ...db.env('web') };
    await startWeb();
  }, 90_000);

  afterAll(async () => {
    // Redis back first, so the clients of the services close instead of retrying.
    await redis?.start().catch(() => undefined);
    await stopWeb();
    await auth?.stopAll();
    await redis?.kill();
    await db?.drop();
  });

  it('applies every event exactly once after web and the emptied Redis are back: the erased user’s projects are gone', async () => {
    const admin = await auth.createUser({ role: 'admin' });
    const [doomed, other] = [await auth.createUser(), await auth.createUser()];
    const doomedProjects = [await createProject(auth.accessToken(doomed), 'a'), await createProject(auth.accessToken(doomed), 'b')];
    const otherProject = await createProject(auth.accessToken(other), 'c');
    // Events web applies before the outage (deactivations: user.updated + user.deactivated each) are replayed too, and skipped.
    const early = await Promise.all([auth.createUser(), auth.createUser()]);
    for (const user of early) {
      const res = await fetch(`${auth.replicas[0].url}/api/v1/users/${user.id}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${auth.accessToken(admin)}` },
      });
      expect(res.status).toBe(204);
    }
    const processedCount = async () => Number((await webQuery<{ n: string }>('SELECT count(*) AS n FROM processed_events'))[0].n);
    await waitFor(async () => (await processedCount()) === 4, 5000, 'web to apply the deactivations');
    await stopWeb();

    const erased = await fetch(`${auth.replicas[0].url}/api/v1/users/${doomed.id}/permanent`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${auth.accessToken(admin)}` },
    });
    expect(erased.status).toBe(204);
    const unpublished = async () => (await auth.query(`SELECT 1 FROM event_outbox WHERE published_at IS NULL`)).length;
    await waitFor(async () => (await unpublished()) === 0, 5000, 'the relay to publish the erasure while web is down');

    await redis?.kill();
    await redis.start();
    const restartedAt = Date.now();
    await startWeb();
    await waitFor(async () => (await projectsLeft(doomedProjects)) === 0, 20_000, 'web to apply the erasure');
    const recoveredSeconds = (Date.now() - restartedAt) / 1000;
    expect(await projectsLeft([otherProject])).toBe(1);

    // Every event auth published reaches web once: processed_events holds each outbox id exactly once.
    const outbox = await auth.query<{ id: string }>(`SELECT id FROM event_outbox`);
    await waitFor(
      async () =>
        Number(
          (
            await webQuery<{ n: string }>('SELECT count(*) AS n FROM processed_events WHERE event_id = ANY($1)', [outbox.map((r) => r.id)])
          )[0].n,
        ) === outbox.length,
      10_000,
      'web to record every event',
    );
    const processed = await webQuery<{ event_id: string; n: number }>(
      'SELECT event_id, count(*)::int AS n FROM processed_events GROUP BY event_id',
    );
    expect(processed.every((row) => row.n === 1)).toBe(true);
    console.log(
      `redis restarted empty while web was down: auth outbox events ${outbox.length}, applied by web ${processed.length} ` +
        `(each once), erased user's projects left 0 of ${doomedProjects.length}, seconds from the restart to applied ${recoveredSeconds.toFixed(1)}`,
    );
  }, 60_000);
});
