import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AuthFixture, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';
import { WEB_EVENTS } from '@nafs/contracts';
import {
  copyLegacyTables,
  createSeededLegacyDatabase,
  type TestDatabase,
  testInfra,
  uniqueRedisPrefix,
  waitFor,
} from '@nafs/database/testing';
import { encodeAuthEvent, webEventStreamKey } from '@nafs/events';
import { createServiceApp } from '@nafs/runtime';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import type { INestApplication } from '@nestjs/common';
import Redis from 'ioredis';
import { sign } from 'jsonwebtoken';
import { Client } from 'pg';

import { loadFormsConfig } from '../src/config/forms.config';
import { FORMS_SERVICE } from '../src/service';

const LEGACY_SECRET = 'legacy-fixture-render-secret-0123456789abcdef';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Body = Record<string, any>;

let ipCounter = 0;
/** A client IP of its own per test, so the per-IP limits of one test never bleed into another. */
const freshIp = () => `10.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}.${1 + (process.pid % 200)}`;

describe('public forms F21-F23, executors, X9/X13/X14, short links F24-F29 (real PostgreSQL, Redis, auth-service)', () => {
  let auth: AuthFixture;
  let forms: RunningTestService;
  let app: INestApplication;
  let baseUrl: string;
  let legacy: TestDatabase;
  let db: Client;
  let redis: Redis;
  let prefix: string;
  let owner: TestUser;

  const call = async (
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; ip?: string; token?: string; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { 'X-Forwarded-For': options.ip ?? freshIp(), ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.body !== undefined || options.raw !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      redirect: 'manual',
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await res.text();
    let body: Body;
    try {
      body = JSON.parse(text);
    } catch {
      body = { text };
    }
    return { status: res.status, body, headers: res.headers };
  };
  const q = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows;
  const count = async (sql: string, params: unknown[] = []) => Number((await q(sql, params))[0].count);

  /** A published form of our own: a forms row, one published schema version, its token and short link. */
  const publishForm = async (fields: unknown[], settings: Record<string, unknown> = {}, expiresAt: Date | null = null) => {
    const formId = randomUUID();
    const schemaId = randomUUID();
    await q(`INSERT INTO forms (id, user_id, title, status) VALUES ($1, $2, 'Test form', 'published')`, [formId, owner.id]);
    const payload: Record<string, unknown> = { formSchemaId: schemaId, iss: 'form-builder' };
    if (expiresAt) payload.exp = Math.floor(expiresAt.getTime() / 1000);
    const token = sign(payload, LEGACY_SECRET, { algorithm: 'HS256' });
    await q(
      `INSERT INTO form_schemas (id, form_id, schema_version, schema_json, is_published, render_token, expires_at) VALUES ($1, $2, 1, $3, true, $4, $5)`,
      [
        schemaId,
        formId,
        JSON.stringify({
          fields,
          settings: { layout: { columns: 1, spacing: 'medium' }, submission: { successMessage: 'Merci' }, ...settings },
        }),
        token,
        expiresAt,
      ],
    );
    const code = `t${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    await q(`INSERT INTO short_links (code, original_url, created_by, form_schema_id, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      code,
      `http://localhost:4201/forms/render/${token}`,
      owner.id,
      schemaId,
      expiresAt,
    ]);
    return { formId, schemaId, token, code };
  };

  const publishWebEvent = (type: string, payload: Record<string, unknown>) =>
    redis.xadd(
      webEventStreamKey(prefix),
      '*',
      ...encodeAuthEvent({ id: randomUUID(), type, occurredAt: new Date().toISOString(), payload } as never),
    );

  const startForms = async () => {
    app = await createServiceApp(FORMS_SERVICE, loadFormsConfig(forms.env));
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  };

  beforeAll(async () => {
    prefix = uniqueRedisPrefix('public_forms');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    legacy = await createSeededLegacyDatabase('forms_public');
    forms = await startTestService(FORMS_SERVICE, {
      ...shared,
      JWT_SECRET: TEST_JWT_SECRET,
      // The test plays the gateway: its X-Forwarded-For is the one trusted hop.
      TRUST_PROXY_HOPS: '1',
      FORM_RENDER_TOKEN_SECRET: LEGACY_SECRET,
      FORMS_UPLOADS_DIR: mkdtempSync(join(tmpdir(), 'nafs-forms-public-')),
      FORMS_UPLOADS_PUBLIC_URL: 'https://files.example.com/uploads',
      SHORT_LINK_BASE_URL: 'https://go.example.com',
      EVENTS_BLOCK_MS: '200',
    });
    app = forms.app;
    baseUrl = forms.url;
    await copyLegacyTables(legacy.url, forms.database.url, 'forms');
    db = new Client({ connectionString: forms.database.url });
    await db.connect();
    redis = new Redis(testInfra().redisUrl);
    owner = await auth.createUser();
  }, 180_000);

  afterAll(async () => {
    await db?.end();
    redis?.disconnect();
    await app?.close();
    await forms?.database.drop();
    await legacy?.drop();
    await auth?.stopAll();
  });

  it('renders a form published by the legacy monolith by token and by short code, and stores its submission', async () => {
    const [row] = await q(`
      SELECT s.id, s.render_token, l.code, s.schema_json FROM form_schemas s JOIN short_links l ON l.form_schema_id = s.id
       WHERE s.is_published AND s.render_token IS NOT NULL AND (s.expires_at IS NULL OR s.expires_at > now()) AND (l.expires_at IS NULL OR l.expires_at > now())
         AND jsonb_array_length(s.schema_json->'fields') < 20
       ORDER BY s.id LIMIT 1`);
    expect(row).toBeDefined();

    const byToken = await call('GET', `/api/v1/public/forms/render/${row.render_token}`, { token: 'stale.invalid.bearer' });
    expect(byToken.status).toBe(200);
    expect(byToken.body).toMatchObject({
      success: true,
      message: 'Form schema retrieved successfully',
      data: { schema: { id: row.id, isPublished: true } },
    });
    expect(byToken.headers.get('x-frame-options')).toBe('ALLOWALL');
    expect(byToken.headers.get('content-security-policy')).toBe("frame-ancestors 'self' *");
    expect(byToken.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');

    const byCode = await call('GET', `/api/v1/public/forms/${row.code}`);
    expect(byCode.status).toBe(200);
    expect(byCode.body.data).toBeUndefined();
    expect(byCode.body.form).toMatchObject({
      id: row.id,
      shortCode: row.code,
      renderToken: row.render_token,
      schema: { id: row.id, isPublished: true },
    });

    // Valid values for every input field the legacy seed generated (its fields are keyed by `name`).
    const values: Record<string, unknown> = {};
    for (const field of row.schema_json.fields as { type: string; name: string; options?: { value: string }[] }[]) {
      const sample: Record<string, unknown> = {
        text: "Jane O'Neil",
        email: 'Jane.Doe+news@GoogleMail.com',
        number: '42',
        textarea: "Hello O'Brien",
        select: field.options?.[0]?.value,
        radio: field.options?.[0]?.value,
        checkbox: field.options?.[0]?.value,
        toggle: true,
        date: '2026-03-01',
        datetime: '2026-03-01T10:00:00Z',
      };
      if (field.type in sample) values[field.name] = sample[field.type];
    }
    const ip = freshIp();
    const submitted = await call('POST', `/api/v1/public/forms/submit/${byCode.body.form.renderToken}`, {
      body: { values },
      ip,
      headers: { 'User-Agent': 'jest-agent', Referer: 'https://example.com/page' },
    });
    expect(submitted.status).toBe(201);
    expect(submitted.body).toMatchObject({
      success: true,
      message: 'Form submitted successfully',
      data: { submissionId: expect.any(String) },
    });
    const [stored] = await q(
      'SELECT form_schema_id, values_json, host(submitter_ip) AS ip, user_id, metadata FROM form_submissions WHERE id = $1',
      [submitted.body.data.submissionId],
    );
    expect(stored).toMatchObject({
      form_schema_id: row.id,
      ip,
      user_id: null,
      metadata: { userAgent: 'jest-agent', referer: 'https://example.com/page' },
    });
    for (const [key, value] of Object.entries(values)) {
      const type = (row.schema_json.fields as { name: string; type: string }[]).find((f) => f.name === key)!.type;
      if (type === 'email') expect(stored.values_json[key]).toBe('janedoe@gmail.com');
      else if (type === 'number') expect(stored.values_json[key]).toBe(42);
      else if (type === 'textarea') expect(stored.values_json[key]).toBe('Hello O&#x27;Brien');
      else if (type === 'text') expect(stored.values_json[key]).toBe('Jane O&#x27;Neil');
      else expect(stored.values_json[key]).toEqual(value);
    }
  });

  it('publishes through F1/F3, renders by the returned token and short code, and the owner sees the submission in F11 and the CSV export', async () => {
    const token = auth.accessToken(owner);
    const created = await call('POST', '/api/v1/forms', {
      token,
      body: {
        title: 'Contact',
        schema: {
          fields: [
            { id: 'n', type: 'text', fieldName: 'full_name', label: 'Name', required: true },
            { id: 'e', type: 'email', fieldName: 'mail', label: 'Mail' },
          ],
          settings: {
            layout: { columns: 1, spacing: 'medium' },
            submission: { showSuccessMessage: true, successMessage: 'Thanks', allowMultipleSubmissions: true },
          },
        },
      },
    });
    expect(created.status).toBe(201);
    const published = await call('POST', `/api/v1/forms/${created.body.data.id}/publish`, { token, body: {} });
    expect(published.status).toBe(200);
    const renderToken = String(published.body.data.renderUrl).split('/forms/render/')[1];
    expect((await call('GET', `/api/v1/public/forms/render/${renderToken}`)).body.data.schema.fields).toHaveLength(2);
    const byCode = await call('GET', `/api/v1/public/forms/${published.body.data.shortCode}`);
    expect(byCode.body.form.renderToken).toBe(renderToken);
    const submitted = await call('POST', `/api/v1/public/forms/submit/${renderToken}`, {
      body: { values: { full_name: 'Ada <Lovelace>', mail: 'ada@example.com' } },
    });
    expect(submitted.status).toBe(201);

    const list = await call('GET', `/api/v1/forms/${created.body.data.id}/submissions`, { token });
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([
      expect.objectContaining({
        id: submitted.body.data.submissionId,
        values: expect.objectContaining({ full_name: 'Ada &lt;Lovelace&gt;', mail: 'ada@example.com' }),
      }),
    ]);
    const csv = await fetch(`${baseUrl}/api/v1/forms/${created.body.data.id}/submissions/export`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('ada@example.com');
  });

  it('answers an expired token 410, a forged or malformed one 404, an unpublished or expired schema 404/410, and stores nothing', async () => {
    const { schemaId } = await publishForm([{ id: 'a', type: 'text', fieldName: 'a', label: 'A' }]);
    const before = await count('SELECT count(*) FROM form_submissions');
    const expired = sign({ formSchemaId: schemaId, iss: 'form-builder', exp: Math.floor(Date.now() / 1000) - 60 }, LEGACY_SECRET, {
      algorithm: 'HS256',
    });
    const forged = sign({ formSchemaId: schemaId, iss: 'form-builder' }, 'another-secret-another-secret-42', { algorithm: 'HS256' });
    expect((await call('GET', `/api/v1/public/forms/render/${expired}`)).status).toBe(410);
    expect((await call('GET', `/api/v1/public/forms/render/${forged}`)).status).toBe(404);
    expect((await call('GET', `/api/v1/public/forms/render/not-a-jwt`)).status).toBe(404);
    expect((await call('GET', `/api/v1/public/forms/render/${'x'.repeat(5000)}`)).status).toBe(404);
    const gone = await call('POST', `/api/v1/public/forms/submit/${expired}`, { body: { values: { a: 'x' } } });
    expect(gone.status).toBe(410);
    expect(gone.body).toMatchObject({ success: false, error: 'Bad Request', message: 'This form has expired' });
    expect((await call('POST', `/api/v1/public/forms/submit/${forged}`, { body: { values: { a: 'x' } } })).status).toBe(404);

    const past = await publishForm([{ id: 'a', type: 'text', fieldName: 'a', label: 'A' }], {}, new Date(Date.now() + 1500));
    await q(`UPDATE form_schemas SET expires_at = now() - interval '1 minute' WHERE id = $1`, [past.schemaId]);
    expect((await call('GET', `/api/v1/public/forms/render/${past.token}`)).status).toBe(410);
    const unpublished = await publishForm([{ id: 'a', type: 'text', fieldName: 'a', label: 'A' }]);
    await q('UPDATE form_schemas SET is_published = false WHERE id = $1', [unpublished.schemaId]);
    expect((await call('GET', `/api/v1/public/forms/render/${unpublished.token}`)).status).toBe(404);
    expect((await call('GET', `/api/v1/public/forms/${unpublished.code}`)).status).toBe(404);
    expect((await call('GET', `/api/v1/public/forms/no-such-code`)).status).toBe(404);
    expect(await count('SELECT count(*) FROM form_submissions')).toBe(before);
  });

  it('embeds a soft-deleted theme in F21 but only an active one in F23 (legacy 5.4)', async () => {
    const [inactive] = await q('SELECT id FROM form_themes WHERE NOT is_active ORDER BY id LIMIT 1');
    const [active] = await q('SELECT id FROM form_themes WHERE is_active ORDER BY id LIMIT 1');
    const retired = await publishForm([{ id: 'a', type: 'text', fieldName: 'a', label: 'A' }]);
    await q('UPDATE form_schemas SET theme_id = $2 WHERE id = $1', [retired.schemaId, inactive.id]);
    const f21 = await call('GET', `/api/v1/public/forms/render/${retired.token}`);
    expect(f21.body.data).toMatchObject({
      theme: { id: inactive.id, isActive: false },
      schema: { themeId: inactive.id, theme: { id: inactive.id }, settings: { themeId: inactive.id } },
    });
    expect((await call('GET', `/api/v1/public/forms/${retired.code}`)).body.form).toMatchObject({
      theme: null,
      settings: { themeId: inactive.id },
    });
    const live = await publishForm([{ id: 'a', type: 'text', fieldName: 'a', label: 'A' }]);
    await q('UPDATE form_schemas SET theme_id = $2 WHERE id = $1', [live.schemaId, active.id]);
    expect((await call('GET', `/api/v1/public/forms/${live.code}`)).body.form.theme).toMatchObject({ id: active.id, isActive: true });
  });

  it('applies the validation matrix per field type (V7), rejects unknown keys and oversized input, and stores nothing', async () => {
    const fields = [
      {
        id: 'f1',
        type: 'text',
        fieldName: 'name',
        label: 'Name',
        required: true,
        validation: { minLength: 2, maxLength: 10, pattern: '^[\\p{L} ]*$', errorMessage: 'Letters only' },
      },
      { id: 'f2', type: 'email', fieldName: 'email', label: 'Email' },
      { id: 'f3', type: 'number', fieldName: 'age', label: 'Age', validation: { min: 18, max: 99 } },
      {
        id: 'f4',
        type: 'select',
        fieldName: 'color',
        label: 'Color',
        options: [
          { label: 'Red', value: 'red' },
          { label: 'Blue', value: 'blue' },
        ],
      },
      {
        id: 'f5',
        type: 'checkbox',
        fieldName: 'tags',
        label: 'Tags',
        options: [
          { label: 'A', value: 'a' },
          { label: 'B', value: 'b' },
        ],
      },
      { id: 'f6', type: 'checkbox', fieldName: 'agree', label: 'Agree' },
      { id: 'f7', type: 'toggle', fieldName: 'news', label: 'News' },
      { id: 'f8', type: 'date', fieldName: 'day', label: 'Day' },
      { id: 'f9', type: 'radio', fieldName: 'size', label: 'Size', required: true, options: [{ label: 'S', value: 's' }] },
      { id: 'f10', type: 'divider', fieldName: 'sep', label: '' },
      { id: 'f11', type: 'heading', fieldName: 'title', label: 'Title', required: true },
      { id: 'f12', type: 'textarea', fieldName: 'notes', label: 'Notes' },
    ];
    const { token, schemaId } = await publishForm(fields);
    const submit = (values: unknown, ip = freshIp()) =>
      call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values }, ip, token: 'garbage-bearer' });
    const stored = () => count('SELECT count(*) FROM form_submissions WHERE form_schema_id = $1', [schemaId]);

    const bad = await submit({
      name: 'J',
      email: 'not-an-email',
      age: 'old',
      color: 'green',
      tags: 'a,c',
      agree: 'yes',
      news: 'true',
      day: '2026-13-45',
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, error: 'Bad Request', message: 'Validation failed' });
    expect(Object.keys(bad.body.errors).sort()).toEqual(
      ['age', 'agree', 'color', 'day', 'email', 'extra', 'name', 'news', 'size', 'tags'].sort(),
    );
    expect((await submit({ name: 'Jo3', size: 's' })).body.errors).toEqual({ name: 'Letters only' });
    expect((await submit({ name: 'Jo', size: 's', age: 17 })).body.errors).toEqual({ age: expect.stringContaining('18') });
    expect((await submit({ name: 'Jo', size: 's', age: 100 })).body.errors).toEqual({ age: expect.stringContaining('99') });
    expect((await submit({ name: 'Jo', size: 's', notes: 'x'.repeat(1_000_000) })).status).toBe(400);
    expect((await submit({ name: 'Jo', size: 's', notes: 'nul\u0000byte' })).status).toBe(400);
    expect((await submit({ name: ['Jo'], size: 's' })).body.errors).toEqual({ name: expect.any(String) });
    expect((await submit([1, 2])).status).toBe(400);
    expect((await call('POST', `/api/v1/public/forms/submit/${token}`, { body: { nope: 1 } })).status).toBe(400);
    expect((await call('POST', `/api/v1/public/forms/submit/${token}`, { raw: '{"values":' })).status).toBe(400);
    expect(await stored()).toBe(0);

    const ok = await submit({
      name: 'Zoë Ann',
      email: 'A.B@Example.COM',
      age: '30',
      color: 'blue',
      tags: 'a,b',
      agree: true,
      news: false,
      day: '2026-02-28',
      size: 's',
      notes: `a/b & "c"`,
    });
    expect(ok.status).toBe(201);
    expect(ok.body.data).toMatchObject({ successMessage: 'Merci' });
    const [row] = await q('SELECT values_json FROM form_submissions WHERE id = $1', [ok.body.data.submissionId]);
    expect(row.values_json).toEqual({
      name: 'Zoë Ann',
      email: 'a.b@example.com',
      age: 30,
      color: 'blue',
      tags: 'a,b',
      agree: true,
      news: false,
      day: '2026-02-28',
      size: 's',
      notes: 'a&#x2F;b &amp; &quot;c&quot;',
    });
  });

  it('limits submissions per client IP (X-Forwarded-For through one trusted hop) with a 429 and Retry-After, counting only stored ones', async () => {
    const { token } = await publishForm([{ id: 'a', type: 'text', fieldName: 'a', label: 'A', required: true }]);
    const ip = freshIp();
    expect((await call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: {} }, ip })).status).toBe(400); // refused: not counted
    for (let i = 0; i < 10; i++)
      expect((await call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: { a: `v${i}` } }, ip })).status).toBe(201);
    const limited = await call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: { a: 'eleven' } }, ip });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ success: false, error: 'Bad Request' });
    // A client cannot pick its address: a spoofed left-most X-Forwarded-For entry is not trusted.
    expect(
      (await call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: { a: 'spoof' } }, ip: `1.2.3.4, ${ip}` })).status,
    ).toBe(429);
    expect((await call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: { a: 'other' } }, ip: freshIp() })).status).toBe(
      201,
    );
  });

  it('scores a quiz into data.metadata and the stored metadata (points-weighted, answers not revealed)', async () => {
    const fields = [
      { id: 'q1', type: 'radio', fieldName: 'question_1', label: 'Capital of France?', options: [{ value: 'paris' }, { value: 'rome' }] },
      { id: 'q2', type: 'radio', fieldName: 'question_2', label: '2+2?', options: [{ value: '4' }, { value: '5' }] },
      { id: 'q3', type: 'text', fieldName: 'question_3', label: 'Closest planet to the sun?' },
    ];
    const config = {
      type: 'quiz',
      scoringRules: [
        { fieldId: 'q1', correctAnswer: 'paris', points: 1 },
        { fieldId: 'question_2', correctAnswer: 4, points: 2 },
        { fieldId: 'q3', correctAnswer: 'Mercury', points: 3 },
      ],
      passingScore: 50,
      showResults: true,
    };
    const { token } = await publishForm(fields, { businessLogicConfig: config });
    const res = await call('POST', `/api/v1/public/forms/submit/${token}`, {
      body: { values: { question_1: 'paris', question_2: '5', question_3: ' mercury ' } },
    });
    expect(res.status).toBe(201);
    expect(res.body.data.metadata).toEqual({
      score: 67,
      correctAnswers: 2,
      totalQuestions: 3,
      passed: true,
      pointsEarned: 4,
      maxPoints: 6,
      answeredAt: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toContain('Mercury');
    const [row] = await q('SELECT metadata FROM form_submissions WHERE id = $1', [res.body.data.submissionId]);
    expect(row.metadata).toMatchObject({ score: 67, passed: true, userAgent: expect.any(String) });
    const missing = await call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: { question_1: 'paris' } } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual(["Question 'question_2' is required", "Question 'question_3' is required"]);
  });

  it('books a capacity-1 slot exactly once under 20 parallel submits, and available-slots shows it', async () => {
    const fields = [
      { id: 'd', type: 'date', fieldName: 'booking_date', label: 'Date', required: true },
      {
        id: 't',
        type: 'select',
        fieldName: 'time_slot',
        label: 'Slot',
        required: true,
        options: [{ value: '09:00-10:00' }, { value: '10:00-11:00' }],
      },
    ];
    const { token, code, formId, schemaId } = await publishForm(fields, {
      businessLogicConfig: { type: 'appointment', dateField: 'booking_date', timeSlotField: 'time_slot', maxBookingsPerSlot: 1 },
    });
    const day = new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 10);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: { booking_date: day, time_slot: '09:00-10:00' } } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    const winner = results.find((r) => r.status === 201)!;
    expect(winner.body.data.metadata).toMatchObject({
      form_id: formId,
      date: day,
      time_slot: '09:00-10:00',
      status: 'confirmed',
      remaining_capacity: 0,
      max_capacity: 1,
    });
    expect(await count(`SELECT count(*) FROM appointment_bookings WHERE form_id = $1`, [formId])).toBe(1);
    expect(await count(`SELECT count(*) FROM form_submissions WHERE form_schema_id = $1`, [schemaId])).toBe(1);
    expect(
      (
        await call('POST', `/api/v1/public/forms/submit/${token}`, {
          body: { values: { booking_date: '2001-01-01', time_slot: '09:00-10:00' } },
        })
      ).status,
    ).toBe(400);

    const slots = await call('GET', `/api/v1/public/forms/${code}/available-slots?startDate=${day}&endDate=${day}`);
    expect(slots.status).toBe(200);
    expect(slots.body.data.slots).toEqual([
      expect.objectContaining({ date: day, time_slot: '09:00-10:00', available_capacity: 0, max_capacity: 1, is_available: false }),
      expect.objectContaining({ date: day, time_slot: '10:00-11:00', available_capacity: 1, max_capacity: 1, is_available: true }),
    ]);
    expect((await call('GET', `/api/v1/public/forms/${code}/available-slots?startDate=2026-13-45&endDate=${day}`)).status).toBe(400);
    expect((await call('GET', `/api/v1/public/forms/${code}/available-slots`)).status).toBe(400);
    expect((await call('GET', `/api/v1/public/forms/${code}/poll-results`)).status).toBe(404);
  });

  it('sells exactly 10 of a stock of 10 under 50 parallel purchases, and X9 reads the stock', async () => {
    const fields = [
      { id: 'p', type: 'image_gallery', fieldName: 'product', label: 'Product', metadata: { images: [{ url: 'x', sku: 'TSHIRT-RED-M' }] } },
      { id: 'q', type: 'number', fieldName: 'quantity', label: 'Quantity', required: true },
    ];
    const { token, formId, schemaId } = await publishForm(fields, {
      businessLogicConfig: { type: 'inventory', variantField: 'product', quantityField: 'quantity' },
    });
    await q(`INSERT INTO product_inventory (form_id, sku, stock_quantity) VALUES ($1, 'TSHIRT-RED-M', 10)`, [formId]);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: { product: '1', quantity: 1 } } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 409)).toHaveLength(40);
    expect((await q(`SELECT stock_quantity FROM product_inventory WHERE sku = 'TSHIRT-RED-M'`))[0].stock_quantity).toBe(0);
    expect(await count(`SELECT count(*) FROM form_submissions WHERE form_schema_id = $1`, [schemaId])).toBe(10);
    expect((await call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: { product: '1', quantity: 100 } } })).status).toBe(
      400,
    );

    const stock = await call('GET', '/api/v1/inventory/TSHIRT-RED-M');
    expect(stock).toMatchObject({
      status: 200,
      body: { success: true, data: { sku: 'TSHIRT-RED-M', stock_quantity: 0, available: false } },
    });
    expect(stock.body.timestamp).toBeUndefined();
    const unknown = await call('GET', '/api/v1/inventory/NOPE');
    expect(unknown).toMatchObject({ status: 404, body: { success: false, error: 'PRODUCT_NOT_FOUND' } });
  });

  it('counts poll votes, refuses a second vote from the same voter, and answers poll-results', async () => {
    const fields = [
      { id: 'v', type: 'radio', fieldName: 'poll_option', label: 'Vote', required: true, options: [{ value: 'yes' }, { value: 'no' }] },
    ];
    const { token, code } = await publishForm(fields, {
      businessLogicConfig: {
        type: 'poll',
        voteField: 'poll_option',
        preventDuplicates: true,
        showResultsAfterVote: true,
        trackingMethod: 'ip',
      },
    });
    const voter = freshIp();
    const first = await call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: { poll_option: 'yes' } }, ip: voter });
    expect(first.status).toBe(201);
    expect(first.body.data.metadata).toMatchObject({
      vote_value: 'yes',
      poll_results: { total_votes: 1, vote_counts: { yes: 1 }, user_voted: true },
    });
    expect(
      (await call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: { poll_option: 'no' } }, ip: voter })).status,
    ).toBe(400);
    expect((await call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: { poll_option: 'no' } } })).status).toBe(201);
    expect((await call('POST', `/api/v1/public/forms/submit/${token}`, { body: { values: { poll_option: 'no' } } })).status).toBe(201);
    const results = await call('GET', `/api/v1/public/forms/${code}/poll-results`);
    expect(results.body).toMatchObject({
      success: true,
      data: { total_votes: 3, vote_counts: { yes: 1, no: 2 }, vote_percentages: { yes: 33, no: 67 } },
    });
  });

  it('creates short links (rules, reserved names, QR) while web says short-link is active; 403 within 2 s of web deactivating it, even if forms was down', async () => {
    const token = auth.accessToken(owner);
    const create = (body: unknown) => call('POST', '/api/v1/tools/short-links', { body, token });
    // web never heard from: allowed.
    const made = await create({ originalUrl: 'example.com/some/page', customName: 'My-Link' });
    expect(made.status).toBe(201);
    expect(made.body.data).toMatchObject({
      shortLink: { code: 'my-link', originalUrl: 'https://example.com/some/page', clickCount: 0 },
      shortUrl: 'https://go.example.com/s/my-link',
    });
    expect(made.body.data.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(made.body.data.qrCodeUrl).toBe('https://files.example.com/uploads/qr-codes/qr-my-link.png');
    const generated = await create({ originalUrl: 'https://example.org/x', expiresAt: null });
    expect(generated.body.data.shortLink.code).toMatch(/^[23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz]{7}$/);

    expect((await create({ originalUrl: 'https://example.org/y', customName: 'my-link' })).body.error.code).toBe('CUSTOM_NAME_ERROR');
    expect((await create({ originalUrl: 'https://example.org/y', customName: 'admin' })).body.error.code).toBe('CUSTOM_NAME_ERROR');
    expect((await create({ originalUrl: 'https://example.org/y', customName: 'a--b' })).status).toBe(400);
    expect((await create({ originalUrl: 'javascript:alert(1)//xx' })).body.error.code).toBe('URL_REJECTED');
    expect((await create({ originalUrl: 'https://bit.ly/abcdef' })).body.error.code).toBe('INVALID_URL');
    expect((await create({ originalUrl: 'ftp://example.org/file' })).body.error.code).toBe('INVALID_URL');
    const invalid = await create({ originalUrl: 'short' });
    expect(invalid).toMatchObject({ status: 400, body: { success: false, error: { code: 'VALIDATION_ERROR' } } });
    expect((await create({ originalUrl: 'https://example.org/y', expiresAt: '2001-01-01T00:00:00Z' })).status).toBe(400);
    expect((await create({ originalUrl: 'https://example.org/y', extra: 1 })).status).toBe(400);
    expect((await call('POST', '/api/v1/tools/short-links', { body: { originalUrl: 'https://example.org/y' } })).status).toBe(401);
    expect((await call('GET', '/api/v1/tools/short-links/check-availability/my-link', { token })).body.data).toMatchObject({
      available: false,
      valid: true,
    });
    expect((await call('GET', '/api/v1/tools/short-links/check-availability/ab', { token })).body.data).toMatchObject({
      available: false,
      valid: false,
    });
    const listed = await call('GET', '/api/v1/tools/short-links?limit=10', { token });
    expect(listed.body.data.shortLinks.map((l: Body) => l.code)).toEqual(
      expect.arrayContaining(['my-link', generated.body.data.shortLink.code]),
    );
    expect((await call('POST', '/api/v1/tools/short-links/preview', { body: { url: 'example.com' } })).body.data).toEqual({
      valid: true,
      sanitizedUrl: 'https://example.com/',
      domain: 'example.com',
      isSecure: true,
    });
    expect((await call('POST', '/api/v1/tools/short-links/preview', { body: {} })).body.error.code).toBe('INVALID_REQUEST');

    const toolId = randomUUID();
    await publishWebEvent(WEB_EVENTS.toolCreated, { toolId, key: 'short-link', name: 'Short Link', active: true, schemaVersion: 1 });
    await publishWebEvent(WEB_EVENTS.toolCreated, { toolId: randomUUID(), key: 'other', name: 'Other', active: true, schemaVersion: 1 });
    await waitFor(async () => (await count(`SELECT count(*) FROM tool_flags`)) === 2, 5000, 'tool events applied');
    expect((await create({ originalUrl: 'https://example.org/z' })).status).toBe(201);

    const deactivatedAt = Date.now();
    await publishWebEvent(WEB_EVENTS.toolUpdated, { toolId, key: 'short-link', name: 'Short Link', active: false, schemaVersion: 1 });
    // The read model must hold the deactivation within 2 s; F24 reads it on every request (no cache),
    // so the next call is refused. Polling the table rather than F24 keeps the figure free of the
    // request's own latency on a loaded machine.
    await waitFor(
      async () => (await count(`SELECT count(*) FROM tool_flags WHERE key = 'short-link' AND NOT active`)) === 1,
      2000,
      'deactivation applied',
      50,
    );
    expect(Date.now() - deactivatedAt).toBeLessThan(2000);
    const refused = await create({ originalUrl: 'https://example.org/z' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('TOOL_DISABLED');

    // forms down while web re-activates, then deletes the tool: both arrive after the restart, once.
    await app.close();
    await publishWebEvent(WEB_EVENTS.toolUpdated, { toolId, key: 'short-link', name: 'Short Link', active: true, schemaVersion: 1 });
    await startForms();
    await waitFor(
      async () => (await create({ originalUrl: 'https://example.org/z' })).status === 201,
      15_000,
      'F24 201 after reactivation while down',
      100,
    );
    await app.close();
    await publishWebEvent(WEB_EVENTS.toolDeleted, { toolId, key: 'short-link', name: 'Short Link', active: false, schemaVersion: 1 });
    await startForms();
    await waitFor(
      async () => (await create({ originalUrl: 'https://example.org/z' })).status === 403,
      15_000,
      'F24 403 after deletion while down',
      100,
    );
    expect(await count(`SELECT count(*) FROM processed_events WHERE type LIKE 'web.tool.%'`)).toBe(5);
  }, 120_000);

  it('redirects /s/:code with 302 and counts every one of 200 parallel clicks; F27 and F29 error shapes', async () => {
    await q(
      `INSERT INTO short_links (code, original_url, click_count) VALUES ('clickme', 'https://example.com/target', 0), ('old-one', 'https://example.com/old', 0)`,
    );
    await q(`UPDATE short_links SET expires_at = now() - interval '1 day' WHERE code = 'old-one'`);
    const results = await Promise.all(Array.from({ length: 200 }, () => call('GET', '/s/clickme', { token: 'invalid' })));
    expect(results.every((r) => r.status === 302 && r.headers.get('location') === 'https://example.com/target')).toBe(true);
    expect((await q(`SELECT click_count FROM short_links WHERE code = 'clickme'`))[0].click_count).toBe(200);

    expect(await call('GET', '/s/no-such')).toMatchObject({
      status: 404,
      body: { success: false, error: { code: 'LINK_NOT_FOUND', message: 'Short link not found', details: { code: 'no-such' } } },
    });
    expect(await call('GET', '/s/old-one')).toMatchObject({
      status: 410,
      body: { success: false, error: { code: 'LINK_EXPIRED', details: { code: 'old-one' } } },
    });
    expect(await call('GET', '/s/a--b')).toMatchObject({ status: 400, body: { success: false, error: { code: 'INVALID_CODE' } } });

    const f27 = await call('GET', '/api/v1/tools/short-links/clickme');
    expect(f27.body).toMatchObject({
      success: true,
      data: { originalUrl: 'https://example.com/target', shortLink: { code: 'clickme', clickCount: 201 } },
    });
    expect(await call('GET', '/api/v1/tools/short-links/no-such')).toMatchObject({
      status: 404,
      body: {
        success: false,
        message: 'Short link not found',
        code: 'LINK_NOT_FOUND',
        details: { code: 'no-such' },
        timestamp: expect.any(String),
      },
    });
    expect(await call('GET', '/api/v1/tools/short-links/old-one')).toMatchObject({
      status: 410,
      body: { success: false, code: 'LINK_EXPIRED', details: { code: 'old-one', expiredAt: expect.any(String) } },
    });
    expect((await call('GET', '/api/v1/tools/short-links/-bad')).body).toMatchObject({
      success: false,
      error: { code: 'VALIDATION_ERROR' },
    });
    // Case-sensitive lookup of the legacy fixture's two codes that differ by case.
    expect((await call('GET', '/s/Xk7Rm2p')).headers.get('location')).toBe('https://example.com/a');
    expect((await call('GET', '/s/xk7rm2p')).headers.get('location')).toBe('https://example.com/b');
  });
});
