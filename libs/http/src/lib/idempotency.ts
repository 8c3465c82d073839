import { createHash } from 'node:crypto';

import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type NestInterceptor,
  Optional,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import { from, lastValueFrom, type Observable } from 'rxjs';

import { BadRequestError, ConflictError, UnprocessableError } from './errors';
import { clientIp } from './request-info';

export const IDEMPOTENT = 'nafs:http:idempotent';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** How long a key and its first answer are kept (per user). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/**
 * How long a key stays "in flight": a request that never finished (its process died) frees its
 * key after this, so the client is not refused with 409 for a day.
 */
export const IDEMPOTENCY_LEASE_SECONDS = 60;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Injection token of the ioredis client the interceptor uses; LegacyHttpModule binds it. */
export const IDEMPOTENCY_REDIS = Symbol('IDEMPOTENCY_REDIS');
export const IDEMPOTENCY_KEY_PREFIX = Symbol('IDEMPOTENCY_KEY_PREFIX');

/**
 * Opts a POST route that creates a resource into `Idempotency-Key` handling (issue 17.10): a retry
 * with the same key and body gets the first answer replayed (status and body) and creates nothing;
 * the same key with another body is 422; a duplicate while the first is in flight is 409.
 */
export const Idempotent = (options: IdempotentOptions = {}) => SetMetadata(IDEMPOTENT, options);

export interface IdempotentOptions {
  /** How long the first answer is kept, default 24 h; shorter when the answer holds a secret. */
  ttlSeconds?: number;
}

interface Stored {
  state: 'pending' | 'done';
  fingerprint: string;
  status?: number;
  body?: unknown;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * The global interceptor behind `@Idempotent()`. Keys live in Redis per caller
 * (`<prefix>idempotency:<user id | ip:address>:<sha256 of the key>`) for 24 h. Only successful
 * answers are stored: a request that failed (4xx/5xx thrown) frees its key, so the client may
 * retry it. Without Redis configured the header is ignored.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly reflector: Reflector,
    @Optional() @Inject(IDEMPOTENCY_REDIS) private readonly redis?: Redis,
    @Optional() @Inject(IDEMPOTENCY_KEY_PREFIX) private readonly keyPrefix = '',
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !this.redis) return next.handle();
    const options = this.reflector.getAllAndOverride<IdempotentOptions | undefined>(IDEMPOTENT, [context.getHandler(), context.getClass()]);
    if (!options) return next.handle();
    const request = context.switchToHttp().getRequest<Request & { user?: { id?: string }; identity?: { id?: string } }>();
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (request.method !== 'POST' || header === undefined) return next.handle();
    const ttlSeconds = options.ttlSeconds ?? IDEMPOTENCY_TTL_SECONDS;
    return from(this.handle(request, context.switchToHttp().getResponse<Response>(), header, next, ttlSeconds));
  }

  private async handle(
    request: Request & { user?: { id?: string }; identity?: { id?: string } },
    response: Response,
    header: string | string[],
    next: CallHandler,
    ttlSeconds: number,
  ): Promise<unknown> {
    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY_PATTERN.test(key)) {
      throw new BadRequestError('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 255 printable ASCII characters');
    }
    const caller = request.user?.id ?? request.identity?.id ?? `ip:${clientIp(request) ?? 'unknown'}`;
    const redisKey = `${this.keyPrefix}idempotency:${caller}:${sha256(key)}`;
    const fingerprint = sha256(`${request.method} ${request.originalUrl.split('?')[0]} ${JSON.stringify(request.body ?? null)}`);
    const redis = this.redis as Redis;

    const pending: Stored = { state: 'pending', fingerprint };
    let claimed: string | null;
    try {
      claimed = await redis.set(redisKey, JSON.stringify(pending), 'EX', IDEMPOTENCY_LEASE_SECONDS, 'NX');
    } catch (error) {
      // Fail open: without Redis the request runs as if it carried no key.
      this.logger.warn(`Idempotency-Key ignored, Redis unavailable: ${(error as Error).message}`);
      return lastValueFrom(next.handle(), { defaultValue: undefined });
    }
    if (!claimed) {
      const raw = await redis.get(redisKey);
      const stored = raw ? (JSON.parse(raw) as Stored) : undefined;
      if (!stored) return this.handle(request, response, header, next, ttlSeconds); // expired meanwhile: claim again
      if (stored.fingerprint !== fingerprint) {
        throw new UnprocessableError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request body');
      }
      if (stored.state === 'pending') {
        throw new ConflictError('IDEMPOTENCY_KEY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed; retry later');
      }
      response.status(stored.status ?? 200);
      response.setHeader('Idempotent-Replayed', 'true');
      return stored.body;
    }

    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      await redis.del(redisKey).catch(() => undefined);
      throw error;
    }
    const done: Stored = { state: 'done', fingerprint, status: response.statusCode, body };
    await redis.set(redisKey, JSON.stringify(done), 'EX', ttlSeconds).catch((error: Error) => {
      // The resource exists; only the replay is lost. Answer normally.
      this.logger.warn(`could not store the answer of an idempotent request: ${error.message}`);
    });
    return body;
  }
}
