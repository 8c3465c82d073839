import { createHash, randomUUID } from 'node:crypto';

import { REDIS_CLIENT } from '@nafs/cache';
import type { RefreshTokenClaims } from '@nafs/contracts';
import { isUuid } from '@nafs/contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource, type EntityManager } from 'typeorm';

import { TokenService } from '../access/token.service';
import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { SessionsRepository } from './sessions.repository';

export interface ClientMeta {
  ip: string | null;
  userAgent: string | null;
}

export type RotationResult =
  | { ok: true; userId: string; sessionId: string; refreshToken: string }
  | { ok: false; reason: 'invalid' | 'unknown' | 'expired' | 'reused' };

/**
 * Refresh-token sessions (legacy-api.md 2.3). One row per login; rotation replaces the row's token.
 * Fix: the refresh token's `sessionId` claim is the row's id, so a validly signed token that is no
 * longer the row's current one is recognisably a replayed, already-rotated token, and presenting it
 * revokes that session (reuse detection). Legacy tokens carry a random `sessionId`, which simply
 * matches no row.
 */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionsRepository,
    private readonly tokens: TokenService,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async create(manager: EntityManager, userId: string, meta: ClientMeta): Promise<string> {
    const id = randomUUID();
    const refreshToken = this.tokens.signRefresh(userId, id);
    await this.sessions.insert(manager, {
      id,
      userId,
      refreshToken,
      expiresAt: new Date(Date.now() + this.tokens.refreshLifetimeMs),
      ipAddress: meta.ip,
      userAgent: meta.userAgent,
    });
    return refreshToken;
  }

  /**
   * Replaces the presented refresh token in its session. `userCheck` runs inside the transaction
   * and returns false when the user may no longer refresh (missing or inactive): the session is
   * then deleted.
   */
  async rotate(
    presented: string,
    userCheck: (manager: EntityManager, userId: string) => Promise<boolean>,
  ): Promise<RotationResult | { ok: false; reason: 'user' }> {
    let claims: RefreshTokenClaims;
    try {
      claims = this.tokens.verifyRefresh(presented);
    } catch {
      return { ok: false, reason: 'invalid' };
    }
    const outcome = await this.dataSource.transaction(async (manager) => {
      const session = await this.sessions.findByTokenForUpdate(manager, presented);
      if (!session) return this.handleUnknown(manager, claims, presented);
      if (session.expiresAt.getTime() <= Date.now()) {
        await this.sessions.delete(manager, session.id);
        return { ok: false as const, reason: 'expired' as const };
      }
      if (!(await userCheck(manager, session.userId))) {
        await this.sessions.delete(manager, session.id);
        return { ok: false as const, reason: 'user' as const };
      }
      const refreshToken = this.tokens.signRefresh(session.userId, session.id);
      await this.sessions.replaceToken(manager, session.id, refreshToken, new Date(Date.now() + this.tokens.refreshLifetimeMs));
      return { ok: true as const, userId: session.userId, sessionId: session.id, refreshToken };
    });
    if (outcome.ok && this.config.REFRESH_REUSE_GRACE_SECONDS > 0) {
      await this.redis.set(this.rotatedKey(presented), '1', 'EX', this.config.REFRESH_REUSE_GRACE_SECONDS).catch(() => undefined);
    }
    return outcome;
  }

  private async handleUnknown(manager: EntityManager, claims: RefreshTokenClaims, presented: string): Promise<RotationResult> {
    if (!isUuid(claims.sessionId)) return { ok: false, reason: 'unknown' };
    const recentlyRotated = await this.redis.exists(this.rotatedKey(presented)).catch(() => 0);
    if (recentlyRotated) return { ok: false, reason: 'unknown' };
    if (!(await this.sessions.deleteOfUser(manager, claims.sessionId, claims.userId))) return { ok: false, reason: 'unknown' };
    this.logger.warn(`refresh token reuse detected: session ${claims.sessionId} of user ${claims.userId} revoked`);
    return { ok: false, reason: 'reused' };
  }

  /** Deletes the session of `refreshToken`; returns its user, if there was one. */
  deleteByToken(refreshToken: string): Promise<string | null> {
    return this.sessions.deleteByToken(refreshToken);
  }

  deleteAllOf(userId: string, manager?: EntityManager): Promise<number> {
    return this.sessions.deleteAllOf(userId, manager);
  }

  private rotatedKey(token: string): string {
    return `${this.config.REDIS_KEY_PREFIX}refresh-rotated:${createHash('sha256').update(token).digest('hex')}`;
  }
}
