import { createHash } from 'node:crypto';

import { REDIS_CLIENT } from '@nafs/cache';
import { API_TOKEN_SCOPES, type ApiTokenScope, isApiTokenFormat, type UserIdentity } from '@nafs/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { compare } from 'bcrypt';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';

import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { toUserIdentity, type UserIdentityRow } from '../users/user-identity';
import { ApiTokenUsageRecorder } from './api-token-usage.recorder';

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

interface TokenRow extends UserIdentityRow {
  token_id: string;
  scopes: string[];
  token_tenant_id: string | null;
  token_is_active: boolean | null;
  unexpired: boolean;
}

const LEGACY_MISS_TTL_SECONDS = 300;
const BCRYPT_PARALLELISM = 4;
/** Legacy scans running at once in this process; more wait, so bad tokens cannot starve the CPU. */
const MAX_CONCURRENT_SCANS = 2;

/**
 * Resolves a presented API token in constant time: sha256 of the plaintext, one indexed lookup.
 * Legacy rows (bcrypt only) are found by comparing against the rows whose sha256 is still unknown,
 * which then get it filled, so each legacy token pays the bcrypt cost once. Misses of that slow
 * path are remembered in Redis for a few minutes, so a stream of bad tokens cannot keep the bcrypt
 * pool busy.
 */
@Injectable()
export class ApiTokenVerifier {
  private readonly legacyLookups = new Map<string, Promise<boolean>>();
  private runningScans = 0;
  private readonly waitingScans: (() => void)[] = [];

  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly usage: ApiTokenUsageRecorder,
  ) {}

  async verify(token: unknown): Promise<VerifiedApiToken> {
    if (!isApiTokenFormat(token)) {
      throw new ApiTokenRejected('INVALID_ARGUMENT', 'token must be 64 lowercase hexadecimal characters');
    }
    const sha = sha256Hex(token);
    let row = await this.findBySha(sha);
    if (!row && (await this.claimLegacyRow(token, sha))) row = await this.findBySha(sha);
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

  /** Call after a legacy (sha256-less) token is re-activated, so remembered misses are dropped. */
  async forgetLegacyMisses(): Promise<void> {
    await this.redis.incr(this.generationKey()).catch(() => undefined);
  }

  private async findBySha(sha: string): Promise<TokenRow | undefined> {
    const rows: TokenRow[] = await this.dataSource.query(
      `SELECT k.id AS token_id, k.scopes, k.tenant_id AS token_tenant_id, k.is_active AS token_is_active,
              k.expires_at > now() AS unexpired,
              u.id, u.email, u.role, u.tenant_id, u.is_active, t.is_active AS tenant_is_active
         FROM api_tokens k
         JOIN users u ON u.id = k.user_id
         LEFT JOIN tenants t ON t.id = u.tenant_id
        WHERE k.token_sha256 = $1`,
      [sha],
    );
    return rows[0];
  }

  private claimLegacyRow(token: string, sha: string): Promise<boolean> {
    if (!this.config.API_TOKEN_LEGACY_FALLBACK) return Promise.resolve(false);
    const pending = this.legacyLookups.get(sha);
    if (pending) return pending;
    const lookup = this.limited(() => this.scanLegacyRows(token, sha)).finally(() => this.legacyLookups.delete(sha));
    this.legacyLookups.set(sha, lookup);
    return lookup;
  }

  private async scanLegacyRows(token: string, sha: string): Promise<boolean> {
    // The remembered misses are an optimisation: without Redis the scan simply runs.
    const generation = (await this.redis.get(this.generationKey()).catch(() => null)) ?? '0';
    const missKey = `${this.config.REDIS_KEY_PREFIX}api-token:legacy-miss:${generation}:${sha}`;
    if (await this.redis.exists(missKey).catch(() => 0)) return false;
    // Same candidate set as the legacy middleware: active and unexpired.
    const candidates: { id: string; token_hash: string }[] = await this.dataSource.query(
      `SELECT id, token_hash FROM api_tokens WHERE token_sha256 IS NULL AND is_active = true AND expires_at > now()`,
    );
    for (let i = 0; i < candidates.length; i += BCRYPT_PARALLELISM) {
      const batch = candidates.slice(i, i + BCRYPT_PARALLELISM);
      const matches = await Promise.all(batch.map((row) => compare(token, row.token_hash).catch(() => false)));
      const match = batch[matches.indexOf(true)];
      if (match) {
        await this.dataSource.query(`UPDATE api_tokens SET token_sha256 = $1 WHERE id = $2 AND token_sha256 IS NULL`, [sha, match.id]);
        return true;
      }
    }
    await this.redis.set(missKey, '1', 'EX', LEGACY_MISS_TTL_SECONDS).catch(() => undefined);
    return false;
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    // A finishing scan hands its slot straight to the next waiter.
    if (this.runningScans >= MAX_CONCURRENT_SCANS) await new Promise<void>((resolve) => this.waitingScans.push(resolve));
    else this.runningScans += 1;
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
