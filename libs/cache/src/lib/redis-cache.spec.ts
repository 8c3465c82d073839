import Redis from 'ioredis';
import { testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { RedisCache } from './redis-cache';
import { redisOptionsFromEnv } from './redis-options';

describe('RedisCache (real Redis)', () => {
  let redis: Redis;
  let prefix: string;

  beforeAll(() => {
    redis = new Redis(testInfra().redisUrl);
    prefix = uniqueRedisPrefix('cache');
  });
  afterAll(() => redis.quit());

  it('stores JSON under <prefix><namespace>:<id> with the namespace TTL', async () => {
    const cache = new RedisCache<{ role: string }>(redis, { prefix, namespace: 'user', ttlSeconds: 300 });
    await cache.set('u1', { role: 'admin' });
    expect(await redis.get(`${prefix}user:u1`)).toBe('{"role":"admin"}');
    const ttl = await redis.ttl(`${prefix}user:u1`);
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
    expect(await cache.get('u1')).toEqual({ role: 'admin' });
    await cache.invalidate('u1');
    expect(await cache.get('u1')).toBeUndefined();
  });

  it('loads once for a burst of concurrent misses on one key', async () => {
    const cache = new RedisCache<number>(redis, { prefix, namespace: 'burst', ttlSeconds: 60 });
    let loads = 0;
    const load = async () => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 42;
    };
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.getOrLoad('k', load)));
    expect(results.every((value) => value === 42)).toBe(true);
    expect(loads).toBe(1);
    expect(await cache.getOrLoad('k', load)).toBe(42);
    expect(loads).toBe(1);
  });

  it('does not cache a failed load', async () => {
    const cache = new RedisCache<number>(redis, { prefix, namespace: 'fail', ttlSeconds: 60 });
    await expect(cache.getOrLoad('k', async () => { throw new Error('auth down'); })).rejects.toThrow('auth down');
    expect(await cache.getOrLoad('k', async () => 7)).toBe(7);
  });

  it('reads REDIS_URL before REDIS_HOST/REDIS_PORT', () => {
    expect(redisOptionsFromEnv({ REDIS_URL: 'redis://:s3cret@cache.internal:6380/2', REDIS_HOST: 'ignored' })).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      password: 's3cret',
      db: 2,
    });
    expect(redisOptionsFromEnv({ REDIS_HOST: 'redis', REDIS_PORT: '6390' })).toMatchObject({ host: 'redis', port: 6390 });
  });
});
