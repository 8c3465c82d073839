import { createHash } from 'node:crypto';

import { REDIS_CLIENT } from '@nafs/cache';
import { API_TOKEN_SCOPES, type ApiTokenScope, isApiTokenFormat, type UserIdentity } from '@nafs/contracts';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { compare } from 'bcrypt';
import type Redis from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';

import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { failFastRedis } from '../rate-limit/fail-fast-redis';
import { toUserIdentity } from '../users/user-identity';
import { ApiTokenUsageRecorder } from './api-token-usage.recorder';
import { type ApiTokenLookupRow, ApiTokensRepository } from './api-tokens.repository';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export type ApiTokenRejection = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'INACTIVE';

export class ApiTokenRejected extends Error {
  constructor(
    readonly reason: ApiTokenRejection,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifiedApiToken {
  tokenId: string;
  scopes: ApiTokenScope[];
  tenantId: string | null;
  tokenSha256: string;
  user: UserIdentity;
}

/** Why a sha256 miss was answered 401 without a legacy scan (logged, and counted in tests). */
export type LegacyScanSkip = 'window-closed' | 'remembered-miss' | 'ip-limit' | 'queue-full' | 'queue-timeout' | 'answer-budget';

export interface VerifyOptions {
  /** The client that presented the token (the HTTP request's, or web/forms' as relayed over RPC). */
  clientIp?: string;
  /**
   * Answer NOT_FOUND after this long if the legacy scan has not finished; the scan goes on and
   * fills the row's sha256 when it matches, so the holder's next attempt succeeds. The identity
   * RPC sets it below web's and forms' per-attempt timeout, so a scan never times their calls out
   * (which would open their circuit breaker for every user).
   */
  answerWithinMs?: number;
}

/**
 * Resolves a presented API token in constant time: sha256 of the plaintext, one indexed lookup.
 * Legacy rows (bcrypt only) are found by comparing against the rows whose sha256 is still unknown,
 * which then get it filled, so each legacy token pays the bcrypt cost once. That scan is bounded
 * (issue 17.1): it runs only within the migration window (LEGACY_API_TOKEN_SCAN_UNTIL), a few at
 * once with a short queue and wait, not for a token remembered as unknown (sha256 in Redis) nor
 * for a client IP past its failed-scan limit, and over RPC its answer is not awaited past a
 * budget. Every refusal is NOT_FOUND (401); a token refused without a complete scan is not
 * remembered, so a legacy holder's later retry finds it.
 */
@Injectable()
export class ApiTokenVerifier implements OnApplicationShutdown {
  private readonly logger = new Logger(ApiTokenVerifier.name);
  private readonly legacyLookups = new Map<string, Promise<boolean>>();
  private runningScans = 0;
  private readonly waitingScans: (() => void)[] = [];
  /** Fail-fast connection: a Redis outage skips the miss cache and IP limit instead of stalling. */
  private readonly guardRedis: Redis;
  private readonly failedScans: RateLimiterRedis;
  readonly skipped: Record<LegacyScanSkip, number> = {
    'window-closed': 0,
    'remembered-miss': 0,
    'ip-limit': 0,
    'queue-full': 0,
    'queue-timeout': 0,
    'answer-budget': 0,
  };

  constructor(
    private readonly repository: ApiTokensRepository,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly usage: ApiTokenUsageRecorder,
  ) {
    this.guardRedis = failFastRedis(redis, 'auth-service:api-token-guard');
    this.failedScans = new RateLimiterRedis({
      storeClient: this.guardRedis,
      keyPrefix: `${config.REDIS_KEY_PREFIX}rate:api-token-failed-scan`,
      points: config.LEGACY_API_TOKEN_FAILED_SCANS_PER_IP,
      duration: config.LEGACY_API_TOKEN_FAILED_SCANS_WINDOW_SECONDS,
    });
  }

  onApplicationShutdown(): void {
    this.guardRedis.disconnect();
  }

  async verify(token: unknown, options: VerifyOptions = {}): Promise<VerifiedApiToken> {
    if (!isApiTokenFormat(token)) {
      throw new ApiTokenRejected('INVALID_ARGUMENT', 'token must be 64 lowercase hexadecimal characters');
    }
    const sha = sha256Hex(token);
    let row = await this.findBySha(sha);
    if (!row && (await this.claimLegacyRow(token, sha, options))) row = await this.findBySha(sha);
    if (!row) throw new ApiTokenRejected('NOT_FOUND', 'API token not found');
    if (row.token_is_active !== true) throw new ApiTokenRejected('NOT_FOUND', 'API token has been revoked');
    if (!row.unexpired) throw new ApiTokenRejected('NOT_FOUND', 'API token has expired');
    const user = toUserIdentity(row);
    if (!user.isActive) throw new ApiTokenRejected('INACTIVE', 'The owner of this API token is inactive');
    this.usage.touch(row.token_id);
    const scopes = [...new Set(row.scopes)].filter((scope): scope is ApiTokenScope =>
      (API_TOKEN_SCOPES as readonly string[]).includes(scope),
    );
    return { tokenId: row.token_id, scopes, tenantId: row.token_tenant_id, tokenSha256: sha, user };
  }

  /** Whether the legacy scan still runs (switch on, migration window not over). */
  legacyScanOpen(now = new Date()): boolean {
    const until = this.config.LEGACY_API_TOKEN_SCAN_UNTIL;
    return this.config.API_TOKEN_LEGACY_FALLBACK && (!until || now.getTime() < Date.parse(until));
  }

  /** Call after a legacy (sha256-less) token is re-activated, so remembered misses are dropped. */
  async forgetLegacyMisses(): Promise<void> {
    await this.redis.incr(this.generationKey()).catch(() => undefined);
  }

  private findBySha(sha: string): Promise<ApiTokenLookupRow | undefined> {
    return this.repository.findBySha(sha);
  }

  private claimLegacyRow(token: string, sha: string, { clientIp, answerWithinMs }: VerifyOptions): Promise<boolean> {
    if (!this.legacyScanOpen()) return Promise.resolve(this.skip('window-closed'));
    let lookup = this.legacyLookups.get(sha);
    if (!lookup) {
      const started = this.guardedScan(token, sha, clientIp).finally(() => this.legacyLookups.delete(sha));
      this.legacyLookups.set(sha, started);
      lookup = started;
    }
    if (answerWithinMs === undefined) return lookup;
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(this.skip('answer-budget')), answerWithinMs);
    });
    return Promise.race([lookup, budget]).finally(() => clearTimeout(timer));
  }

  private async guardedScan(token: string, sha: string, clientIp: string | undefined): Promise<boolean> {
    // Cheapest first: a full queue costs no Redis round trip. The miss cache and the IP limit are
    // protections: without Redis the (bounded) scan runs.
    if (this.queueFull()) return this.skip('queue-full');
    const [missKey, used] = await Promise.all([this.missKey(sha), clientIp ? this.failedScans.get(clientIp).catch(() => null) : null]);
    if (used && used.consumedPoints >= this.config.LEGACY_API_TOKEN_FAILED_SCANS_PER_IP) return this.skip('ip-limit');
    if (await this.guardRedis.exists(missKey).catch(() => 0)) return this.skip('remembered-miss');
    if (this.queueFull()) return this.skip('queue-full');
    const found = await this.limited(() => this.scanLegacyRows(token, sha));
    if (found === undefined) return this.skip('queue-timeout');
    if (!found) {
      await this.guardRedis.set(missKey, '1', 'EX', this.config.LEGACY_API_TOKEN_MISS_TTL_SECONDS).catch(() => undefined);
      if (clientIp) await this.failedScans.penalty(clientIp).catch(() => undefined);
    }
    return found;
  }

  private queueFull(): boolean {
    return (
      this.runningScans >= this.config.LEGACY_API_TOKEN_SCAN_CONCURRENCY &&
      this.waitingScans.length >= this.config.LEGACY_API_TOKEN_SCAN_QUEUE
    );
  }

  private skip(reason: LegacyScanSkip): false {
    this.skipped[reason] += 1;
    if (reason === 'queue-full' || reason === 'queue-timeout' || reason === 'ip-limit')
      this.logger.warn(`legacy API-token scan skipped (${reason}): answered 401`);
    return false;
  }

  private async missKey(sha: string): Promise<string> {
    const generation = (await this.guardRedis.get(this.generationKey()).catch(() => null)) ?? '0';
    return `${this.config.REDIS_KEY_PREFIX}api-token:legacy-miss:${generation}:${sha}`;
  }

  /** One bcrypt compare at a time per scan: the concurrency limit is then the number of compares. */
  private async scanLegacyRows(token: string, sha: string): Promise<boolean> {
    // Same candidate set as the legacy middleware: active and unexpired.
    const candidates = await this.repository.legacyCandidates();
    for (const row of candidates) {
      if (await compare(token, row.token_hash).catch(() => false)) {
        await this.repository.fillSha256(row.id, sha);
        return true;
      }
    }
    return false;
  }

  /**
   * Runs `work` in one of the LEGACY_API_TOKEN_SCAN_CONCURRENCY slots; `undefined` when no slot
   * freed within LEGACY_API_TOKEN_SCAN_MAX_WAIT_MS (the caller answers 401 without remembering a
   * miss), so a waiting request stays well within web's and forms' RPC deadline.
   */
  private async limited<T>(work: () => Promise<T>): Promise<T | undefined> {
    if (this.runningScans >= this.config.LEGACY_API_TOKEN_SCAN_CONCURRENCY) {
      const granted = await new Promise<boolean>((resolve) => {
        const waiter = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          this.waitingScans.splice(this.waitingScans.indexOf(waiter), 1);
          resolve(false);
        }, this.config.LEGACY_API_TOKEN_SCAN_MAX_WAIT_MS);
        this.waitingScans.push(waiter);
      });
      if (!granted) return undefined;
    } else this.runningScans += 1;
    // A finishing scan hands its slot straight to the next waiter.
    try {
      return await work();
    } finally {
      const next = this.waitingScans.shift();
      if (next) next();
      else this.runningScans -= 1;
    }
  }

  private generationKey(): string {
    return `${this.config.REDIS_KEY_PREFIX}api-token:legacy-generation`;
  }
}
