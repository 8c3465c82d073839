import { Body, Controller, Get, HttpCode, type INestApplication, Param, Post, Query } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createZodDto } from 'nestjs-zod';
import request from 'supertest';
import { z } from 'zod';

import {
  BadRequestError,
  ConflictError,
  DomainError,
  ForbiddenError,
  LegacyFamily,
  LegacyHttpException,
  LegacyHttpModule,
  type LegacyRoute,
  LockedError,
  MaxBodyBytes,
  NotFoundError,
  renderValidation,
  RequireJson,
  TooManyRequestsError,
  zDateTime,
  zJson,
  zPagination,
  zText,
  zUuid,
} from '../index';

const bodySchema = z.object({ name: zText(10, { min: 1, trim: true }), note: zText(2000).optional() });
class BodyDto extends createZodDto(bodySchema) {}
class IdParamsDto extends createZodDto(z.object({ id: zUuid })) {}
class ListQueryDto extends createZodDto(zPagination({ maxLimit: 50 }).extend({ from: zDateTime.optional() })) {}
class JsonDto extends createZodDto(z.object({ config: zJson(z.record(z.string(), z.unknown()), { maxBytes: 1000, maxDepth: 5 }) })) {}

const errors: Record<string, () => DomainError> = {
  notFound: () => new NotFoundError('THING_NOT_FOUND', 'Thing not found'),
  conflict: () => new ConflictError('DUPLICATE', 'Already there', { field: 'name' }),
  forbidden: () => new ForbiddenError('FORBIDDEN', 'Not yours'),
  locked: () => new LockedError('LOCKED', 'Account locked', { lockedUntil: '2030-01-01T00:00:00.000Z' }),
  limited: () => new TooManyRequestsError('RATE_LIMIT_EXCEEDED', 'Slow down', { retryAfter: 1 }).withHeaders({ 'Retry-After': '1' }),
  bad: () => new BadRequestError('BAD', 'x'.repeat(5000)),
};

/** The same handlers under every prefix, so each family renders the same failures. */
function controllerAt(prefix: string) {
  @Controller(prefix)
  class Things {
    @Post()
    @HttpCode(201)
    create(@Body() body: BodyDto) {
      return { ok: body };
    }

    @Get('items/:id')
    one(@Param() params: IdParamsDto) {
      return { id: params.id };
    }

    @Get('list')
    list(@Query() query: ListQueryDto) {
      return query;
    }

    @Post('json')
    json(@Body() body: JsonDto) {
      return body;
    }

    @Get('fail/:what')
    fail(@Param('what') what: string) {
      if (what === 'crash') throw new Error('secret database detail');
      if (what === 'raw')
        throw new LegacyHttpException(403, { error: { code: 'FORBIDDEN', message: 'Own only' } }, {}, { timestamp: false });
      throw errors[what]();
    }

    @Post('raw')
    @RequireJson()
    @MaxBodyBytes(100)
    raw(@Body() body: unknown) {
      return { body };
    }

    @Get('override')
    @LegacyFamily({ errors: 'E8' })
    override() {
      throw new NotFoundError('NOT_FOUND', 'Tool not found or disabled');
    }
  }
  return Things;
}

const ROUTES: LegacyRoute[] = [
  { prefix: '/e1', errors: 'E1', validation: 'V1' },
  { prefix: '/e2', errors: 'E2', validation: 'V2', validationMessage: 'Validation failed' },
  { prefix: '/e3', errors: 'E3', validation: 'V5' },
  { prefix: '/e4', errors: 'E4', validation: 'V1' },
  { prefix: '/e5', errors: 'E5', validation: 'V3' },
  { prefix: '/e6', errors: 'E6', validation: 'V4' },
  { prefix: '/e7', errors: 'E7', validation: 'V1' },
  { prefix: '/e7/e8', errors: 'E8', validation: 'V6' },
  { prefix: '/v7', errors: 'E3', validation: 'V7' },
  { prefix: '/g', errors: 'G', validation: 'VT' },
  { prefix: '/e2/:any/items', errors: 'E6', validation: 'V4' },
];

async function appWith(production: boolean): Promise<INestApplication> {
  @Module({
    imports: [LegacyHttpModule.forRoot({ routes: ROUTES, production })],
    controllers: [...ROUTES.map((route) => controllerAt(route.prefix)), controllerAt('/plain')],
  })
  class TestModule {}
  const app = await NestFactory.create<NestExpressApplication>(TestModule, { logger: false });
  app.useBodyParser('json', { limit: '2kb' });
  await app.init();
  return app;
}

