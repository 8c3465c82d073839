import { testInfra } from '@nafs/database/testing';
import { HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';

import { RedisHealthIndicator } from './redis.health';

describe('RedisHealthIndicator (real Redis)', () => {
  it('is up when Redis answers PONG', async () => {
    const redis = new Redis(testInfra().redisUrl);
    try {
      expect(await new RedisHealthIndicator(new HealthIndicatorService(), redis).ping()).toEqual({ redis: { status: 'up' } });
    } finally {
      await redis.quit();
    }
  });

  it('is down, within its timeout, when nothing answers', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: 1, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    redis.on('error', () => undefined);
    const started = Date.now();
    const result = await new RedisHealthIndicator(new HealthIndicatorService(), redis).ping('redis', 500);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(result.redis.status).toBe('down');
    redis.disconnect();
  });
});
