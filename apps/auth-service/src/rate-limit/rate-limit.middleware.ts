import { REDIS_CLIENT } from '@nafs/cache';
import { clientIp } from '@nafs/http';
import { Inject, Injectable, Logger, type NestMiddleware, type OnApplicationShutdown } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { failFastRedis } from './fail-fast-redis';

/** Unauthenticated endpoints that guess or spend credentials get a second, stricter limit. */
const SENSITIVE =
  /^\/api\/v1\/auth\/(login|register|refresh|password-reset(\/confirm)?|password-reset-request|password-reset-validate|password-reset-confirm)\/?$/;

/**
 * Per-client-IP rate limits in Redis, shared by every replica (legacy kept them in memory per
 * process, ignored RATE_LIMIT_* and had the auth limits switched off; legacy-api.md 1.6, 6.18).
 * The IP is `req.ip`, i.e. the client as the trusted gateway reports it in X-Forwarded-For.
 * Redis being down does not take the API down: the limit is skipped (fail-open) within
 * GUARD_COMMAND_TIMEOUT_MS and a warning logged.
 */
@Injectable()
export class RateLimitMiddleware implements NestMiddleware, OnApplicationShutdown {
  private readonly logger = new Logger(RateLimitMiddleware.name);
  private readonly general: RateLimiterRedis;
  private readonly sensitive: RateLimiterRedis;
  private readonly redis: Redis;

  constructor(
    @Inject(REDIS_CLIENT) shared: Redis,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {
    const redis = (this.redis = failFastRedis(shared, 'auth-service:rate-limit'));
    this.general = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.REDIS_KEY_PREFIX}rate:api`,
      points: config.RATE_LIMIT_MAX,
      duration: Math.ceil(config.RATE_LIMIT_WINDOW_MS / 1000),
    });
    this.sensitive = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.REDIS_KEY_PREFIX}rate:auth`,
      points: config.AUTH_RATE_LIMIT_MAX,
      duration: Math.ceil(config.AUTH_RATE_LIMIT_WINDOW_MS / 1000),
    });
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    const path = request.originalUrl.split('?')[0];
    if (!path.startsWith('/api/')) return next();
    const ip = clientIp(request) ?? 'unknown';
    try {
      const used = await this.general.consume(ip);
      this.setHeaders(response, this.config.RATE_LIMIT_MAX, used);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) return this.failOpen(rejection, next);
      this.setHeaders(response, this.config.RATE_LIMIT_MAX, rejection);
      response.setHeader('Retry-After', String(Math.ceil(rejection.msBeforeNext / 1000)));
      response.status(429).json({
        error: 'Too many requests from this IP, please try again later.',
        retryAfter: `${Math.round(this.config.RATE_LIMIT_WINDOW_MS / 60000)} minutes`,
      });
      return;
    }
    if (request.method === 'POST' && SENSITIVE.test(path)) {
      try {
        await this.sensitive.consume(ip);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) return this.failOpen(rejection, next);
        response.setHeader('Retry-After', String(Math.ceil(rejection.msBeforeNext / 1000)));
        response.status(429).json({
          error: 'Too Many Requests',
          message: 'Too many authentication requests from this IP, please try again later.',
          timestamp: new Date().toISOString(),
        });
        return;
      }
    }
    next();
  }

  /** The IETF draft headers express-rate-limit sent (`standardHeaders: true`). */
  private setHeaders(response: Response, limit: number, state: RateLimiterRes): void {
    response.setHeader('RateLimit-Limit', String(limit));
    response.setHeader('RateLimit-Remaining', String(Math.max(0, state.remainingPoints)));
    response.setHeader('RateLimit-Reset', String(Math.ceil(state.msBeforeNext / 1000)));
  }

  private failOpen(error: unknown, next: NextFunction): void {
    this.logger.warn(`rate limit skipped: ${(error as Error)?.message ?? error}`);
    next();
  }
}
