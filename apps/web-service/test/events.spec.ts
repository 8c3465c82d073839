import { randomUUID } from 'node:crypto';

import { IdentityCacheInvalidator } from '@nafs/auth-client';
import { AUTH_EVENTS, type AuthEvent } from '@nafs/contracts';
import { createMigratedDatabase, type TestDatabase, testInfra, uniqueRedisPrefix, waitFor } from '@nafs/database/testing';
import { authEventStreamKey, encodeAuthEvent } from '@nafs/events';
import { METRICS_REGISTRY } from '@nafs/observability';
import { createServiceApp } from '@nafs/runtime';
import type { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { Client } from 'pg';
import type { Registry } from 'prom-client';

import { WebUserDeletionHandler } from '../src/events/web-user-deletion.handler';
import { WEB_SERVICE } from '../src/service';

function userDeleted(userId: string): AuthEvent {
  return { id: randomUUID(), type: AUTH_EVENTS.userDeleted, occurredAt: new Date().toISOString(), payload: { userId, tenantId: null } };
}

describe('web-service consumes auth events (real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let sql: Client;
  let redis: Redis;
  let env: Record<string, string>;
  let streamKey: string;
  const apps: INestApplication[] = [];

  /** One web-service replica on the shared test database and Redis prefix (no HTTP listener needed). */
  async function startWeb(): Promise<INestApplication> {
    const app = await createServiceApp(WEB_SERVICE, WEB_SERVICE.loadConfig(env));
    await app.init();
    apps.push(app);
    return app;
  }

  async function stopWeb(app: INestApplication): Promise<void> {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  }

  const publish = (event: AuthEvent) => redis.xadd(streamKey, '*', ...encodeAuthEvent(event));
  const processed = async (eventId: string) =>
    (await sql.query('SELECT 1 FROM processed_events WHERE event_id = $1', [eventId])).rowCount === 1;
  const count = async (query: string, params: unknown[] = []) => Number((await sql.query(query, params)).rows[0].count);

  async function seedDrawingProject(userId: string, name = 'sketch'): Promise<string> {
    const { rows } = await sql.query(`INSERT INTO drawing_projects (user_id, name, template_data) VALUES ($1, $2, '{}') RETURNING id`, [
      userId,
      name,
    ]);
    return rows[0].id;
  }

  async function seedTool(createdBy: string | null): Promise<string> {
    const { rows } = await sql.query(
      `INSERT INTO tool_registry (tool_id, name, version, route, api_base, created_by) VALUES ($1, 'Tool', '1.0.0', '/t', '/api/t', $2) RETURNING id`,
      [`tool-${randomUUID().slice(0, 8)}`, createdBy],
    );
    return rows[0].id;
  }

  async function seedExportJob(toolId: string, userId: string | null): Promise<string> {
    const { rows } = await sql.query(`INSERT INTO export_jobs (tool_id, user_id) VALUES ($1, $2) RETURNING job_id`, [toolId, userId]);
    return rows[0].job_id;
  }

  beforeAll(async () => {
    db = await createMigratedDatabase('web', WEB_SERVICE.schema);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    redis = new Redis(testInfra().redisUrl);
    const prefix = uniqueRedisPrefix('web-events');
    streamKey = authEventStreamKey(prefix);
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      REDIS_URL: testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      RPC_CHANNEL_PREFIX: prefix,
      ...db.env('web'),
    };
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    await sql?.end();
    await redis?.quit();
    await db?.drop();
  });

  it('replays the legacy ON DELETE rules: drawing projects deleted, tool registry and export jobs set to NULL, others untouched', async () => {
    await startWeb();
    const [deleted, kept] = [randomUUID(), randomUUID()];
    const deletedProjects = [await seedDrawingProject(deleted), await seedDrawingProject(deleted, 'second')];
    const keptProject = await seedDrawingProject(kept);
    const toolByDeleted = await seedTool(deleted);
    const toolByKept = await seedTool(kept);
    const anonymousTool = await seedTool(null);
    const jobOfDeleted = await seedExportJob(toolByKept, deleted);
    const jobOfKept = await seedExportJob(toolByDeleted, kept);

    const event = userDeleted(deleted);
    await publish(event);
    await waitFor(() => processed(event.id), 10_000, 'the event to be applied');

    expect(await count('SELECT count(*) FROM drawing_projects WHERE id = ANY($1)', [deletedProjects])).toBe(0);
    expect(await count('SELECT count(*) FROM drawing_projects WHERE id = $1 AND user_id = $2', [keptProject, kept])).toBe(1);
    const tools = (await sql.query('SELECT id, created_by FROM tool_registry')).rows as { id: string; created_by: string | null }[];
    expect(Object.fromEntries(tools.map((tool) => [tool.id, tool.created_by]))).toEqual({
      [toolByDeleted]: null,
      [toolByKept]: kept,
      [anonymousTool]: null,
    });
    const jobs = (await sql.query('SELECT job_id, user_id, tool_id FROM export_jobs')).rows as {
      job_id: string;
      user_id: string | null;
      tool_id: string;
    }[];
    expect(Object.fromEntries(jobs.map((job) => [job.job_id, [job.user_id, job.tool_id]]))).toEqual({
      [jobOfDeleted]: [null, toolByKept],
      [jobOfKept]: [kept, toolByDeleted],
    });
  });

  it('applies events published while it was down once it is started again', async () => {
    const first = await startWeb();
    const user = randomUUID();
    const projects = [await seedDrawingProject(user), await seedDrawingProject(user)];
    const warmUp = userDeleted(randomUUID());
    await publish(warmUp);
    await waitFor(() => processed(warmUp.id), 10_000, 'warm-up event');
    await stopWeb(first);

    const event = userDeleted(user);
    await publish(event);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await count('SELECT count(*) FROM drawing_projects WHERE id = ANY($1)', [projects])).toBe(2);

    await startWeb();
    await waitFor(() => processed(event.id), 10_000, 'the event published while web was down');
    expect(await count('SELECT count(*) FROM drawing_projects WHERE id = ANY($1)', [projects])).toBe(0);
  });

  it('with two replicas, applies each event exactly once', async () => {
    const handle = jest.spyOn(WebUserDeletionHandler.prototype, 'handle');
    await Promise.all([startWeb(), startWeb()]);
    const events = Array.from({ length: 30 }, () => userDeleted(randomUUID()));
    for (const event of events) await seedDrawingProject((event.payload as { userId: string }).userId);
    for (const event of events) await publish(event);
    await waitFor(
      async () => (await count('SELECT count(*) FROM processed_events WHERE event_id = ANY($1)', [events.map((e) => e.id)])) === 30,
      15_000,
      '30 events',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const handledIds = handle.mock.calls.map(([event]) => event.id);
    expect(handledIds.sort()).toEqual(events.map((event) => event.id).sort());
    expect(
      await count('SELECT count(*) FROM drawing_projects WHERE user_id = ANY($1)', [
        events.map((e) => (e.payload as { userId: string }).userId),
      ]),
    ).toBe(0);
  });

  it('skips an event id it has already applied, and still drops the identity cache entry', async () => {
    const handle = jest.spyOn(WebUserDeletionHandler.prototype, 'handle');
    const invalidate = jest.spyOn(IdentityCacheInvalidator.prototype, 'handleAuthEventForIdentityCache');
    await startWeb();
    const user = randomUUID();
    await seedDrawingProject(user);
    const event = userDeleted(user);
    await publish(event);
    await publish(event); // the relay's commit failed after XADD: published twice
    await waitFor(async () => invalidate.mock.calls.filter(([e]) => e.id === event.id).length === 2, 10_000, 'both deliveries');
    expect(handle.mock.calls.filter(([e]) => e.id === event.id)).toHaveLength(1);
    expect(await count('SELECT count(*) FROM drawing_projects WHERE user_id = $1', [user])).toBe(0);
    expect(await count("SELECT count(*) FROM processed_events WHERE event_id = $1 AND type = 'auth.user.deleted'", [event.id])).toBe(1);
  });

  it('drops the identity cache for the events that do not touch web data', async () => {
    const invalidate = jest.spyOn(IdentityCacheInvalidator.prototype, 'handleAuthEventForIdentityCache');
    await startWeb();
    const user = randomUUID();
    const project = await seedDrawingProject(user);
    const deactivated: AuthEvent = {
      id: randomUUID(),
      type: AUTH_EVENTS.userDeactivated,
      occurredAt: new Date().toISOString(),
      payload: { userId: user, tenantId: null },
    };
    await publish(deactivated);
    await waitFor(() => processed(deactivated.id), 10_000, 'deactivation');
    expect(invalidate.mock.calls.map(([e]) => e.id)).toContain(deactivated.id);
    expect(await count('SELECT count(*) FROM drawing_projects WHERE id = $1', [project])).toBe(1);
  });

  it("reports consumer lag, pending entries and outcomes on the service's /metrics registry", async () => {
    const app = await startWeb();
    const event = userDeleted(randomUUID());
    await publish(event);
    await waitFor(() => processed(event.id), 10_000, 'the event');
    const text = await app.get<Registry>(METRICS_REGISTRY).metrics();
    expect(text).toContain(`nafs_events_consumer_lag{stream="${streamKey}",group="web-service",service="web-service"} 0`);
    expect(text).toContain(`nafs_events_consumer_pending{stream="${streamKey}",group="web-service",service="web-service"} 0`);
    expect(text).toMatch(
      new RegExp(
        `nafs_events_consumer_events_total\\{stream="${streamKey}",group="web-service",type="auth.user.deleted",outcome="applied",service="web-service"\\} \\d+`,
      ),
    );
    expect(text).toContain('nafs_events_consumer_delay_seconds_bucket');
  });
});
