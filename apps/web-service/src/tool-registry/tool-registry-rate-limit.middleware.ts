import { REDIS_CLIENT } from '@nafs/cache';
import { clientIp } from '@nafs/http';
import { Inject, Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export const TOOL_REGISTRY_OPTIONS = Symbol('TOOL_REGISTRY_OPTIONS');

export interface ToolRegistryOptions {
  keyPrefix: string;
  /** Requests per client IP and minute. */
  rateLimitMax: number;
}

/**
 * The registry router's own limit (legacy-api.md 1.6): per client IP and minute, OPTIONS not
 * counted, `RateLimit-*` headers, 429 `{ error }`. Kept in Redis, so it holds across replicas
 * (legacy: in memory per process). Redis being down skips the limit.
 */
@Injectable()
export class ToolRegistryRateLimitMiddleware implements NestMiddleware {
  private readonly logger = new Logger(ToolRegistryRateLimitMiddleware.name);
  private readonly limiter: RateLimiterRedis;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(TOOL_REGISTRY_OPTIONS) private readonly options: ToolRegistryOptions,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${options.keyPrefix}rate:tool-registry`,
      points: options.rateLimitMax,
      duration: 60,
    });
  }

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    if (request.method === 'OPTIONS') return next();
    let state: RateLimiterRes;
    try {
      state = await this.limiter.consume(clientIp(request) ?? 'unknown');
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        this.logger.warn(`tool registry rate limit skipped: ${(rejection as Error)?.message ?? rejection}`);
        return next();
      }
      this.headers(response, rejection);
      response.setHeader('Retry-After', String(Math.ceil(rejection.msBeforeNext / 1000)));
      response.status(429).json({ error: 'Too many requests to tool registry. Please try again later.' });
      return;
    }
    this.headers(response, state);
    next();
  }

  private headers(response: Response, state: RateLimiterRes): void {
    response.setHeader('RateLimit-Limit', String(this.options.rateLimitMax));
    response.setHeader('RateLimit-Remaining', String(Math.max(0, state.remainingPoints)));
    response.setHeader('RateLimit-Reset', String(Math.ceil(state.msBeforeNext / 1000)));
  }
}
