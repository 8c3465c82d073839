import { LegacyHttpModule } from '@nafs/http';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';

import { assertJsonDepth, useLegacyJsonBody } from './legacy-json-body';

@Controller('/api/v1/things')
class ThingsController {
  @Post()
  create(@Body() body: unknown) {
    return { received: typeof body };
  }
}

@Module({
  imports: [LegacyHttpModule.forRoot({ routes: [{ prefix: '/api/v1/things', errors: 'E2', validation: 'V2' }] })],
  controllers: [ThingsController],
})
class TestModule {}

describe('useLegacyJsonBody', () => {
  it('counts nesting outside strings only', () => {
    expect(() => assertJsonDepth(Buffer.from('{"a":"[[[[[[[[[[\\"[[[["}'), 2)).not.toThrow();
    expect(() => assertJsonDepth(Buffer.from('[[[1]]]'), 2)).toThrow(/nested/);
  });

  it('answers bodies nested 20,000 and 100,000 levels with a 400 in the route validation family, and still serves', async () => {
    const app = await NestFactory.create(TestModule, { logger: false });
    useLegacyJsonBody(app, { limit: '1mb' });
    await app.init();
    try {
      for (const levels of [20_000, 100_000]) {
        const body = '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
        const res = await request(app.getHttpServer()).post('/api/v1/things').set('Content-Type', 'application/json').send(body);
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          success: false,
          error: {
            code: 'VALIDATION_ERROR',
            message: 'Invalid input data',
            details: [{ type: 'field', msg: 'JSON body must not be nested more than 64 levels', path: '', location: 'body' }],
          },
          timestamp: expect.any(String),
        });
      }
      await request(app.getHttpServer())
        .post('/api/v1/things')
        .send({ a: { b: [1, 2] } })
        .expect(201, { received: 'object' });
      const big = await request(app.getHttpServer())
        .post('/api/v1/things')
        .set('Content-Type', 'application/json')
        .send(`{"a":"${'x'.repeat(1_100_000)}"}`);
      expect(big.status).toBe(413);
    } finally {
      await app.close();
    }
  });
});
