import { randomUUID } from 'node:crypto';

import { AUTH_EVENTS, type AuthEvent } from '@nafs/contracts';
import { createMigratedDatabase, type TestDatabase, testInfra, uniqueRedisPrefix, waitFor } from '@nafs/database/testing';
import { authEventStreamKey, encodeAuthEvent } from '@nafs/events';
import { createServiceApp } from '@nafs/runtime';
import type { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { Client } from 'pg';

import { FormsUserDeletionHandler } from '../src/events/forms-user-deletion.handler';
import { FORMS_SERVICE } from '../src/service';

function userDeleted(userId: string): AuthEvent {
  return { id: randomUUID(), type: AUTH_EVENTS.userDeleted, occurredAt: new Date().toISOString(), payload: { userId, tenantId: null } };
}

describe('forms-service consumes auth events (real PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let sql: Client;
  let redis: Redis;
  let env: Record<string, string>;
  let streamKey: string;
  const apps: INestApplication[] = [];

  async function startForms(): Promise<INestApplication> {
    const app = await createServiceApp(FORMS_SERVICE, FORMS_SERVICE.loadConfig(env));
    await app.init();
    apps.push(app);
    return app;
  }

  const publish = (event: AuthEvent) => redis.xadd(streamKey, '*', ...encodeAuthEvent(event));
  const processed = async (eventId: string) =>
    (await sql.query('SELECT 1 FROM processed_events WHERE event_id = $1', [eventId])).rowCount === 1;
  const one = async <T>(query: string, params: unknown[] = []) => (await sql.query(query, params)).rows[0] as T;
  const ids = async (query: string, params: unknown[] = []) =>
    ((await sql.query(query, params)).rows as { id: string }[]).map((row) => row.id).sort();

  async function seedForm(userId: string, themeId: string | null = null) {
    const form = await one<{ id: string }>(`INSERT INTO forms (user_id, title) VALUES ($1, 'Form') RETURNING id`, [userId]);
    const schema = await one<{ id: string }>(`INSERT INTO form_schemas (form_id, schema_json, theme_id) VALUES ($1, $2, $3) RETURNING id`, [
      form.id,
      JSON.stringify({ fields: [], settings: themeId ? { themeId } : {} }),
      themeId,
    ]);
    return { formId: form.id, schemaId: schema.id };
  }

  async function seedSubmission(schemaId: string, userId: string | null): Promise<string> {
    return (
      await one<{ id: string }>(
        `INSERT INTO form_submissions (form_schema_id, values_json, submitter_ip, user_id) VALUES ($1, '{}', '10.0.0.1', $2) RETURNING id`,
        [schemaId, userId],
      )
    ).id;
  }

  async function seedShortLink(createdBy: string | null, schemaId: string | null = null): Promise<string> {
    const code = `c${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    return (
      await one<{ id: string }>(
        `INSERT INTO short_links (code, original_url, created_by, form_schema_id) VALUES ($1, 'https://example.com', $2, $3) RETURNING id`,
        [code, createdBy, schemaId],
      )
    ).id;
  }

  async function seedTheme(options: { createdBy: string | null; creatorId?: string | null; custom?: boolean }): Promise<string> {
    const custom = options.custom ?? false;
    return (
      await one<{ id: string }>(
        `INSERT INTO form_themes (name, theme_config, created_by, is_custom, creator_id, theme_definition) VALUES ($1, '{"primaryColor":"#000"}', $2, $3, $4, $5) RETURNING id`,
        [`theme-${randomUUID().slice(0, 8)}`, options.createdBy, custom, options.creatorId ?? null, custom ? '{}' : null],
      )
    ).id;
  }

  beforeAll(async () => {
    db = await createMigratedDatabase('forms', FORMS_SERVICE.schema);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    redis = new Redis(testInfra().redisUrl);
    const prefix = uniqueRedisPrefix('forms-events');
    streamKey = authEventStreamKey(prefix);
    env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      REDIS_URL: testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      RPC_CHANNEL_PREFIX: prefix,
      ...db.env('forms'),
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

  it('replays the legacy ON DELETE rules on exactly the rows that referenced the user, and resolves hazard F17', async () => {
    await startForms();
    const [deleted, other] = [randomUUID(), randomUUID()];

    // Themes: a predefined one the user created, custom ones (unused, used only by the user's own
    // form, used by someone else's form) and one of another user.
    const predefinedByDeleted = await seedTheme({ createdBy: deleted });
    const customUnused = await seedTheme({ createdBy: deleted, creatorId: deleted, custom: true });
    const customUsedByOwnForm = await seedTheme({ createdBy: deleted, creatorId: deleted, custom: true });
    const customUsedByOther = await seedTheme({ createdBy: deleted, creatorId: deleted, custom: true });
    const customOfOther = await seedTheme({ createdBy: other, creatorId: other, custom: true });

    // The user's forms, with what hangs off them.
    const own1 = await seedForm(deleted, customUsedByOwnForm);
    const own2 = await seedForm(deleted);
    const ownSubmissions = [await seedSubmission(own1.schemaId, null), await seedSubmission(own2.schemaId, other)];
    const ownLinks = [await seedShortLink(deleted, own1.schemaId), await seedShortLink(other, own2.schemaId)];

    // Another user's form: the deleted user submitted to it and made a short link for it.
    const others = await seedForm(other, customUsedByOther);
    const submissionByDeleted = await seedSubmission(others.schemaId, deleted);
    const submissionByOther = await seedSubmission(others.schemaId, other);
    const linkByDeletedToOthersForm = await seedShortLink(deleted, others.schemaId);
    const standaloneLinkByDeleted = await seedShortLink(deleted);
    const linkByOther = await seedShortLink(other);

    const event = userDeleted(deleted);
    await publish(event);
    await waitFor(() => processed(event.id), 10_000, 'the event to be applied');

    // CASCADE: the user's forms, their schemas, submissions and short links are gone.
    expect(await ids('SELECT id FROM forms')).toEqual([others.formId]);
    expect(await ids('SELECT id FROM form_schemas')).toEqual([others.schemaId]);
    expect(await ids('SELECT id FROM form_submissions WHERE id = ANY($1)', [ownSubmissions])).toEqual([]);
    expect(await ids('SELECT id FROM short_links WHERE id = ANY($1)', [ownLinks])).toEqual([]);

    // SET NULL: submissions and short links of the user on what remains.
    const submissions = (await sql.query('SELECT id, user_id FROM form_submissions')).rows as { id: string; user_id: string | null }[];
    expect(Object.fromEntries(submissions.map((row) => [row.id, row.user_id]))).toEqual({
      [submissionByDeleted]: null,
      [submissionByOther]: other,
    });
    const links = (await sql.query('SELECT id, created_by FROM short_links')).rows as { id: string; created_by: string | null }[];
    expect(Object.fromEntries(links.map((row) => [row.id, row.created_by]))).toEqual({
      [linkByDeletedToOthersForm]: null,
      [standaloneLinkByDeleted]: null,
      [linkByOther]: other,
    });

    // Themes (F17): unused custom themes deleted; the one someone else's form uses is kept,
    // retired and detached; the predefined one loses its creator; the other user's is untouched.
    const themes = (await sql.query('SELECT id, created_by, creator_id, is_custom, is_active FROM form_themes')).rows as {
      id: string;
      created_by: string | null;
      creator_id: string | null;
      is_custom: boolean;
      is_active: boolean;
    }[];
    const byId = Object.fromEntries(themes.map(({ id, ...rest }) => [id, rest]));
    expect(byId[customUnused]).toBeUndefined();
    expect(byId[customUsedByOwnForm]).toBeUndefined();
    expect(byId[customUsedByOther]).toEqual({ created_by: null, creator_id: null, is_custom: false, is_active: false });
    expect(byId[predefinedByDeleted]).toEqual({ created_by: null, creator_id: null, is_custom: false, is_active: true });
    expect(byId[customOfOther]).toEqual({ created_by: other, creator_id: other, is_custom: true, is_active: true });
    expect(themes).toHaveLength(3);
    expect((await one<{ theme_id: string }>('SELECT theme_id FROM form_schemas WHERE id = $1', [others.schemaId])).theme_id).toBe(
      customUsedByOther,
    );
    const leftovers = await one<{ n: number }>(
      `SELECT (SELECT count(*) FROM forms WHERE user_id = $1) + (SELECT count(*) FROM form_submissions WHERE user_id = $1)
            + (SELECT count(*) FROM short_links WHERE created_by = $1)
            + (SELECT count(*) FROM form_themes WHERE created_by = $1 OR creator_id = $1) AS n`,
      [deleted],
    );
    expect(Number(leftovers.n)).toBe(0);
  });

  it('applies a deletion published while it was down, once, and a second deletion event of the same user changes nothing', async () => {
    const handle = jest.spyOn(FormsUserDeletionHandler.prototype, 'handle');
    const first = await startForms();
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    const user = randomUUID();
    const form = await seedForm(user);
    const event = userDeleted(user);
    await publish(event);
    await publish(event); // a duplicate publish by the relay
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await ids('SELECT id FROM forms WHERE id = $1', [form.formId])).toEqual([form.formId]);

    await Promise.all([startForms(), startForms()]);
    await waitFor(() => processed(event.id), 10_000, 'the deletion');
    const again = userDeleted(user); // auth emitted it twice (different ids): the rules are idempotent
    await publish(again);
    await waitFor(() => processed(again.id), 10_000, 'the second deletion');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await ids('SELECT id FROM forms WHERE user_id = $1', [user])).toEqual([]);
    expect(handle.mock.calls.filter(([e]) => e.id === event.id)).toHaveLength(1);
    expect(handle.mock.calls.filter(([e]) => e.id === again.id)).toHaveLength(1);
  });
});
