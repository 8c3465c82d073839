import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';

import type { IdentityKind, IdentityMetrics } from './identity-metrics';

/** A cached answer: the identity, or auth's definitive "no" (remembered for a shorter time). */
export type CacheEntry<T> = { ok: true; value: T } | { ok: false; code: 'NOT_FOUND' | 'INACTIVE'; message: string };

export interface TwoLevelCacheOptions {
  kind: IdentityKind;
  /** Full Redis key prefix of this kind, e.g. `nafs:identity:user:`. */
  redisPrefix: string;
  localTtlMs: number;
  localMaxEntries: number;
  ttlSeconds: number;
  negativeTtlSeconds: number;
}

interface Flight<T> {
  promise: Promise<CacheEntry<T>>;
  /** Set when the key is invalidated mid-load: the result then reaches its waiters but no cache. */
  stale: boolean;
}

/**
 * In-process LRU (short TTL, bounded) in front of Redis (long TTL), with single-flight loading:
 * concurrent misses of one key in this process share one Redis read and one load. Redis errors
 * count as misses and never fail a request; the loader's errors (auth unavailable) propagate and
 * are not cached.
 */
export class TwoLevelCache<T> {
  private readonly local?: LRUCache<string, CacheEntry<T>>;
  private readonly inFlight = new Map<string, Flight<T>>();

  constructor(
    private readonly redis: Redis,
    private readonly options: TwoLevelCacheOptions,
    private readonly metrics: IdentityMetrics,
  ) {
    if (options.localTtlMs > 0) {
      this.local = new LRUCache<string, CacheEntry<T>>({ max: options.localMaxEntries, ttl: options.localTtlMs });
    }
  }

  redisKey(id: string): string {
    return `${this.options.redisPrefix}${id}`;
  }

  /** The cached entry without loading (undefined when neither level has it). */
  peekLocal(id: string): CacheEntry<T> | undefined {
    return this.local?.get(id);
  }

  async getOrLoad(id: string, load: () => Promise<CacheEntry<T>>): Promise<CacheEntry<T>> {
    const kind = this.options.kind;
    const local = this.local?.get(id);
    if (local) {
      this.metrics.hit(kind, 'local');
      return local;
    }
    const pending = this.inFlight.get(id);
    if (pending) {
      // Shares the load already running: counted as a local hit (no extra Redis read or RPC).
      this.metrics.hit(kind, 'local');
      return pending.promise;
    }
    this.metrics.miss(kind, 'local');
    const flight: Flight<T> = { promise: undefined as unknown as Promise<CacheEntry<T>>, stale: false };
    flight.promise = (async () => {
      const fromRedis = await this.readRedis(id);
      if (fromRedis) {
        this.metrics.hit(kind, 'redis');
        if (!flight.stale) this.local?.set(id, fromRedis);
        return fromRedis;
      }
      this.metrics.miss(kind, 'redis');
      const loaded = await load();
      if (!flight.stale) this.store(id, loaded);
      return loaded;
    })().finally(() => {
      if (this.inFlight.get(id) === flight) this.inFlight.delete(id);
    });
    this.inFlight.set(id, flight);
    return flight.promise;
  }

  /** Puts an answer obtained elsewhere (e.g. the user inside an API-token answer) in both levels. */
  prime(id: string, entry: CacheEntry<T>): void {
    if (this.inFlight.has(id)) return;
    this.store(id, entry);
  }

  /** Drops the in-process entry only (what a pub/sub invalidation from another replica does). */
  dropLocal(id: string): void {
    this.local?.delete(id);
    const flight = this.inFlight.get(id);
    if (flight) {
      flight.stale = true;
      this.inFlight.delete(id);
    }
  }

  /** Drops both levels. */
  async invalidate(id: string): Promise<void> {
    this.dropLocal(id);
    try {
      await this.redis.del(this.redisKey(id));
    } catch {
      // Redis down: its entry expires by TTL; the local level is already clean.
    }
  }

  clearLocal(): void {
    this.local?.clear();
    for (const flight of this.inFlight.values()) flight.stale = true;
    this.inFlight.clear();
  }

  private store(id: string, entry: CacheEntry<T>): void {
    this.local?.set(id, entry);
    const ttl = entry.ok ? this.options.ttlSeconds : this.options.negativeTtlSeconds;
    if (ttl > 0) {
      // Not awaited: the caller has its answer; a failed write only costs a later miss.
      this.redis.set(this.redisKey(id), JSON.stringify(entry), 'EX', ttl).catch(() => undefined);
    }
  }

  private async readRedis(id: string): Promise<CacheEntry<T> | undefined> {
    if (this.options.ttlSeconds <= 0) return undefined;
    try {
      const raw = await this.redis.get(this.redisKey(id));
      return raw === null ? undefined : (JSON.parse(raw) as CacheEntry<T>);
    } catch {
      return undefined;
    }
  }
}
