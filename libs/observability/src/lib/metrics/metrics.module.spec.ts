import { Controller, Get, Param } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';

import { MetricsModule } from './metrics.module';

@Controller('items')
class ItemsController {
  @Get(':id')
  get(@Param('id') id: string) {
    return { id };
  }
}

function sample(text: string, name: string, labels: string[]): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('MetricsModule', () => {
  it('serves /metrics with default metrics and per-route latency', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [MetricsModule.forRoot({ service: 'test-service' })],
      controllers: [ItemsController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      await request(app.getHttpServer()).get('/items/1').expect(200);
      await request(app.getHttpServer()).get('/items/2').expect(200);
      const res = await request(app.getHttpServer()).get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/text\/plain/);
      expect(res.text).toContain('process_cpu_user_seconds_total');
      expect(
        sample(res.text, 'http_request_duration_seconds_count', ['route="/items/:id"', 'status="200"', 'service="test-service"']),
      ).toBe(2);
    } finally {
      await app.close();
    }
  });

  it('gives each application its own registry', async () => {
    const build = async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [MetricsModule.forRoot({ service: 's', defaultMetrics: false })],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      return app;
    };
    const [a, b] = [await build(), await build()];
    try {
      await request(a.getHttpServer()).get('/metrics').expect(200);
      await request(b.getHttpServer()).get('/metrics').expect(200);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
