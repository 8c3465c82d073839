import { testInfra } from '@nafs/database/testing';

import { createRedisClient, redisOptionsFromEnv } from './redis-options';

describe('Redis connection settings', () => {
  it('reads REDIS_URL (credentials, db, TLS) and falls back to REDIS_HOST/REDIS_PORT', () => {
    expect(redisOptionsFromEnv({ REDIS_URL: 'rediss://u%40x:p%3Aw@cache.example:6380/3' })).toMatchObject({
      host: 'cache.example',
      port: 6380,
      username: 'u@x',
      password: 'p:w',
      db: 3,
      tls: {},
    });
    expect(redisOptionsFromEnv({ REDIS_HOST: 'r', REDIS_PORT: '7000' })).toEqual({ host: 'r', port: 7000 });
    expect(redisOptionsFromEnv({})).toEqual({ host: '127.0.0.1', port: 6379 });
    // A validated config, REDIS_PORT already a number and REDIS_URL unset.
    expect(redisOptionsFromEnv({ REDIS_URL: undefined, REDIS_HOST: 'r', REDIS_PORT: 7000 })).toEqual({ host: 'r', port: 7000 });
  });

  it('connects to the real Redis and fails fast when it is unreachable', async () => {
    const client = createRedisClient({ REDIS_URL: testInfra().redisUrl }, 'cache-spec');
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
    const down = createRedisClient({ REDIS_HOST: '127.0.0.1', REDIS_PORT: '1' }, 'cache-spec-down');
    down.on('error', () => undefined);
    try {
      const started = Date.now();
      await expect(down.ping()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      down.disconnect();
    }
  });
});