describe('@nafs/http: the legacy families, through a real Nest app', () => {
  let app: INestApplication;
  let prod: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await appWith(false);
    prod = await appWith(true);
  });
  afterAll(async () => {
    await app.close();
    await prod.close();
  });

  const ts = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/);

  it('sends the legacy helmet headers on every route, errors included', async () => {
    for (const path of ['/e2/list', '/nowhere']) {
      const res = await http().get(path);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'self' *");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('passes valid input through the schema (trimmed, defaults applied)', async () => {
    await http()
      .post('/e2')
      .send({ name: '  Ann  ' })
      .expect(201, { ok: { name: 'Ann' } });
    const list = await http().get('/e2/list?from=2024-01-02T03:04:05Z').expect(200);
    expect(list.body).toEqual({ page: 1, limit: 20, from: '2024-01-02T03:04:05.000Z' });
  });

  describe('validation families', () => {
    it('V1: error/message/details[{field,message,value}]', async () => {
      const res = await http().post('/e1').send({ name: '' }).expect(400);
      expect(res.body).toEqual({
        error: 'Validation Error',
        message: 'Invalid input data provided',
        details: [{ field: 'name', message: 'must not be empty', value: '' }],
        timestamp: ts,
      });
    });

    it('V2: E2 envelope with raw express-validator items, the route message, the location', async () => {
      const res = await http().get('/e2/items/not-a-uuid').expect(400);
      expect(res.body).toEqual({
        success: false,
        error: {
          code: 'VALIDATION_ERROR',
          message: 'Validation failed',
          details: [{ type: 'field', value: 'not-a-uuid', msg: 'must be a valid UUID', path: 'id', location: 'params' }],
        },
        timestamp: ts,
      });
      const query = await http().get('/e2/list?limit=500').expect(400);
      expect(query.body.error.details).toEqual([
        { type: 'field', value: '500', msg: 'limit must be between 1 and 50', path: 'limit', location: 'query' },
      ]);
    });

    it('V3, V4: tool configs and registry', async () => {
      expect((await http().post('/e5').send({}).expect(400)).body).toEqual({
        success: false,
        errors: [expect.objectContaining({ type: 'field', path: 'name', location: 'body' })],
      });
      expect((await http().post('/e6').send({}).expect(400)).body).toEqual({
        error: 'Validation failed',
        details: [expect.objectContaining({ type: 'field', path: 'name' })],
      });
    });

    it('V5: the E3 body without details; production keeps the message (legacy defect 13 fixed)', async () => {
      expect((await http().post('/e3').send({}).expect(400)).body).toEqual({
        success: false,
        error: 'Bad Request',
        message: 'Invalid input data',
        timestamp: ts,
      });
      expect((await request(prod.getHttpServer()).post('/e3').send({}).expect(400)).body).toEqual({
        success: false,
        error: 'Bad Request',
        message: 'Invalid input data',
        timestamp: ts,
      });
    });

    it('V6 and V7: schema messages and the field map', async () => {
      expect((await http().post('/e7/e8').send({ name: 5 }).expect(400)).body).toEqual({
        success: false,
        error: { code: 'SCHEMA_VALIDATION_ERROR', message: 'Form schema validation failed', details: [expect.stringMatching(/^name: /)] },
        timestamp: ts,
      });
      expect((await http().post('/v7').send({}).expect(400)).body).toEqual({
        success: false,
        error: 'Bad Request',
        message: 'Validation failed',
        timestamp: ts,
        errors: { name: expect.any(String) },
      });
    });

    it('refuses NUL bytes, 10,000-character ids, out-of-range dates and deep JSON as 400s', async () => {
      const nul = await http().post('/e1').send({ name: 'a\u0000b' }).expect(400);
      expect(nul.body.details[0]).toMatchObject({ field: 'name', message: 'must not contain NUL bytes' });
      await http()
        .get(`/e1/items/${'a'.repeat(10_000)}`)
        .expect(400);
      const date = await http().get('/e1/list?from=-100000-01-01T00:00:00Z').expect(400);
      expect(date.body.details[0].field).toBe('from');
      await http().get('/e1/list?from=10000-01-01T00:00:00Z').expect(400);
      let deep: unknown = { leaf: true };
      for (let i = 0; i < 10; i++) deep = { nested: deep };
      expect((await http().post('/e1/json').send({ config: deep }).expect(400)).body.details[0].message).toBe(
        'must not be nested more than 5 levels',
      );
      expect(
        (
          await http()
            .post('/e1/json')
            .send({ config: { 'k\u0000': 1 } })
            .expect(400)
        ).body.details[0].message,
      ).toBe('must not contain NUL bytes');
    });

    it('refuses NUL bytes in untyped bodies and path values too', async () => {
      const res = await http()
        .post('/e2/raw')
        .send({ a: { b: ['ok', 'x\u0000'] } })
        .expect(400);
      expect(res.body.error.details).toEqual([
        { type: 'field', value: 'x\u0000', msg: 'must not contain NUL bytes', path: 'a.b.1', location: 'body' },
      ]);
      const param = await http().get('/e1/fail/a%00b').expect(400);
      expect(param.body.details[0]).toMatchObject({ field: 'what', message: 'must not contain NUL bytes' });
    });

    it('echoes at most a bounded snippet of the input', async () => {
      const res = await http()
        .post('/e1')
        .send({ name: 'x'.repeat(1900) });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body).length).toBeLessThan(1024);
      // Many bad fields, each with a long value: the values echoed together stay under 1 KB.
      const many = await http().get(`/e2/list?limit=${'9'.repeat(190)}&page=${'8'.repeat(190)}&from=${'7'.repeat(30)}`);
      expect(many.status).toBe(400);
      const echoed = many.body.error.details.map((detail: { value: unknown }) => JSON.stringify(detail.value) ?? '').join('');
      expect(echoed.length).toBeLessThan(1024);
      const input = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, '~'.repeat(300)]));
      const issues = Object.keys(input).map((key) => ({ path: [key], message: 'bad' }));
      for (const family of ['V1', 'V2', 'V3', 'V4'] as const) {
        const body = renderValidation(family, issues, 'body', input, { production: false });
        const echoedChars = (JSON.stringify(body).match(/~/g) ?? []).length;
        expect(echoedChars).toBeGreaterThan(0);
        expect(echoedChars).toBeLessThan(1024);
      }
    });
  });

  describe('error families', () => {
    it('E1: error is the HTTP reason, details add top-level fields', async () => {
      expect((await http().get('/e1/fail/notFound').expect(404)).body).toEqual({
        error: 'Not Found',
        message: 'Thing not found',
        timestamp: ts,
      });
      expect((await http().get('/e1/fail/locked').expect(423)).body).toEqual({
        error: 'Locked',
        message: 'Account locked',
        lockedUntil: '2030-01-01T00:00:00.000Z',
        timestamp: ts,
      });
    });

    it('E2: code, message and details', async () => {
      expect((await http().get('/e2/fail/conflict').expect(409)).body).toEqual({
        success: false,
        error: { code: 'DUPLICATE', message: 'Already there', details: { field: 'name' } },
        timestamp: ts,
      });
    });

    it('E3: Bad Request for every 4xx; production keeps message and code (legacy defect 13 fixed)', async () => {
      const forbidden = { success: false, error: 'Bad Request', message: 'Not yours', code: 'FORBIDDEN', timestamp: ts };
      expect((await http().get('/e3/fail/forbidden').expect(403)).body).toEqual(forbidden);
      expect((await request(prod.getHttpServer()).get('/e3/fail/forbidden').expect(403)).body).toEqual(forbidden);
    });

    it('E4: status/message/code with extra fields and headers', async () => {
      const res = await http().get('/e4/fail/limited').expect(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toEqual({ status: 'error', message: 'Slow down', code: 'RATE_LIMIT_EXCEEDED', timestamp: ts, retryAfter: 1 });
    });

    it('E5, E6, E7, E8', async () => {
      expect((await http().get('/e5/fail/notFound').expect(404)).body).toEqual({ success: false, message: 'Thing not found' });
      expect((await http().get('/e6/fail/notFound').expect(404)).body).toEqual({ error: 'Thing not found' });
      expect((await http().get('/e7/fail/notFound').expect(404)).body).toEqual({ success: false, message: 'Thing not found' });
      expect((await http().get('/e7/e8/fail/notFound').expect(404)).body).toEqual({ success: false, error: 'Thing not found' });
    });

    it('G (forms-api): the code in `error`, message hidden in production; VT', async () => {
      expect((await http().get('/g/fail/notFound').expect(404)).body).toEqual({
        success: false,
        error: 'THING_NOT_FOUND',
        message: 'Thing not found',
        timestamp: ts,
      });
      expect((await request(prod.getHttpServer()).get('/g/fail/notFound').expect(404)).body).toEqual({
        success: false,
        error: 'THING_NOT_FOUND',
        message: 'Thing not found',
        timestamp: ts,
      });
      expect((await http().post('/g').send({}).expect(400)).body).toEqual({
        success: false,
        errors: [expect.objectContaining({ path: 'name' })],
        timestamp: ts,
      });
    });

    it('matches `:name` segments in prefixes', async () => {
      expect((await http().get('/e2/x/items/nothing').expect(404)).body).toEqual({
        success: false,
        error: 'Not Found',
        message: 'The requested resource was not found',
        timestamp: ts,
      });
      const matcher = await import('./legacy-exception.filter');
      expect(matcher.familyOfPath(ROUTES, '/e2/x/items/y')?.errors).toBe('E6');
      expect(matcher.familyOfPath(ROUTES, '/e2x/items')).toBeNull();
      expect(matcher.familyOfPath(ROUTES, '/e7/e8/z')?.errors).toBe('E8');
    });

    it('the longest prefix wins, and @LegacyFamily overrides it', async () => {
      expect((await http().get('/e2/override').expect(404)).body).toEqual({ success: false, error: 'Tool not found or disabled' });
    });

    it('bounds long messages', async () => {
      const res = await http().get('/e2/fail/bad').expect(400);
      expect(res.body.error.message.length).toBeLessThanOrEqual(501);
    });

    it('sends LegacyHttpException bodies as they are', async () => {
      expect((await http().get('/e2/fail/raw').expect(403)).body).toEqual({ error: { code: 'FORBIDDEN', message: 'Own only' } });
    });

    it('hides and logs unexpected failures as 500 in the family', async () => {
      const e1 = await http().get('/e1/fail/crash').expect(500);
      expect(e1.body).toEqual({ error: 'Internal Server Error', message: 'An error occurred', timestamp: ts });
      const e7 = await http().get('/e7/fail/crash').expect(500);
      expect(e7.body).toEqual({ success: false, message: 'Internal server error', error: 'An unexpected error occurred' });
      expect(JSON.stringify(e7.body)).not.toContain('secret');
    });
  });

  describe('body parsing and unknown routes', () => {
    it('@RequireJson answers the legacy 415 and @MaxBodyBytes a 413 in the family, before validation', async () => {
      const form = await http().post('/e1/raw').type('form').send('a=1').expect(415);
      expect(form.body).toEqual({
        error: 'Unsupported Media Type',
        message: 'Content-Type must be one of: application/json',
        timestamp: ts,
      });
      const big = await http()
        .post('/e2/raw')
        .send({ a: 'x'.repeat(200) })
        .expect(413);
      expect(big.body).toEqual({
        success: false,
        error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body must not exceed 100 bytes' },
        timestamp: ts,
      });
      await http()
        .post('/e2/raw')
        .send({ a: 1 })
        .expect(201, { body: { a: 1 } });
    });

    it('malformed JSON is the family 400, oversize the family 413', async () => {
      const bad = await http().post('/e1').set('Content-Type', 'application/json').send('{"name":').expect(400);
      expect(bad.body).toEqual({ error: 'Bad Request', message: 'Malformed JSON in request body', timestamp: ts });
      const big = await http()
        .post('/e2')
        .send({ name: 'a', note: 'x'.repeat(5000) })
        .expect(413);
      expect(big.body).toEqual({ success: false, error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) }, timestamp: ts });
    });

    it('answers unknown paths with the legacy 404, inside and outside the families', async () => {
      const body = { success: false, error: 'Not Found', message: 'The requested resource was not found', timestamp: ts };
      expect((await http().get('/e2/nothing/here').expect(404)).body).toEqual(body);
      expect((await http().delete('/nowhere').expect(404)).body).toEqual(body);
    });

    it('leaves paths outside every family to Nest', async () => {
      const res = await http().get('/plain/fail/notFound').expect(500);
      expect(res.body).toEqual({ statusCode: 500, message: 'Internal server error' });
    });
  });
});
