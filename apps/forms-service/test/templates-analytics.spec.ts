import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AuthFixture, TEST_JWT_SECRET, type TestUser } from '@nafs/auth-client/testing';
import { testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import { Client } from 'pg';

import { DEFAULT_TEMPLATE_COUNT } from '../src/database/migrations/1700000000301-seed-form-templates';
import { FORMS_SERVICE } from '../src/service';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- asserted field by field

describe('templates X1-X6 and category analytics X7/X8 (real PostgreSQL, Redis and auth-service)', () => {
  let auth: AuthFixture;
  let forms: RunningTestService;
  let db: Client;
  let user: TestUser;
  let other: TestUser;
  let admin: TestUser;

  const call = async (method: string, path: string, who: TestUser | undefined, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (who) headers.Authorization = `Bearer ${auth.accessToken(who)}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${forms.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Body };
  };
  const q = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows;

  beforeAll(async () => {
    const prefix = uniqueRedisPrefix('tpl');
    const shared = { REDIS_URL: testInfra().redisUrl, REDIS_KEY_PREFIX: prefix, RPC_CHANNEL_PREFIX: prefix };
    auth = new AuthFixture(shared);
    await auth.addReplica();
    forms = await startTestService(FORMS_SERVICE, {
      ...shared,
      JWT_SECRET: TEST_JWT_SECRET,
      FORMS_UPLOADS_DIR: mkdtempSync(join(tmpdir(), 'nafs-tpl-')),
    });
    db = new Client({ connectionString: forms.database.url });
    await db.connect();
    [user, other, admin] = [await auth.createUser(), await auth.createUser(), await auth.createUser({ role: 'admin' })];
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await forms?.close();
    await auth?.stopAll();
  });

  const pollTemplate = (name: string) => ({
    name,
    category: 'polls',
    description: 'Which one?',
    templateSchema: {
      fields: [
        {
          id: 'poll_option',
          type: 'radio',
          fieldName: 'poll_option',
          label: 'Pick',
          options: [
            { label: 'A', value: 'a' },
            { label: 'B', value: 'b' },
          ],
        },
      ],
      settings: { layout: { columns: 1, spacing: 'medium' }, submission: { showSuccessMessage: true } },
    },
    businessLogicConfig: {
      type: 'poll',
      voteField: 'poll_option',
      preventDuplicates: true,
      showResultsAfterVote: true,
      trackingMethod: 'session',
    },
  });

  it('X1/X2 lists the seeded defaults publicly, by category, with the real total; bad ids and limits are 400', async () => {
    const all = await call('GET', '/api/v1/templates?limit=100', undefined);
    expect(all.status).toBe(200);
    expect(all.body.pagination).toMatchObject({ total: DEFAULT_TEMPLATE_COUNT, page: 1, limit: 100 });
    expect(all.body.data).toHaveLength(DEFAULT_TEMPLATE_COUNT);
    const quiz = await call('GET', '/api/v1/templates?category=quiz&limit=2', undefined);
    expect(quiz.body.pagination.total).toBe(4);
    expect(quiz.body.data).toHaveLength(2);
    expect(quiz.body.data.every((t: Body) => t.category === 'quiz')).toBe(true);
    const one = await call('GET', `/api/v1/templates/${all.body.data[0].id}`, undefined);
    expect(one.body.data).toMatchObject({ id: all.body.data[0].id, isActive: true, templateSchema: { fields: expect.any(Array) } });
    expect((await call('GET', '/api/v1/templates/00000000-0000-4000-8000-000000000000', undefined)).body).toMatchObject({
      success: false,
      error: 'NOT_FOUND',
      message: 'Template not found',
    });
    expect((await call('GET', '/api/v1/templates/not-a-uuid', undefined)).status).toBe(400);
    expect((await call('GET', '/api/v1/templates?limit=100000', undefined)).status).toBe(400);
    expect((await call('GET', '/api/v1/templates?category=nope', undefined)).status).toBe(400);
  });

  it('X3-X5 admin create/update/delete with the config and category rules; others refused; nothing changed on bad input', async () => {
    const before = (await q('SELECT count(*)::int n FROM form_templates'))[0].n;
    expect((await call('POST', '/api/v1/templates', user, pollTemplate('User Poll'))).status).toBe(403);
    expect((await call('POST', '/api/v1/templates', undefined, pollTemplate('Anon Poll'))).status).toBe(401);
    const invalid = await call('POST', '/api/v1/templates', admin, { ...pollTemplate('Bad'), category: 'rockets' });
    expect(invalid).toMatchObject({ status: 400, body: { success: false, errors: [expect.objectContaining({ path: 'category' })] } });
    expect(
      (
        await call('POST', '/api/v1/templates', admin, {
          ...pollTemplate('Bad Config'),
          businessLogicConfig: { type: 'quiz', scoringRules: [{ fieldId: 'x' }] },
        })
      ).body,
    ).toMatchObject({ error: 'INVALID_CONFIG' });
    const wrongFields = pollTemplate('Wrong Fields');
    wrongFields.templateSchema.fields[0].fieldName = 'choice';
    expect((await call('POST', '/api/v1/templates', admin, wrongFields)).body).toMatchObject({ error: 'TEMPLATE_VALIDATION_FAILED' });
    expect((await q('SELECT count(*)::int n FROM form_templates'))[0].n).toBe(before);

    const created = await call('POST', '/api/v1/templates', admin, pollTemplate('Team Poll'));
    expect(created).toMatchObject({
      status: 201,
      body: {
        success: true,
        message: 'Template created successfully',
        data: { name: 'Team Poll', category: 'polls', usageCount: 0, isActive: true },
      },
    });
    const id = created.body.data.id;
    expect((await call('POST', '/api/v1/templates', admin, pollTemplate('Team Poll'))).status).toBe(409);
    const updated = await call('PUT', `/api/v1/templates/${id}`, admin, { description: 'Updated' });
    expect(updated.body.data).toMatchObject({ description: 'Updated' });
    expect((await call('PUT', `/api/v1/templates/${id}`, admin, {})).status).toBe(400);
    expect((await call('PUT', `/api/v1/templates/${id}`, user, { description: 'x' })).status).toBe(403);
    expect((await call('DELETE', `/api/v1/templates/${id}`, admin)).body).toMatchObject({
      success: true,
      message: 'Template deleted successfully',
    });
    expect((await call('GET', `/api/v1/templates/${id}`, undefined)).status).toBe(404);
    expect((await call('POST', `/api/v1/templates/${id}/apply`, user, {})).body).toMatchObject({ error: 'TEMPLATE_INACTIVE' });
    expect((await call('PUT', `/api/v1/templates/${id}`, admin, { isActive: true })).body.data.isActive).toBe(true);
  });

  it('X6 applies a template: a schema with the config, inferred category, quiz answers merged; usage counted', async () => {
    const [quiz] = await q(`SELECT id, usage_count FROM form_templates WHERE name = 'Knowledge Assessment Quiz'`);
    const applied = await call('POST', `/api/v1/templates/${quiz.id}/apply`, user, {});
    expect(applied.status).toBe(200);
    const schema = applied.body.data;
    expect(schema.businessLogicConfig).toMatchObject({ type: 'quiz' });
    expect(schema.settings).toMatchObject({ templateCategory: 'quiz', templateId: quiz.id });
    expect(schema.fields.find((f: Body) => f.id === 'question_1').metadata).toEqual({
      correctAnswer: 'paris',
      points: 1,
      excludeFromQuiz: false,
    });
    expect((await q(`SELECT usage_count FROM form_templates WHERE id = $1`, [quiz.id]))[0].usage_count).toBe(quiz.usage_count + 1);
    expect((await call('POST', `/api/v1/templates/${quiz.id}/apply`, undefined, {})).status).toBe(401);
  });

  /** A form with one schema version and its submissions written as the public submit stores them. */
  const formWith = async (settings: Body, fields: Body[], submissions: Body[]) => {
    const created = await call('POST', '/api/v1/forms', user, {
      title: 'Analytics',
      schema: { fields, settings: { layout: { columns: 1 }, submission: {}, ...settings } },
    });
    expect(created.status).toBe(201);
    for (const [index, values] of submissions.entries()) {
      await q(`INSERT INTO form_submissions (form_schema_id, values_json, submitter_ip, submitted_at) VALUES ($1, $2, '203.0.113.1', $3)`, [
        created.body.data.schema.id,
        JSON.stringify(values),
        new Date(Date.UTC(2025, 0, 1 + index, 10)).toISOString(),
      ]);
    }
    return created.body.data.id as string;
  };
  const metrics = async (id: string, who: TestUser = user, mount = '/api/analytics') => call('GET', `${mount}/${id}/category-metrics`, who);

  it('X7/X8 polls: counts and percentages on both mounts; owner only; bad ids 400', async () => {
    const votes = ['a', null, 'b', 'a', 'a']; // the newest (last) has the key, so the form counts as a poll
    const id = await formWith(
      { templateCategory: 'polls' },
      [{ type: 'radio', fieldName: 'poll_option', label: 'Pick' }],
      votes.map((v) => ({ poll_option: v })),
    );
    const res = await metrics(id);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, message: 'Analytics retrieved successfully' });
    expect(res.body.data).toMatchObject({
      category: 'polls',
      totalSubmissions: 5,
      voteCounts: { a: 3, b: 1, null: 1 },
      votePercentages: { a: 60, b: 20, null: 20 },
      mostPopularOption: 'a',
      uniqueVoters: 5,
    });
    expect((await metrics(id, user, '/api/v1/analytics')).body.data).toEqual(res.body.data);
    expect((await metrics(id, other)).status).toBe(403);
    expect((await metrics('nope')).status).toBe(400);
    expect((await metrics('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('GET', `/api/analytics/${id}/category-metrics?startDate=2025-01-03`, user)).body.data.totalSubmissions).toBe(3);
    const missing = await formWith(
      { templateCategory: 'polls' },
      [{ type: 'radio', fieldName: 'choice', label: 'Pick' }],
      [{ choice: 'a' }],
    );
    expect((await metrics(missing)).body.data).toMatchObject({
      totalSubmissions: 1,
      voteCounts: {},
      missingFields: { hasRequiredFields: false, missing: ['poll_option'] },
    });
  });

  it('X7 quiz: scores computed in SQL from metadata.correctAnswer and points', async () => {
    const fields = [
      { type: 'radio', fieldName: 'question_1', label: 'Q1', metadata: { correctAnswer: 'paris' } },
      { type: 'radio', fieldName: 'question_2', label: 'Q2', metadata: { correctAnswer: '4', points: 3 } },
    ];
    const answers = [
      { question_1: 'Paris ', question_2: '4' },
      { question_1: 'london', question_2: '4' },
      { question_1: 'paris', question_2: '5' },
      { question_1: 'x' },
    ];
    const id = await formWith({}, fields, answers);
    const pct = answers.map((a) => (((a.question_1?.trim().toLowerCase() === 'paris' ? 1 : 0) + (a.question_2 === '4' ? 3 : 0)) / 4) * 100);
    const sorted = [...pct].sort((x, y) => x - y);
    const data = (await metrics(id)).body.data;
    expect(data).toMatchObject({
      category: 'quiz',
      totalSubmissions: 4,
      averageScore: Math.round((pct.reduce((s, p) => s + p, 0) / 4) * 100) / 100,
      medianScore: (sorted[1] + sorted[2]) / 2,
      passRate: (pct.filter((p) => p >= 60).length / 4) * 100,
      highestScore: Math.max(...pct),
      lowestScore: Math.min(...pct),
      scoreDistribution: {
        '0-20': pct.filter((p) => p <= 20).length,
        '21-40': pct.filter((p) => p > 20 && p <= 40).length,
        '41-60': 0,
        '61-80': pct.filter((p) => p > 60 && p <= 80).length,
        '81-100': pct.filter((p) => p > 80).length,
      },
      questionAccuracy: { question_1: 50, question_2: 66.67 },
    });
  });

  it('X7 ecommerce, services, data_collection and generic strategies', async () => {
    const product = await formWith(
      { templateCategory: 'ecommerce' },
      [{ type: 'text', fieldName: 'product_id', label: 'P' }],
      [
        { product_id: 'p1', product_name: 'Pen', quantity: 2, price: 1.5 },
        { product_id: 'p2', product_name: 'Book', quantity: '1', price: '10' },
        { product_id: 'p1', product_name: 'Pen', quantity: 4, price: 1.5 },
        { product_id: 'p3', product_name: 'Odd', quantity: 'abc', price: 2 },
      ],
    );
    expect((await metrics(product)).body.data).toMatchObject({
      category: 'ecommerce',
      totalSubmissions: 4,
      totalRevenue: 19,
      totalItemsSold: 7,
      averageOrderValue: 4.75,
      topProducts: [
        { productId: 'p1', name: 'Pen', quantity: 6, revenue: 9 },
        { productId: 'p2', name: 'Book', quantity: 1, revenue: 10 },
        { productId: 'p3', name: 'Odd', quantity: 0, revenue: 0 },
      ].sort((a, b) => b.revenue - a.revenue),
      lowStockAlerts: 0,
    });
    const services = await formWith(
      { templateCategory: 'services' },
      [{ type: 'select', fieldName: 'time_slot', label: 'Slot' }],
      [
        { time_slot: '09:00', booking_date: '2025-03-04', status: 'confirmed' },
        { time_slot: '09:00', booking_date: '2025-03-04' },
        { time_slot: '10:00', booking_date: '2025-02-30', status: 'cancelled' },
      ],
    );
    expect((await metrics(services)).body.data).toMatchObject({
      category: 'services',
      totalBookings: 2,
      cancelledBookings: 1,
      cancellationRate: 33.33,
      peakBookingDay: 'Tuesday',
      popularTimeSlots: [
        { timeSlot: '09:00', bookings: 2 },
        { timeSlot: '10:00', bookings: 1 },
      ],
      averageBookingsPerDay: 1,
      capacityUtilization: 10,
    });
    const restaurant = await formWith(
      { templateCategory: 'data_collection' },
      [{ type: 'text', fieldName: 'item_name', label: 'Item' }],
      [
        { item_name: 'Soup', quantity: 2, price: 4, order_time: '2025-01-01T12:15:00Z' },
        { item_name: 'Tea', quantity: 3, price: 1, order_time: '2025-01-01T12:45:00Z' },
        { item_name: 'Soup', quantity: 1, price: 4, order_time: '2025-01-01T18:00:00Z' },
      ],
    );
    expect((await metrics(restaurant)).body.data).toMatchObject({
      category: 'data_collection',
      totalRevenue: 15,
      totalItemsOrdered: 6,
      averageOrderValue: 5,
      averageOrderSize: 2,
      peakOrderTime: '12:00-13:00',
      popularItems: [
        { itemName: 'Soup', quantity: 3, revenue: 12 },
        { itemName: 'Tea', quantity: 3, revenue: 3 },
      ],
    });
    const generic = await formWith({ templateCategory: 'events' }, [{ type: 'text', fieldName: 'name', label: 'Name' }], [{ name: 'x' }]);
    expect((await metrics(generic)).body.data).toEqual({
      category: 'data_collection',
      totalSubmissions: 1,
      firstSubmissionAt: expect.any(String),
      lastSubmissionAt: expect.any(String),
      totalRevenue: 0,
      averageOrderValue: 0,
      totalItemsOrdered: 0,
      averageOrderSize: 0,
      popularItems: [],
    });
    const empty = await formWith({ templateCategory: 'ecommerce' }, [{ type: 'text', fieldName: 'product_id', label: 'P' }], []);
    expect((await metrics(empty)).body.data).toEqual({
      category: 'ecommerce',
      totalSubmissions: 0,
      totalRevenue: 0,
      averageOrderValue: 0,
      totalItemsSold: 0,
      topProducts: [],
      lowStockAlerts: 0,
      outOfStockCount: 0,
      inventoryValue: 0,
    });
  });
});
