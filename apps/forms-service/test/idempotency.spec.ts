// Idempotency-Key on forms' create routes (issue 17.10): POST /api/v1/forms and /api/v1/themes,
// against real PostgreSQL, Redis and the auth-service bundle.
import { randomUUID } from 'node:crypto';

import { AuthFixture, TEST_JWT_SECRET } from '@nafs/auth-client/testing';
import { testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import { Client } from 'pg';

import { FORMS_SERVICE } from '../src/service';

const desktop = {
  primaryColor: '#112233',
  secondaryColor: '#445566',
  textColorPrimary: '#000000',
  textColorSecondary: '#333333',
  backgroundColor: '#ffffff',
  containerBackground: '#ffffff',
  fontFamilyHeading: 'Inter',
  fontFamilyBody: 'Inter',
  fieldBorderRadius: '8px',
  fieldSpacing: '16px',
  containerOpacity: 1,
  containerPosition: 'center',
};
const form = (title: string) => ({
  title,
  schema: { fields: [{ id: 'f1', type: 'TEXT', fieldName: 'name', label: 'Name', required: true }] },
});
const theme = (name: string) => ({ name, thumbnailUrl: 'https://cdn.example.com/t.png', themeConfig: { desktop } });

describe('Idempotency-Key on forms create routes (real PostgreSQL, Redis and auth-service)', () => {
  let auth: AuthFixture;
  let forms: RunningTestService;
  let token: string;

  const post = async (path: string, body: unknown, key: string) => {
    const res = await fetch(`${forms.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, replayed: res.headers.get('idempotent-replayed') };
  };
  const count = async (sql: string, params: unknown[]) => {
    const client = new Client({ connectionString: forms.database.url });
    await client.connect();
    try {
      return Number((await client.query(sql, params)).rows[0].count);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    const prefix = uniqueRedisPrefix('fidem');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    forms = await startTestService(FORMS_SERVICE, { ...shared, JWT_SECRET: TEST_JWT_SECRET });
    token = auth.accessToken(await auth.createUser());
  });

  afterAll(async () => {
    await forms?.close();
    await auth?.stopAll();
  });

  it('a retried POST /api/v1/forms with the same key creates one form and gets the first answer', async () => {
    const title = `idem ${randomUUID()}`;
    const key = randomUUID();
    const first = await post('/api/v1/forms', form(title), key);
    expect(first.status).toBe(201);
    const retries = await Promise.all([post('/api/v1/forms', form(title), key), post('/api/v1/forms', form(title), key)]);
    retries.forEach((retry) => expect(retry).toEqual({ status: 201, body: first.body, replayed: 'true' }));
    expect(await count('SELECT count(*) FROM forms WHERE title = $1', [title])).toBe(1);
    const changed = await post('/api/v1/forms', form(`${title} 2`), key);
    expect(changed.status).toBe(422);
    expect(await count('SELECT count(*) FROM forms WHERE title = $1', [`${title} 2`])).toBe(0);
  });

  it('a retried POST /api/v1/themes with the same key creates one theme; concurrent duplicates too', async () => {
    const name = `idem ${randomUUID().slice(0, 8)}`;
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 5 }, () => post('/api/v1/themes', theme(name), key)));
    expect(answers.map((a) => a.status).filter((status) => status !== 201 && status !== 409)).toEqual([]);
    expect(await count('SELECT count(*) FROM form_themes WHERE name = $1', [name])).toBe(1);
    const retry = await post('/api/v1/themes', theme(name), key);
    expect(retry.status).toBe(201);
    expect(retry.replayed).toBe('true');
    expect(await count('SELECT count(*) FROM form_themes WHERE name = $1', [name])).toBe(1);
  });
});
