import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AuthFixture, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';
import { copyLegacyTables, createSeededLegacyDatabase, type TestDatabase, testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';

import { FORMS_SERVICE } from '../src/service';

const LEGACY_RENDER_SECRET = 'legacy-fixture-render-secret-0123456789abcdef';
const FRONTEND = 'https://forms.example.com';
const BASE = '/api/v1/forms';
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]);

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- asserted field by field

/** Independent CSV encoding (RFC 4180 quoting) of cells computed in SQL. */
const csvLine = (cells: Array<string | null>) =>
  cells.map((cell) => (cell === null ? '' : /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',');

describe('forms F1-F12 on the legacy fixture (real PostgreSQL, Redis and auth-service)', () => {
  let legacy: TestDatabase;
  let auth: AuthFixture;
  let forms: RunningTestService;
  let db: Client;
  let owner: TestUser;
  let other: TestUser;

  const call = async (method: string, path: string, user: TestUser | undefined, body?: unknown, form?: FormData) => {
    const headers: Record<string, string> = {};
    if (user) headers.Authorization = `Bearer ${auth.accessToken(user)}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${forms.url}${path}`, {
      method,
      headers,
      body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    // Buffer keeps a UTF-8 BOM, which Response.text() would strip.
    const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      /* CSV or empty */
    }
    return { status: res.status, body: json as Body, text, headers: res.headers };
  };
  const q = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows;
  const counts = async () =>
    (
      await q(
        `SELECT (SELECT count(*) FROM forms)::int f, (SELECT count(*) FROM form_schemas)::int s, (SELECT count(*) FROM form_submissions)::int sub`,
      )
    )[0];
  const userRow = async (id: string): Promise<TestUser> => {
    const [u] = await auth.query<{ id: string; email: string; role: TestUser['role']; tenant_id: string | null }>(
      `SELECT id, email, role, tenant_id FROM users WHERE id = $1`,
      [id],
    );
    return { id: u.id, email: u.email, role: u.role, tenantId: u.tenant_id };
  };
  const validSchema = (label = 'Your name') => ({
    fields: [{ id: 'f1', type: 'TEXT', fieldName: 'name', label, required: true }],
    settings: {
      layout: { columns: 1, spacing: 'medium' },
      submission: { showSuccessMessage: true, successMessage: 'Thanks' },
      businessLogicConfig: { type: 'quiz' },
      templateId: 'tpl-1',
      dropped: true,
    },
  });

  beforeAll(async () => {
    legacy = await createSeededLegacyDatabase('forms_f');
    const prefix = uniqueRedisPrefix('forms');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    await copyLegacyTables(legacy.url, auth.dbUrl, 'auth');
    forms = await startTestService(FORMS_SERVICE, {
      ...shared,
      JWT_SECRET: TEST_JWT_SECRET,
      FORM_RENDER_TOKEN_SECRET: LEGACY_RENDER_SECRET,
      FRONTEND_URL: FRONTEND,
      FORMS_UPLOADS_DIR: mkdtempSync(join(tmpdir(), 'nafs-forms-uploads-')),
      FORMS_UPLOADS_PUBLIC_URL: 'https://files.example.com/uploads',
    });
    await copyLegacyTables(legacy.url, forms.database.url, 'forms');
    db = new Client({ connectionString: forms.database.url });
    await db.connect();
    // An active owner without a tenant who has several legacy forms, and another plain user.
    const activeIds = (
      await auth.query<{ id: string }>(`SELECT id FROM users WHERE is_active AND tenant_id IS NULL AND role = 'user'`)
    ).map((r) => r.id);
    const [best] = await q(
      `SELECT user_id FROM forms WHERE user_id = ANY($1::uuid[]) GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1`,
      [activeIds],
    );
    owner = await userRow(best.user_id);
    other = await auth.createUser();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await forms?.close();
    await auth?.stopAll();
    await legacy?.drop();
  });

  it("F2 lists only the caller's forms with the real total, totalItems, latest schema, shortCode and owner", async () => {
    const [{ total }] = await q(`SELECT count(*)::int total FROM forms WHERE user_id = $1`, [owner.id]);
    const page = await call('GET', `${BASE}?page=1&limit=2`, owner);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({
      success: true,
      message: 'Forms retrieved successfully',
      pagination: { page: 1, limit: 2, total, totalItems: total, totalPages: Math.ceil(total / 2) },
    });
    expect(page.body.data.length).toBe(Math.min(2, total));
    for (const item of page.body.data) {
      expect(item.userId).toBe(owner.id);
      expect(item.owner).toEqual({ id: owner.id, email: owner.email });
      const [latest] = await q(
        `SELECT id, schema_version FROM form_schemas WHERE form_id = $1 ORDER BY schema_version DESC, created_at DESC NULLS LAST, id DESC LIMIT 1`,
        [item.id],
      );
      expect(item.schema?.id).toBe(latest?.id);
    }
    // The newest first, page after page; a page past the end is empty but still carries the real total.
    const [{ ids }] = await q(`SELECT array_agg(id::text ORDER BY created_at DESC NULLS LAST, id DESC) ids FROM forms WHERE user_id = $1`, [
      owner.id,
    ]);
    expect(page.body.data.map((item: { id: string }) => item.id)).toEqual(ids.slice(0, 2));
    const past = await call('GET', `${BASE}?page=${Math.ceil(total / 2) + 1}&limit=2`, owner);
    expect(past.body).toMatchObject({ data: [], pagination: { total, totalItems: total } });
    expect((await call('GET', BASE, other)).body).toMatchObject({ data: [], pagination: { total: 0, totalItems: 0 } });
    expect((await call('GET', `${BASE}?limit=100000`, owner)).status).toBe(400);
    expect((await call('GET', `${BASE}?page=-1`, owner)).status).toBe(400);
  });

  it('F2/F8 a tenant admin sees every form of the tenant; a plain user of the tenant only theirs', async () => {
    const [tenant] = await q(
      `SELECT tenant_id, count(*)::int n FROM forms WHERE tenant_id IS NOT NULL GROUP BY tenant_id ORDER BY count(*) DESC LIMIT 1`,
    );
    const [active] = await auth.query<{ is_active: boolean }>(`SELECT is_active FROM tenants WHERE id = $1`, [tenant.tenant_id]);
    if (!active?.is_active) await auth.query(`UPDATE tenants SET is_active = true, status = 'active' WHERE id = $1`, [tenant.tenant_id]);
    const admin = await auth.createUser({ role: 'admin', tenantId: tenant.tenant_id });
    const member = await auth.createUser({ tenantId: tenant.tenant_id });
    const list = await call('GET', `${BASE}?limit=100`, admin);
    expect(list.status).toBe(200);
    expect(list.body.pagination.total).toBe(tenant.n);
    expect(new Set(list.body.data.map((f: Body) => f.tenantId))).toEqual(new Set([tenant.tenant_id]));
    const foreign = list.body.data.find((f: Body) => f.userId !== admin.id);
    expect((await call('GET', `${BASE}/${foreign.id}`, admin)).status).toBe(200);
    // Publishing stays with the owner (legacy 5.4).
    expect((await call('POST', `${BASE}/${foreign.id}/publish`, admin, {})).status).toBe(403);
    expect((await call('GET', BASE, member)).body.pagination.total).toBe(0);
    expect((await call('GET', `${BASE}/${foreign.id}`, member)).status).toBe(403);
  });

  it('F8 opens a legacy form with its latest version (duplicate versions included) and its theme', async () => {
    const [row] = await q(
      `SELECT f.id, f.user_id, s.id AS schema_id, s.schema_version, s.theme_id FROM forms f
         JOIN LATERAL (SELECT * FROM form_schemas s WHERE s.form_id = f.id ORDER BY schema_version DESC, created_at DESC NULLS LAST, id DESC LIMIT 1) s ON true
        WHERE s.theme_id IS NOT NULL AND f.user_id = ANY($1::uuid[]) LIMIT 1`,
      [
        (
          await auth.query<{ id: string }>(
            `SELECT u.id FROM users u LEFT JOIN tenants t ON t.id = u.tenant_id WHERE u.is_active AND (u.tenant_id IS NULL OR t.is_active)`,
          )
        ).map((r) => r.id),
      ],
    );
    const user = await userRow(row.user_id);
    const res = await call('GET', `${BASE}/${row.id}`, user);
    expect(res.status).toBe(200);
    expect(res.body.data.schema).toMatchObject({
      id: row.schema_id,
      version: row.schema_version,
      themeId: row.theme_id,
      settings: { themeId: row.theme_id },
      theme: { id: row.theme_id },
    });
    const [dup] = await q(
      `SELECT form_id, max(schema_version) v FROM form_schemas GROUP BY form_id, schema_version HAVING count(*) > 1 LIMIT 1`,
    );
    if (dup) {
      const [latest] = await q(
        `SELECT id FROM form_schemas WHERE form_id = $1 ORDER BY schema_version DESC, created_at DESC NULLS LAST, id DESC LIMIT 1`,
        [dup.form_id],
      );
      const [{ user_id }] = await q(`SELECT user_id FROM forms WHERE id = $1`, [dup.form_id]);
      const got = await call('GET', `${BASE}/${dup.form_id}`, await userRow(user_id));
      if (got.status === 200) expect(got.body.data.schema.id).toBe(latest.id);
    }
    expect((await call('GET', `${BASE}/${row.id}`, other)).status).toBe(403);
    expect((await call('GET', `${BASE}/00000000-0000-4000-8000-000000000000`, owner)).status).toBe(404);
    const bad = await call('GET', `${BASE}/not-a-uuid`, owner);
    expect(bad).toMatchObject({ status: 400, body: { success: false, error: 'Bad Request', message: 'Invalid input data' } });
  });

  it('F1 creates a form (escaped title, version 1, normalised settings keeping businessLogicConfig and templateId)', async () => {
    const res = await call('POST', BASE, owner, { title: 'Tom & "Jerry" <3', description: 'a/b', schema: validSchema() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ success: true, message: 'Form created successfully' });
    const data = res.body.data;
    expect(data).toMatchObject({
      title: 'Tom &amp; &quot;Jerry&quot; &lt;3',
      description: 'a&#x2F;b',
      status: 'draft',
      userId: owner.id,
      tenantId: null,
    });
    expect(data.schema).toMatchObject({ version: 1, fields: [{ type: 'text', fieldName: 'name' }], isPublished: false });
    expect(data.schema.settings).toEqual({
      layout: { columns: 1, spacing: 'medium' },
      submission: { showSuccessMessage: true, successMessage: 'Thanks' },
      businessLogicConfig: { type: 'quiz' },
      templateId: 'tpl-1',
    });
    const [stored] = await q(`SELECT title, schema_json FROM forms f JOIN form_schemas s ON s.form_id = f.id WHERE f.id = $1`, [data.id]);
    expect(stored.title).toBe('Tom &amp; &quot;Jerry&quot; &lt;3');
    expect(Object.keys(stored.schema_json).sort()).toEqual(['fields', 'settings']);
  });

  it('F1/F9 bad input answers 4xx and changes no row', async () => {
    const before = await counts();
    const xss = await call('POST', BASE, owner, { title: 'x', schema: validSchema('<script>alert(1)</script>') });
    expect(xss).toMatchObject({ status: 400, body: { success: false, error: { code: 'SECURITY_ERROR' } } });
    expect(xss.body.error.message).toContain('schema.fields[0].label');
    expect((await call('POST', BASE, owner, { title: 'x', schema: { fields: 'nope' } })).status).toBe(400);
    const v6 = await call('POST', BASE, owner, { title: 'x', schema: { fields: [{ type: 'rocket', fieldName: 'a' }] } });
    expect(v6).toMatchObject({
      status: 400,
      body: { success: false, error: { code: 'SCHEMA_VALIDATION_ERROR', details: [expect.stringContaining('fields[0].type')] } },
    });
    const dupNames = await call('POST', BASE, owner, {
      title: 'x',
      schema: {
        fields: [
          { type: 'text', fieldName: 'a', label: 'A' },
          { type: 'text', fieldName: 'a', label: 'B' },
        ],
      },
    });
    expect(dupNames.body.error.code).toBe('SCHEMA_VALIDATION_ERROR');
    const steps = await call('POST', BASE, owner, {
      title: 'x',
      schema: { fields: [], settings: { stepForm: { enabled: true, steps: [{ id: 'x', title: 'One', order: 0 }] } } },
    });
    expect(steps.body.error.code).toBe('STEP_VALIDATION_ERROR');
    expect((await call('POST', BASE, owner, { title: '' })).status).toBe(400);
    expect((await call('POST', BASE, owner, { title: 'a\u0000b' })).status).toBe(400);
    expect((await call('POST', BASE, owner, { title: 'T'.repeat(201) })).status).toBe(400);
    const [inactive] = await q(`SELECT id FROM form_themes WHERE NOT is_active LIMIT 1`);
    if (inactive)
      expect(
        await call('POST', BASE, owner, { title: 'x', schema: { ...validSchema(), settings: { themeId: inactive.id } } }),
      ).toMatchObject({ status: 400, body: { message: 'Theme is not active' } });
    expect(
      await call('POST', BASE, owner, { title: 'x', themeId: '00000000-0000-4000-8000-000000000000', schema: validSchema() }),
    ).toMatchObject({ status: 400, body: { message: 'Theme not found or inactive' } });
    const [mine] = await q(`SELECT id FROM forms WHERE user_id = $1 LIMIT 1`, [owner.id]);
    expect(
      (
        await call('PUT', `${BASE}/${mine.id}`, owner, {
          schema: { fields: [{ type: 'text', fieldName: 'n', label: 'x', onclick: 'javascript:void(0)' }] },
        })
      ).status,
    ).toBe(400);
    expect((await call('PUT', `${BASE}/${mine.id}`, other, { title: 'stolen' })).status).toBe(403);
    expect((await call('PUT', `${BASE}/bad-id`, owner, { title: 'x' })).status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('F9 adds version n+1 carrying over settings and theme; F3 publishes with a legacy-verifiable token; F5; F4', async () => {
    const [theme] = await q(`SELECT id FROM form_themes WHERE is_active LIMIT 1`);
    const created = await call('POST', BASE, owner, {
      title: 'Publish me',
      schema: { ...validSchema(), settings: { ...validSchema().settings, themeId: theme.id } },
    });
    const id = created.body.data.id;
    const updated = await call('PUT', `${BASE}/${id}`, owner, {
      title: 'Renamed',
      schema: { fields: [{ id: 'f1', type: 'email', fieldName: 'mail', label: 'Mail' }] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({
      title: 'Renamed',
      schema: { version: 2, themeId: theme.id, fields: [{ fieldName: 'mail' }], settings: { templateId: 'tpl-1', themeId: theme.id } },
    });
    expect(
      (await q(`SELECT schema_version FROM form_schemas WHERE form_id = $1 ORDER BY schema_version`, [id])).map((r) => r.schema_version),
    ).toEqual([1, 2]);

    expect((await call('GET', `${BASE}/${id}/tokens/status`, owner)).body.data).toMatchObject({
      hasValidToken: false,
      tokenExpiration: null,
      formUrl: '',
    });
    expect((await call('POST', `${BASE}/${id}/publish`, owner, { expiresInDays: 0 })).status).toBe(400);
    const published = await call('POST', `${BASE}/${id}/publish`, owner, { expiresInDays: 7 });
    expect(published.status).toBe(200);
    const data = published.body.data;
    expect(data).toMatchObject({ form: { status: 'published' }, formSchema: { version: 2, isPublished: true }, qrCodeGenerated: true });
    expect(data.renderUrl).toMatch(new RegExp(`^${FRONTEND}/forms/render/`));
    expect(data.shortUrl).toBe(`${FRONTEND}/public/form/${data.shortCode}`);
    expect(data.shortCode).toMatch(/^[A-Za-z0-9]{7}$/);
    expect(data.qrCodeUrl).toMatch(/^https:\/\/files\.example\.com\/uploads\//);
    const token = data.renderUrl.split('/').pop();
    const claims = new JwtService().verify(token, { secret: LEGACY_RENDER_SECRET, algorithms: ['HS256'] });
    expect(claims).toMatchObject({ formSchemaId: data.formSchema.id, iss: 'form-builder' });
    const [schemaRow] = await q(`SELECT is_published, render_token FROM form_schemas WHERE id = $1`, [data.formSchema.id]);
    expect(schemaRow).toEqual({ is_published: true, render_token: token });
    expect((await q(`SELECT qr_code_url FROM forms WHERE id = $1`, [id]))[0].qr_code_url).toBe(data.qrCodeUrl);
    const status = await call('GET', `${BASE}/${id}/tokens/status`, owner);
    expect(status.body.data).toMatchObject({ hasValidToken: true, formUrl: data.renderUrl });
    // Publishing the same version again reuses its short link.
    expect((await call('POST', `${BASE}/${id}/publish`, owner, {})).body.data.shortCode).toBe(data.shortCode);
    expect((await call('POST', `${BASE}/${id}/publish`, other, {})).status).toBe(403);

    const unpublished = await call('POST', `${BASE}/${id}/unpublish`, owner, {});
    expect(unpublished).toMatchObject({ status: 200, body: { message: 'Form unpublished successfully', data: { status: 'draft' } } });
    expect((await q(`SELECT is_published FROM form_schemas WHERE id = $1`, [data.formSchema.id]))[0].is_published).toBe(false);
    expect((await call('GET', `${BASE}/${id}/tokens/status`, owner)).body.data.hasValidToken).toBe(false);

    const empty = await call('POST', BASE, owner, { title: 'No schema' });
    expect(await call('POST', `${BASE}/${empty.body.data.id}/publish`, owner, {})).toMatchObject({
      status: 400,
      body: { message: 'Form has no schema versions' },
    });
  });

  it('F6/F7 uploads: type by magic bytes, size, form and owner checked', async () => {
    const upload = (path: string, field: string, body: Buffer, type: string, user: TestUser = owner) => {
      const form = new FormData();
      form.append(field, new Blob([body], { type }), 'file.png');
      return call('POST', path, user, undefined, form);
    };
    const bg = await upload(`${BASE}/upload-background`, 'backgroundImage', PNG, 'image/png');
    expect(bg).toMatchObject({
      status: 200,
      body: { success: true, message: 'Background image uploaded successfully', data: { mimeType: 'image/png', size: PNG.length } },
    });
    expect(bg.body.data.url).toContain(`form-backgrounds/${owner.id}/`);
    expect((await upload(`${BASE}/upload-background`, 'backgroundImage', Buffer.from('<svg/>'), 'image/svg+xml')).status).toBe(400);
    expect((await upload(`${BASE}/upload-background`, 'backgroundImage', Buffer.from('GIF89a not a png'), 'image/png')).status).toBe(400);
    expect((await upload(`${BASE}/upload-background`, 'backgroundImage', Buffer.alloc(20 * 1024 * 1024), 'image/png')).status).toBe(413);
    expect((await call('POST', `${BASE}/upload-background`, owner, {})).status).toBe(400);
    const [mine] = await q(`SELECT id FROM forms WHERE user_id = $1 LIMIT 1`, [owner.id]);
    const image = await upload(`${BASE}/${mine.id}/upload-image`, 'image', PNG, 'image/png');
    expect(image.status).toBe(200);
    expect(image.body.data.imageUrl).toContain(`form-images/${owner.id}/${mine.id}/`);
    expect((await upload(`${BASE}/${mine.id}/upload-image`, 'image', PNG, 'image/png', other)).status).toBe(403);
    expect((await upload(`${BASE}/00000000-0000-4000-8000-000000000000/upload-image`, 'image', PNG, 'image/png')).status).toBe(404);
    expect((await upload(`${BASE}/nope/upload-image`, 'image', PNG, 'image/png')).status).toBe(400);
  });

  it('F11 lists submissions of all versions, newest first, IPv4 masked, long strings cut', async () => {
    const [busy] = await q(
      `SELECT s.form_id, count(*)::int n FROM form_submissions sub JOIN form_schemas s ON s.id = sub.form_schema_id JOIN forms f ON f.id = s.form_id
                             WHERE f.user_id = $1 GROUP BY s.form_id ORDER BY count(*) DESC LIMIT 1`,
      [owner.id],
    );
    const res = await call('GET', `${BASE}/${busy.form_id}/submissions?page=1&limit=5`, owner);
    expect(res.status).toBe(200);
    expect(res.body.pagination).toEqual({ page: 1, limit: 5, total: busy.n, totalItems: busy.n, totalPages: Math.ceil(busy.n / 5) });
    for (const item of res.body.data) {
      expect(item.submitterIp).not.toMatch(/\d+\.\d+\.\d+\.\d+$/);
      for (const value of Object.values(item.values)) if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(103);
    }
    expect((await call('GET', `${BASE}/${busy.form_id}/submissions?limit=5000`, owner)).status).toBe(400);
    expect((await call('GET', `${BASE}/${busy.form_id}/submissions`, other)).status).toBe(403);
  });

  it('F12 exports CSV equal row for row to one computed in SQL; filters; zero rows; bad fields', async () => {
    const [busy] = await q(
      `SELECT s.form_id FROM form_submissions sub JOIN form_schemas s ON s.id = sub.form_schema_id JOIN forms f ON f.id = s.form_id
                             WHERE f.user_id = $1 GROUP BY s.form_id ORDER BY count(*) DESC LIMIT 1`,
      [owner.id],
    );
    const formId = busy.form_id;
    const res = await call('GET', `${BASE}/${formId}/submissions/export`, owner);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="form-submissions-.*-\d{4}-\d{2}-\d{2}\.csv"$/);
    const expected = async (where = '', params: unknown[] = [], forced?: string[]) => {
      const base = `FROM form_submissions sub JOIN form_schemas s ON s.id = sub.form_schema_id WHERE s.form_id = $1 ${where}`;
      const keys: string[] =
        forced ??
        (
          await q(
            `SELECT array(SELECT jsonb_object_keys(sub.values_json)) k ${base} ORDER BY sub.submitted_at DESC NULLS LAST, sub.id DESC LIMIT 1`,
            [formId, ...params],
          )
        )[0]?.k ??
        [];
      const rows = await q(
        `SELECT coalesce(to_char(sub.submitted_at AT TIME ZONE 'UTC', 'FMMM/FMDD/YYYY, FMHH12:MI:SS AM'), '') AS at,
                regexp_replace(host(sub.submitter_ip), '(\\d{1,3})\\.(\\d{1,3})\\.\\d{1,3}\\.\\d{1,3}$', '\\1.\\2._._') AS ip,
                array(SELECT sub.values_json ->> k FROM unnest($${params.length + 2}::text[]) WITH ORDINALITY AS t(k, o) ORDER BY o) AS vals
           ${base} ORDER BY sub.submitted_at DESC NULLS LAST, sub.id DESC`,
        [formId, ...params, keys],
      );
      return (
        '\ufeff' +
        [csvLine(['Submitted At', 'Submitter IP', ...keys]), ...rows.map((r) => csvLine([r.at, r.ip, ...r.vals]))]
          .map((line) => `${line}\n`)
          .join('')
      );
    };
    const want = await expected();
    expect(res.text.split('\n').length).toBe(want.split('\n').length);
    expect(res.text).toBe(want);

    const [{ fields }] = await q(
      `SELECT schema_json -> 'fields' AS fields FROM form_schemas WHERE form_id = $1 ORDER BY schema_version DESC, created_at DESC NULLS LAST, id DESC LIMIT 1`,
      [formId],
    );
    const names = (fields as Body[])
      .map((f) => f.fieldName ?? f.name)
      .filter(Boolean)
      .slice(0, 2);
    const chosen = await call(
      'GET',
      `${BASE}/${formId}/submissions/export?fields=${encodeURIComponent(names.join(','))}&dateFrom=2000-01-01`,
      owner,
    );
    expect(chosen.text).toBe(await expected(`AND sub.submitted_at >= '2000-01-01'`, [], names));
    const [pick] = await q(
      `SELECT sub.values_json ->> $2 v FROM form_submissions sub JOIN form_schemas s ON s.id = sub.form_schema_id WHERE s.form_id = $1 AND sub.values_json ->> $2 IS NOT NULL LIMIT 1`,
      [formId, names[0]],
    );
    if (pick) {
      const filtered = await call(
        'GET',
        `${BASE}/${formId}/submissions/export?fields=${encodeURIComponent(names[0])}&filterField=${encodeURIComponent(names[0])}&filterValue=${encodeURIComponent(pick.v)}`,
        owner,
      );
      expect(filtered.status).toBe(200);
      expect(filtered.text).toBe(await expected(`AND sub.values_json ->> $2 = $3`, [names[0], pick.v], [names[0]]));
    }
    const none = await call('GET', `${BASE}/${formId}/submissions/export?dateFrom=9999-01-01`, owner);
    expect(none).toMatchObject({ status: 200, text: '\ufeffSubmitted At,Submitter IP\n' });
    expect((await call('GET', `${BASE}/${formId}/submissions/export?fields=nope`, owner)).status).toBe(400);
    expect((await call('GET', `${BASE}/${formId}/submissions/export?dateFrom=yesterday`, owner)).status).toBe(400);
    expect((await call('GET', `${BASE}/${formId}/submissions/export`, other)).status).toBe(403);
  });

  it('F10 deletes a form with its versions and submissions; others cannot', async () => {
    const created = await call('POST', BASE, owner, { title: 'Delete me', schema: validSchema() });
    const id = created.body.data.id;
    expect((await call('DELETE', `${BASE}/${id}`, other)).status).toBe(403);
    expect((await call('DELETE', `${BASE}/${id}`, owner)).status).toBe(204);
    expect(await q(`SELECT 1 FROM form_schemas WHERE form_id = $1`, [id])).toEqual([]);
    expect((await call('DELETE', `${BASE}/${id}`, owner)).status).toBe(404);
  });
});
