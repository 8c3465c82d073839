import type Redis from 'ioredis';

export interface RedisCacheOptions {
  /** Global key prefix of the deployment (`REDIS_KEY_PREFIX`), e.g. `nafs:`. */
  prefix: string;
  /** What is cached, e.g. `user`; keys become `<prefix><namespace>:<key>`. */
  namespace: string;
  ttlSeconds: number;
}

/**
 * A JSON cache over Redis, one namespace per kind of value. `getOrLoad` shares one load among the
 * concurrent callers of the same key in this process (single flight), so a burst of requests for
 * one user costs one load.
 */
export class RedisCache<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisCacheOptions,
  ) {}

  key(id: string): string {
    return `${this.options.prefix}${this.options.namespace}:${id}`;
  }

  async get(id: string): Promise<T | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set(id: string, value: T, ttlSeconds = this.options.ttlSeconds): Promise<void> {
    await this.redis.set(this.key(id), JSON.stringify(value), 'EX', ttlSeconds);
  }

  async invalidate(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  async getOrLoad(id: string, load: () => Promise<T>, ttlSeconds = this.options.ttlSeconds): Promise<T> {
    const pending = this.inFlight.get(id);
    if (pending) return pending;
    const loading = (async () => {
      const cached = await this.get(id);
      if (cached !== undefined) return cached;
      const value = await load();
      await this.set(id, value, ttlSeconds);
      return value;
    })().finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, loading);
    return loading;
  }
}
