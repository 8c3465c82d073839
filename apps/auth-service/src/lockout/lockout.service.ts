import { createHmac } from 'node:crypto';

import { REDIS_CLIENT } from '@nafs/cache';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';

import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { failFastRedis } from '../rate-limit/fail-fast-redis';

export interface LockState {
  locked: boolean;
  lockedUntil: Date | null;
}

/*
 * One failed attempt, atomically: count it (sliding window), and on the threshold lock the account
 * for base * 2^(level-1) minutes (capped), raise the remembered level and reset the counter.
 * KEYS: failures, lock, level. ARGV: windowMs, maxAttempts, baseMs, maxMultiplier, levelMemoryMs, now.
 * Returns [failures, lockedUntilMs or 0].
 */
const RECORD_FAILURE = `
local failures = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
if failures < tonumber(ARGV[2]) then return {failures, 0} end
local level = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
local multiplier = math.min(2 ^ (level - 1), tonumber(ARGV[4]))
local duration = tonumber(ARGV[3]) * multiplier
local untilMs = tonumber(ARGV[6]) + duration
redis.call('SET', KEYS[2], tostring(untilMs), 'PX', math.floor(duration))
redis.call('DEL', KEYS[1])
return {failures, untilMs}
`;

/**
 * Login lockout (legacy-api.md 2.8) in Redis, so every replica sees it and restarts keep it. Fixes:
 * it escalates (15 min, 30, 60, ... up to the cap) because the level outlives the lock, and an
 * identical failed attempt repeated within a few seconds (the web app resends each failed request
 * three times) counts once. Identity of an attempt is an HMAC of email and password, never the
 * password itself.
 */
@Injectable()
export class LockoutService implements OnApplicationShutdown {
  private readonly logger = new Logger(LockoutService.name);
  private readonly redis: Redis;

  constructor(
    @Inject(REDIS_CLIENT) shared: Redis,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {
    this.redis = failFastRedis(shared, 'auth-service:lockout');
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }

  static keyOf(email: string): string {
    return email.trim().toLowerCase();
  }

  /** With Redis unreachable, logins keep working (unlocked, fail-open) within GUARD_COMMAND_TIMEOUT_MS rather than failing with a 500. */
  async state(email: string): Promise<LockState> {
    const until = await this.redis.get(this.key('lock', email)).catch((error) => this.skip(error, null));
    const lockedUntil = until ? new Date(Number(until)) : null;
    return { locked: Boolean(lockedUntil && lockedUntil.getTime() > Date.now()), lockedUntil };
  }

  /** Counts a failed attempt; returns the lock it caused, if any. */
  async recordFailure(email: string, password: string): Promise<LockState> {
    return this.count(email, password).catch((error) => this.skip(error, { locked: false, lockedUntil: null }));
  }

  private async count(email: string, password: string): Promise<LockState> {
    const fingerprint = createHmac('sha256', this.config.JWT_SECRET)
      .update(`${LockoutService.keyOf(email)}\u0000${password}`)
      .digest('hex');
    const first = await this.redis.set(this.key('seen', fingerprint), '1', 'EX', this.config.LOCKOUT_DUPLICATE_SECONDS, 'NX');
    if (first === null) return this.state(email);
    const [, untilMs] = (await this.redis.eval(
      RECORD_FAILURE,
      3,
      this.key('failures', email),
      this.key('lock', email),
      this.key('level', email),
      this.config.LOCKOUT_ATTEMPT_WINDOW_MINUTES * 60_000,
      this.config.LOCKOUT_MAX_ATTEMPTS,
      this.config.LOCKOUT_BASE_MINUTES * 60_000,
      this.config.LOCKOUT_MAX_MULTIPLIER,
      this.config.LOCKOUT_ESCALATION_MEMORY_HOURS * 3_600_000,
      Date.now(),
    )) as [number, number];
    return untilMs ? { locked: true, lockedUntil: new Date(Number(untilMs)) } : { locked: false, lockedUntil: null };
  }

  /** A successful login clears the counter and the escalation level. */
  async clear(email: string): Promise<void> {
    await this.redis
      .del(this.key('failures', email), this.key('lock', email), this.key('level', email))
      .catch((error) => this.skip(error, 0));
  }

  /** Development-only unlock (legacy A12): what was there before it was cleared. */
  async unlock(email: string): Promise<{ wasLocked: boolean; previousAttempts: number; lockedUntil: string | null }> {
    const [state, attempts] = await Promise.all([this.state(email), this.redis.get(this.key('failures', email))]);
    await this.clear(email);
    return {
      wasLocked: state.locked,
      previousAttempts: Number(attempts ?? 0),
      lockedUntil: state.locked && state.lockedUntil ? state.lockedUntil.toISOString() : null,
    };
  }

  private skip<T>(error: unknown, fallback: T): T {
    this.logger.warn(`lockout skipped, Redis unavailable: ${(error as Error)?.message ?? error}`);
    return fallback;
  }

  private key(kind: string, id: string): string {
    const subject = kind === 'seen' ? id : LockoutService.keyOf(id);
    return `${this.config.REDIS_KEY_PREFIX}lockout:${kind}:${subject}`;
  }
}
