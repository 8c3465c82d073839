import { createHash } from 'node:crypto';

import { REDIS_CLIENT } from '@nafs/cache';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';

export const TOOLS_CACHE_OPTIONS = Symbol('TOOLS_CACHE_OPTIONS');

export interface ToolsCacheOptions {
  /** REDIS_KEY_PREFIX of the service. */
  keyPrefix: string;
  /** How long an entry lives without a write (bounds staleness if an invalidation is ever lost). */
  ttlSeconds?: number;
}

/** One cached rendition of a tools list: its JSON body and its ETag. */
export interface CachedList {
  etag: string;
  body: string;
}

export type ListView = 'admin' | 'public';

// Stores a rendition only if no tool write happened since the caller read `gen` (ARGV[1]); when
// another replica already stored one for that generation, returns it instead, so all replicas
// answer the same ETag. Returns { etag, body }.
const STORE_SCRIPT = `
local gen = redis.call('HGET', KEYS[1], 'gen') or '0'
if gen ~= ARGV[1] then return {ARGV[3], ARGV[4]} end
local stored = redis.call('HMGET', KEYS[1], ARGV[2] .. ':gen', ARGV[2] .. ':etag', ARGV[2] .. ':body')
if stored[1] == gen and stored[2] then return {stored[2], stored[3]} end
redis.call('HSET', KEYS[1], ARGV[2] .. ':gen', gen, ARGV[2] .. ':etag', ARGV[3], ARGV[2] .. ':body', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {ARGV[3], ARGV[4]}
`;

/**
 * The tools lists (admin W1, public W16) and their ETags, shared by every replica through one
 * Redis hash `<prefix>web:tools:lists`. A `gen` counter is incremented after every committed tool
 * write; a rendition is valid only for the generation it was built in. A conditional request
 * therefore costs one HMGET and no database query, and an ETag changes on every replica as soon
 * as any replica writes a tool. Redis failures fall back to the database (no 304).
 */
@Injectable()
export class ToolsListCache {
  private readonly logger = new Logger(ToolsListCache.name);
  private readonly key: string;
  private readonly ttlSeconds: number;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(TOOLS_CACHE_OPTIONS) options: ToolsCacheOptions,
  ) {
    this.key = `${options.keyPrefix}web:tools:lists`;
    this.ttlSeconds = options.ttlSeconds ?? 300;
  }

  /** The current rendition of `view`, or null (not built for this generation, or Redis down). */
  async current(view: ListView): Promise<{ gen: string; cached: CachedList | null }> {
    try {
      const [gen, viewGen, etag, body] = await this.redis.hmget(this.key, 'gen', `${view}:gen`, `${view}:etag`, `${view}:body`);
      const current = gen ?? '0';
      return { gen: current, cached: viewGen === current && etag && body !== null ? { etag, body } : null };
    } catch (error) {
      this.logger.warn(`tools cache unavailable: ${(error as Error).message}`);
      return { gen: '', cached: null };
    }
  }

  /**
   * Builds the rendition from `load()` (called only when needed) and stores it for `gen`, the
   * generation read before loading.
   */
  async getOrLoad(view: ListView, load: () => Promise<unknown>, makeEtag: (hash: string, epochMs: number) => string): Promise<CachedList> {
    const { gen, cached } = await this.current(view);
    if (cached) return cached;
    const body = JSON.stringify(await load());
    const etag = makeEtag(createHash('md5').update(body).digest('hex'), Date.now());
    if (gen === '') return { etag, body };
    try {
      const [storedEtag, storedBody] = (await this.redis.eval(
        STORE_SCRIPT,
        1,
        this.key,
        gen,
        view,
        etag,
        body,
        String(this.ttlSeconds),
      )) as [string, string];
      return { etag: storedEtag, body: storedBody };
    } catch (error) {
      this.logger.warn(`tools cache not stored: ${(error as Error).message}`);
      return { etag, body };
    }
  }

  /** After a committed tool write: every rendition of every replica is stale. */
  async invalidate(): Promise<void> {
    try {
      await this.redis.multi().hincrby(this.key, 'gen', 1).expire(this.key, this.ttlSeconds).exec();
    } catch (error) {
      // Bounded by the TTL: the hash expires and the lists are rebuilt from the database.
      this.logger.error(`tools cache invalidation failed: ${(error as Error).message}`);
    }
  }
}
