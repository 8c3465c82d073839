import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AuthFixture, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';
import { routeFor } from '@nafs/contracts';
import { testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import { Client } from 'pg';

import { FORMS_SERVICE } from '../src/service';

const BASE = '/api/v1/themes';
const desktop = {
  primaryColor: '#112233',
  secondaryColor: '#445566',
  textColorPrimary: '#000000',
  textColorSecondary: '#333333',
  backgroundColor: 'linear-gradient(135deg, #667eea 0%, #764ba2 100%)',
  containerBackground: 'rgba(255, 255, 255, 0.9)',
  fontFamilyHeading: 'Inter, sans-serif',
  fontFamilyBody: 'Inter, sans-serif',
  fieldBorderRadius: '8px',
  fieldSpacing: '16px',
  containerOpacity: 0.9,
  containerPosition: 'center',
};
const validTheme = (name: string) => ({
  name,
  description: 'A <b>bold</b> theme',
  thumbnailUrl: 'https://cdn.example.com/t.png',
  themeConfig: { desktop, mobile: { fieldSpacing: '8px' } },
});

describe('themes F13-F20 (real PostgreSQL, Redis and auth-service)', () => {
  let auth: AuthFixture;
  let forms: RunningTestService;
  let creator: TestUser;
  let other: TestUser;
  let admin: TestUser;
  let uploadsDir: string;

  const call = async (
    method: string,
    path: string,
    user: TestUser | string | undefined,
    body?: unknown,
    raw?: RequestInit['body'],
    contentType = 'application/json',
  ) => {
    const headers: Record<string, string> = {};
    if (user) headers.Authorization = `Bearer ${typeof user === 'string' ? user : auth.accessToken(user)}`;
    if ((body !== undefined || raw !== undefined) && !(raw instanceof FormData)) headers['Content-Type'] = contentType;
    const res = await fetch(`${forms.url}${path}`, {
      method,
      headers,
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
    return { status: res.status, body: json as Record<string, any> };
  };

  const query = async (sql: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: forms.database.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  const themeCount = async () => Number((await query('SELECT count(*) FROM form_themes'))[0].count);

  beforeAll(async () => {
    const prefix = uniqueRedisPrefix('themes');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    uploadsDir = mkdtempSync(join(tmpdir(), 'nafs-theme-uploads-'));
    forms = await startTestService(FORMS_SERVICE, {
      ...shared,
      JWT_SECRET: TEST_JWT_SECRET,
      FORMS_UPLOADS_DIR: uploadsDir,
      FORMS_UPLOADS_PUBLIC_URL: 'https://files.example.com/uploads',
    });
    creator = await auth.createUser();
    other = await auth.createUser();
    admin = await auth.createUser({ role: 'admin' });
  });

  afterAll(async () => {
    await forms?.close();
    await auth?.stopAll();
  });

  it('creates a custom theme (escaped, owned, counted) and lists and reads active themes', async () => {
    const created = await call('POST', BASE, creator, validTheme('Ocean Blue'));
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      success: true,
      message: 'Theme created successfully',
      timestamp: expect.any(String),
      data: {
        id: expect.any(String),
        name: 'Ocean Blue',
        description: 'A &lt;b&gt;bold&lt;&#x2F;b&gt; theme',
        thumbnailUrl: 'https://cdn.example.com/t.png',
        themeConfig: { desktop, mobile: { fieldSpacing: '8px' } },
        usageCount: 0,
        isActive: true,
        createdBy: creator.id,
        creatorId: creator.id,
        isCustom: true,
        themeDefinition: {},
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
    const id = created.body.data.id;
    await query(`INSERT INTO form_themes (name, theme_config, usage_count) VALUES ('Predefined Popular', '{"desktop":{}}', 50)`);

    const list = await call('GET', BASE, other);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ success: true, message: 'Themes retrieved successfully' });
    expect(list.body.data.map((t: { name: string }) => t.name)).toEqual(['Predefined Popular', 'Ocean Blue']);

    const one = await call('GET', `${BASE}/${id}`, other);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ success: true, data: { id, name: 'Ocean Blue' } });
    const missing = await call('GET', `${BASE}/00000000-0000-4000-8000-000000000000`, other);
    expect(missing).toEqual({
      status: 404,
      body: { success: false, error: { code: 'NOT_FOUND', message: 'Theme not found' }, timestamp: expect.any(String) },
    });

    const duplicate = await call('POST', BASE, other, validTheme('Ocean Blue'));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ success: false, error: { code: 'DUPLICATE_NAME' } });
  });

  it('lets only the creator or an admin edit and delete, in the legacy owner-check shapes', async () => {
    const id = (await call('POST', BASE, creator, validTheme('Owned Theme'))).body.data.id;
    const forbidden = await call('PUT', `${BASE}/${id}`, other, { name: 'Stolen Theme' });
    expect(forbidden).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'You can only edit your own themes' } } });
    expect((await call('DELETE', `${BASE}/${id}`, other)).status).toBe(403);
    const notFound = await call('PUT', `${BASE}/00000000-0000-4000-8000-000000000000`, creator, { name: 'Whatever' });
    expect(notFound).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'Theme not found' }, timestamp: expect.any(String) },
    });
    // The owner check runs before validation: a malformed id is a 404 in the same shape, never a 500.
    expect((await call('PUT', `${BASE}/not-a-uuid`, creator, { name: 'Whatever' })).status).toBe(404);

    const byCreator = await call('PUT', `${BASE}/${id}`, creator, { name: 'Owned Theme Renamed', description: 'it & co' });
    expect(byCreator.status).toBe(200);
    expect(byCreator.body).toMatchObject({
      success: true,
      message: 'Theme updated successfully',
      data: { name: 'Owned Theme Renamed', description: 'it &amp; co', thumbnailUrl: 'https://cdn.example.com/t.png' },
    });
    const byAdmin = await call('PUT', `${BASE}/${id}`, admin, { themeConfig: { desktop: { ...desktop, primaryColor: '#ABCDEF' } } });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.data.themeConfig).toEqual({ desktop: { ...desktop, primaryColor: '#ABCDEF' } });

    const deleted = await call('DELETE', `${BASE}/${id}`, creator);
    expect(deleted).toEqual({ status: 200, body: { success: true, message: 'Theme deleted successfully', timestamp: expect.any(String) } });
    expect((await call('GET', `${BASE}/${id}`, creator)).status).toBe(404);
    expect((await call('GET', BASE, creator)).body.data.map((t: { id: string }) => t.id)).not.toContain(id);
    expect((await query('SELECT is_active FROM form_themes WHERE id = $1', [id]))[0].is_active).toBe(false);

    const predefined = (
      await query(`INSERT INTO form_themes (name, theme_config) VALUES ('System Theme', '{"desktop":{}}') RETURNING id`)
    )[0].id;
    expect((await call('DELETE', `${BASE}/${predefined}`, creator)).status).toBe(403);
    expect((await call('DELETE', `${BASE}/${predefined}`, admin)).status).toBe(200);
  });

  it('tracks applications and reports usage (which always failed in legacy)', async () => {
    const id = (await call('POST', BASE, creator, validTheme('Used Theme'))).body.data.id;
    const applied = await call('POST', `${BASE}/${id}/apply`, other, {});
    expect(applied).toEqual({
      status: 200,
      body: { success: true, message: 'Theme application tracked successfully', data: { usageCount: 1 }, timestamp: expect.any(String) },
    });
    expect((await call('POST', `${BASE}/${id}/apply`, creator)).body.data.usageCount).toBe(2);
    expect((await call('POST', `${BASE}/00000000-0000-4000-8000-000000000000/apply`, creator)).status).toBe(404);

    const addForm = async (owner: TestUser, title: string, status: string) => {
      const formId = (
        await query(`INSERT INTO forms (user_id, title, status) VALUES ($1, $2, $3) RETURNING id`, [owner.id, title, status])
      )[0].id;
      await query(`INSERT INTO form_schemas (form_id, schema_json, theme_id) VALUES ($1, '{}', $2)`, [formId, id]);
      return formId;
    };
    await addForm(creator, 'Creator draft', 'draft');
    await addForm(other, 'Other published', 'published');
    await query(`INSERT INTO forms (user_id, title, status) VALUES ($1, 'Unrelated', 'published')`, [other.id]);

    const usage = await call('GET', `${BASE}/${id}/usage`, creator);
    expect(usage.status).toBe(200);
    expect(usage.body.data).toEqual({
      formsCount: 2,
      publishedFormsCount: 1,
      lastUsed: expect.any(String),
      formsList: expect.arrayContaining([
        { id: expect.any(String), title: 'Creator draft', published: false, lastModified: expect.any(String) },
        { id: expect.any(String), title: 'Other published', published: true, lastModified: expect.any(String) },
      ]),
    });
    // Someone else's theme: only their own forms are listed.
    const mine = await call('GET', `${BASE}/${id}/usage`, other);
    expect(mine.body.data).toMatchObject({ formsCount: 1, publishedFormsCount: 1, formsList: [{ title: 'Other published' }] });
    expect((await call('GET', `${BASE}/00000000-0000-4000-8000-000000000000/usage`, creator)).status).toBe(404);
  });

  it('uploads a thumbnail under the legacy key and refuses other files', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const form = new FormData();
    form.append('thumbnail', new Blob([png], { type: 'image/png' }), 'thumb.png');
    const res = await call('POST', `${BASE}/upload-thumbnail`, creator, undefined, form);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, message: 'Thumbnail uploaded successfully' });
    const url: string = res.body.data.thumbnailUrl;
    expect(url).toMatch(new RegExp(`^https://files\\.example\\.com/uploads/theme-thumbnails/${creator.id}/\\d+-${creator.id}\\.png$`));
    expect(readFileSync(join(uploadsDir, url.replace('https://files.example.com/uploads/', '')))).toEqual(png);
    // The URL is served: forms answers /uploads (the gateway routes that prefix to forms).
    const served = await fetch(url.replace('https://files.example.com', forms.url));
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(png);
    expect(routeFor(new URL(url).pathname)).toBe('forms');
    expect((await fetch(`${forms.url}/uploads/theme-thumbnails/nothing.png`)).status).toBe(404);

    // Content is checked by magic bytes, as for avatars (issue 17.6).
    const html = new FormData();
    html.append('thumbnail', new Blob(['<html><script>alert(1)</script></html>'], { type: 'image/png' }), 'evil.png');
    const disguised = await call('POST', `${BASE}/upload-thumbnail`, creator, undefined, html);
    expect(disguised).toMatchObject({ status: 400, body: { success: false, error: { code: 'INVALID_FILE' } } });
    const empty = new FormData();
    empty.append('thumbnail', new Blob([], { type: 'image/png' }), 'empty.png');
    expect(await call('POST', `${BASE}/upload-thumbnail`, creator, undefined, empty)).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_FILE' } },
    });

    const text = new FormData();
    text.append('thumbnail', new Blob(['hello'], { type: 'text/plain' }), 'a.txt');
    const wrongType = await call('POST', `${BASE}/upload-thumbnail`, creator, undefined, text);
    expect(wrongType.status).toBe(415);
    expect(wrongType.body).toMatchObject({ success: false, error: { code: 'INVALID_FILE_TYPE' } });

    const big = new FormData();
    big.append('thumbnail', new Blob([Buffer.alloc(5 * 1024 * 1024 + 10)], { type: 'image/png' }), 'big.png');
    const tooBig = await call('POST', `${BASE}/upload-thumbnail`, creator, undefined, big);
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toMatchObject({ success: false, error: { code: 'FILE_TOO_LARGE' } });

    const none = await call('POST', `${BASE}/upload-thumbnail`, creator, undefined, new FormData());
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ success: false, error: { code: 'NO_FILE' } });
  });

  it('refuses bad input with 4xx in the legacy shapes, never 5xx, and writes nothing', async () => {
    const id = (await call('POST', BASE, creator, validTheme('Stable Theme'))).body.data.id;
    const before = await themeCount();
    const v2 = {
      success: false,
      error: { code: 'VALIDATION_ERROR', message: expect.any(String), details: expect.any(Array) },
      timestamp: expect.any(String),
    };
    const bad: unknown[] = [
      {},
      { ...validTheme('x'), name: 'ab' },
      { ...validTheme('x'), name: 'x'.repeat(101) },
      { ...validTheme('x'), name: 'Bad<script>' },
      { ...validTheme('x'), name: 123 },
      { ...validTheme('Good Name'), description: 'd'.repeat(501) },
      { ...validTheme('Good Name'), description: 7 },
      { ...validTheme('Good Name'), thumbnailUrl: undefined },
      { ...validTheme('Good Name'), thumbnailUrl: 'ftp://x/y.png' },
      { ...validTheme('Good Name'), thumbnailUrl: `https://x.com/${'a'.repeat(500)}` },
      { ...validTheme('Good Name'), themeConfig: undefined },
      { ...validTheme('Good Name'), themeConfig: 'blue' },
      { ...validTheme('Good Name'), themeConfig: { mobile: desktop } },
      { ...validTheme('Good Name'), themeConfig: { desktop: { ...desktop, primaryColor: 'red' } } },
      { ...validTheme('Good Name'), themeConfig: { desktop: { ...desktop, backgroundColor: 'url(javascript:alert(1))' } } },
      { ...validTheme('Good Name'), themeConfig: { desktop: { ...desktop, containerOpacity: 2 } } },
      { ...validTheme('Good Name'), themeConfig: { desktop: { ...desktop, containerOpacity: '0.5' } } },
      { ...validTheme('Good Name'), themeConfig: { desktop: { ...desktop, containerPosition: 'bottom' } } },
      { ...validTheme('Good Name'), themeConfig: { desktop: { ...desktop, fontFamilyBody: '' } } },
      { ...validTheme('Good Name'), themeConfig: { desktop: { ...desktop, backgroundImagePosition: 'stretch' } } },
      { ...validTheme('Good Name'), themeConfig: { desktop, mobile: { primaryColor: 'nope' } } },
      [validTheme('Good Name')],
    ];
    for (const body of bad) {
      const res = await call('POST', BASE, creator, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toEqual(v2);
    }
    const detail = await call('POST', BASE, creator, { ...validTheme('x'), name: 'ab' });
    expect(detail.body.error.details).toEqual([
      { type: 'field', value: 'ab', msg: 'Theme name must be between 3 and 100 characters', path: 'name', location: 'body' },
    ]);

    for (const body of [{}, { name: 'a' }, { themeConfig: { desktop: { primaryColor: '#fff' } } }, { thumbnailUrl: 'nope' }]) {
      const res = await call('PUT', `${BASE}/${id}`, creator, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body).toEqual(v2);
    }
    for (const raw of ['{"name": ', '"text"']) {
      const res = await call('POST', BASE, creator, undefined, raw);
      expect(res).toEqual({
        status: 400,
        body: { success: false, error: 'Bad Request', message: expect.any(String), timestamp: expect.any(String) },
      });
    }
    const oversize = await call('POST', BASE, creator, { ...validTheme('Huge Theme'), description: 'x'.repeat(11 * 1024 * 1024) });
    expect(oversize.status).toBe(413);
    for (const bogus of ['not-a-uuid', '1', "1' OR 1=1 --"]) {
      for (const [method, suffix] of [
        ['GET', ''],
        ['POST', '/apply'],
        ['GET', '/usage'],
      ]) {
        const res = await call(method, `${BASE}/${encodeURIComponent(bogus)}${suffix}`, creator, method === 'POST' ? {} : undefined);
        expect({ bogus, method, suffix, status: res.status }).toEqual({ bogus, method, suffix, status: 400 });
        expect(res.body).toEqual(v2);
      }
      expect((await call('DELETE', `${BASE}/${encodeURIComponent(bogus)}`, creator)).status).toBe(404);
    }
    expect(await themeCount()).toBe(before);
    expect((await call('GET', `${BASE}/${id}`, creator)).body.data).toMatchObject({ name: 'Stable Theme', usageCount: 0 });
  });

  it('keeps themes small: unknown keys dropped, big bodies refused, errors bounded, NUL and deep nesting 400 (issues 16.1, 17.2, 17.5)', async () => {
    const before = await themeCount();
    const extra = await call('POST', BASE, creator, {
      ...validTheme('Extra Keys'),
      themeConfig: { desktop: { ...desktop, junk: 'x'.repeat(1000) }, junk: { a: 1 } },
    });
    expect(extra.status).toBe(201);
    expect(extra.body.data.themeConfig).toEqual({ desktop });
    const megabyte = await call('POST', BASE, creator, {
      ...validTheme('Mega Theme'),
      themeConfig: { desktop: { ...desktop, junk: 'x'.repeat(1024 * 1024) } },
    });
    expect(megabyte.status).toBe(413);
    expect(megabyte.body).toMatchObject({ success: false, error: { code: 'PAYLOAD_TOO_LARGE' } });
    const bigImage = await call('POST', BASE, creator, {
      ...validTheme('Big Image'),
      themeConfig: { desktop: { ...desktop, backgroundImageUrl: `data:image/png;base64,${'A'.repeat(60 * 1024)}` } },
    });
    expect(bigImage.status).toBe(400);
    const echo = await call('POST', BASE, creator, { ...validTheme('Echo Theme'), name: 'n'.repeat(2 * 1024 * 1024) });
    expect(echo.status).toBe(413);
    expect(JSON.stringify(echo.body).length).toBeLessThan(1024);
    const longName = await call('POST', BASE, creator, { ...validTheme('Echo Theme'), name: `${'n'.repeat(30_000)}` });
    expect(longName.status).toBe(400);
    expect(JSON.stringify(longName.body).length).toBeLessThan(1024);
    const nul = await call('POST', BASE, creator, { ...validTheme('Nul\u0000Theme') });
    expect(nul).toMatchObject({
      status: 400,
      body: { success: false, error: { code: 'VALIDATION_ERROR', details: [{ path: 'name', msg: 'must not contain NUL bytes' }] } },
    });
    for (const levels of [20_000, 100_000]) {
      const deep = await call(
        'POST',
        BASE,
        creator,
        undefined,
        '{"name":"Deep Theme","themeConfig":' + '{"a":'.repeat(levels) + '1' + '}'.repeat(levels) + '}',
      );
      expect(deep.status).toBe(400);
    }
    expect((await call('GET', `${BASE}/${'a'.repeat(10_000)}`, creator)).status).toBe(400);
    expect(await themeCount()).toBe(before + 1);
    const list = await call('GET', BASE, creator);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body).length).toBeLessThan(100 * 1024);
  });

  it('answers unauthenticated calls with E1 401, and refuses writes from a read-scoped API token', async () => {
    for (const [method, path] of [
      ['GET', BASE],
      ['POST', BASE],
      ['GET', `${BASE}/x`],
      ['PUT', `${BASE}/x`],
      ['DELETE', `${BASE}/x`],
      ['POST', `${BASE}/x/apply`],
      ['GET', `${BASE}/x/usage`],
      ['POST', `${BASE}/upload-thumbnail`],
    ]) {
      const res = await call(method, path, undefined);
      expect({ method, path, ...res }).toEqual({
        method,
        path,
        status: 401,
        body: { error: 'Unauthorized', message: 'Authorization header is required', timestamp: expect.any(String) },
      });
    }
    const readToken = await auth.createApiToken(creator, ['read']);
    const before = await themeCount();
    expect((await call('GET', BASE, readToken)).status).toBe(200);
    const refused = await call('POST', BASE, readToken, validTheme('Token Theme'));
    expect(refused).toEqual({
      status: 403,
      body: { error: 'Forbidden', message: expect.stringContaining('scope'), timestamp: expect.any(String) },
    });
    const id = (await call('GET', BASE, readToken)).body.data[0].id;
    expect((await call('POST', `${BASE}/${id}/apply`, readToken)).status).toBe(403);
    expect(await themeCount()).toBe(before);
    const writeToken = await auth.createApiToken(creator, ['write']);
    expect((await call('POST', BASE, writeToken, validTheme('Token Theme'))).status).toBe(201);
  });
});
