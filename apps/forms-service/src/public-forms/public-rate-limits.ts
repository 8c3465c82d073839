import { REDIS_CLIENT } from '@nafs/cache';
import { LegacyHttpException, TooManyRequestsError } from '@nafs/http';
import { type CanActivate, type ExecutionContext, Inject, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

import type { FormsConfig } from '../config/forms.config';
import { FORMS_CONFIG } from '../config/forms-config.module';
import { visitorOf } from './visitor';

/** The limits of forms' public and short-link routes (legacy-api.md 1.6; forms-extras.md 2.5). */
const LIMITS = {
  /** The global `/api/` limiter: 15 min, 100 per IP in production, 1000 otherwise. */
  api: { seconds: 15 * 60, points: (production: boolean) => (production ? 100 : 1000) },
  shortLinkCreate: { seconds: 15 * 60, points: () => 50 },
  shortLinkRead: { seconds: 60, points: () => 100 },
  shortLinkPreview: { seconds: 60, points: () => 20 },
} as const;

export type PublicLimit = keyof typeof LIMITS | 'submissions';

/**
 * Per-client-IP counters in Redis (rate-limiter-flexible), so they hold across replicas. The IP
 * is `req.ip` under `trust proxy = TRUST_PROXY_HOPS` (the gateway's X-Forwarded-For hop).
 * Keys live under REDIS_KEY_PREFIX (a test's own prefix); PUBLIC_RATE_LIMIT_FACTOR multiplies
 * every limit (benchmarks). Redis down: the limit is skipped with a warning, the route serves.
 */
@Injectable()
export class PublicRateLimits {
  private readonly logger = new Logger(PublicRateLimits.name);
  private readonly limiters = new Map<PublicLimit, RateLimiterRedis>();

  constructor(@Inject(REDIS_CLIENT) redis: Redis, @Inject(FORMS_CONFIG) config: FormsConfig) {
    const factor = config.PUBLIC_RATE_LIMIT_FACTOR;
    const production = config.NODE_ENV === 'production';
    for (const [name, limit] of Object.entries(LIMITS) as [PublicLimit, (typeof LIMITS)[keyof typeof LIMITS]][]) {
      this.limiters.set(
        name,
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${config.REDIS_KEY_PREFIX}rate:forms:${name}`,
          points: limit.points(production) * factor,
          duration: limit.seconds,
        }),
      );
    }
    this.limiters.set(
      'submissions',
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${config.REDIS_KEY_PREFIX}rate:forms:submissions`,
        points: config.PUBLIC_SUBMIT_LIMIT_PER_HOUR * factor,
        duration: 3600,
      }),
    );
  }

  /** The legacy global limiter: 429 `{ error, retryAfter: "15 minutes" }` with Retry-After. */
  async consumeApi(ip: string): Promise<void> {
    const retryAfter = await this.consume('api', ip);
    if (retryAfter !== null) {
      throw new LegacyHttpException(
        429,
        { error: 'Too many requests from this IP, please try again later.', retryAfter: '15 minutes' },
        { 'Retry-After': String(retryAfter) },
        { timestamp: false },
      );
    }
  }

  /** A route limiter answering in the route's family (E2 `RATE_LIMIT_EXCEEDED` for short links). */
  async consumeOrThrow(name: PublicLimit, ip: string, message = 'Too many requests, please try again later.'): Promise<void> {
    const retryAfter = await this.consume(name, ip);
    if (retryAfter !== null)
      throw new TooManyRequestsError('RATE_LIMIT_EXCEEDED', message).withHeaders({ 'Retry-After': String(retryAfter) });
  }

  /** Gives a point back (a submission that was refused after its point was taken). */
  async refund(name: PublicLimit, ip: string): Promise<void> {
    await this.limiters
      .get(name)
      ?.reward(ip, 1)
      .catch(() => undefined);
  }

  /** null when allowed, otherwise the seconds until the window resets. */
  private async consume(name: PublicLimit, ip: string): Promise<number | null> {
    const limiter = this.limiters.get(name);
    if (!limiter) return null;
    try {
      await limiter.consume(ip);
      return null;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      this.logger.warn(`rate limit ${name} skipped: ${(rejection as Error)?.message ?? rejection}`);
      return null;
    }
  }
}

export const RATE_LIMIT = Symbol('FORMS_RATE_LIMIT');
/** `@RateLimit('shortLinkCreate')` with `@UseGuards(RateLimitGuard, ...)`: limited before authentication. */
export const RateLimit = (name: PublicLimit) => SetMetadata(RATE_LIMIT, name);

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limits: PublicRateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const name = this.reflector.getAllAndOverride<PublicLimit | undefined>(RATE_LIMIT, [context.getHandler(), context.getClass()]);
    if (name) await this.limits.consumeOrThrow(name, visitorOf(context.switchToHttp().getRequest<Request>()).ip);
    return true;
  }
}
