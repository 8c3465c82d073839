import { createSecretKey, randomUUID } from 'node:crypto';

import {
  type AccessTokenClaims,
  JWT_ALGORITHM,
  JWT_AUDIENCE,
  JWT_ISSUER,
  type RefreshTokenClaims,
  type TenantClaim,
  type UserRole,
} from '@nafs/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

import { durationMs } from '../common/duration';
import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';

export interface TokenSubject {
  id: string;
  email: string;
  role: UserRole;
  tenantId: string | null;
}

/**
 * Signs and verifies the legacy token format (legacy-api.md 2.2, 2.3): HS256, legacy iss/aud,
 * access claims `userId, email, role, tenantId, [tenant], type`, refresh claims
 * `userId, sessionId, type`. Refresh tokens also carry a `jti`, so two tokens issued in the same
 * second for one session still differ (the `sessions.refresh_token` column is unique).
 */
@Injectable()
export class TokenService {
  readonly accessLifetimeMs: number;
  readonly refreshLifetimeMs: number;

  // KeyObjects made once: given a string, jsonwebtoken tries it as a PEM key first and throws, on every call.
  private readonly accessJwt: JwtService;
  private readonly refreshJwt: JwtService;

  constructor(@Inject(AUTH_CONFIG) config: AuthConfig) {
    this.accessJwt = new JwtService({ secret: createSecretKey(Buffer.from(config.JWT_SECRET, 'utf8')) });
    this.refreshJwt = new JwtService({ secret: createSecretKey(Buffer.from(config.JWT_REFRESH_SECRET, 'utf8')) });
    this.accessLifetimeMs = durationMs(config.JWT_ACCESS_EXPIRES_IN);
    this.refreshLifetimeMs = durationMs(config.JWT_REFRESH_EXPIRES_IN);
  }

  signAccess(user: TokenSubject, tenant?: TenantClaim): string {
    const claims: Record<string, unknown> = {
      userId: user.id,
      email: user.email,
      role: user.role,
      tenantId: user.tenantId,
      type: 'access',
    };
    if (tenant) claims.tenant = tenant;
    return this.accessJwt.sign(claims, {
      algorithm: JWT_ALGORITHM,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      expiresIn: Math.max(1, Math.floor(this.accessLifetimeMs / 1000)),
    });
  }

  signRefresh(userId: string, sessionId: string): string {
    return this.refreshJwt.sign(
      { userId, sessionId, type: 'refresh' },
      {
        algorithm: JWT_ALGORITHM,
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
        expiresIn: Math.max(1, Math.floor(this.refreshLifetimeMs / 1000)),
        jwtid: randomUUID(),
      },
    );
  }

  /** Throws unless the token is a valid access token (and its tenant claim, if any, is active). */
  verifyAccess(token: string): AccessTokenClaims {
    const claims = this.accessJwt.verify<AccessTokenClaims>(token, {
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
    });
    if (claims.type !== 'access') throw new Error('not an access token');
    // jsonwebtoken accepts a token without `exp` as never expiring; the legacy always set one.
    if (typeof claims.exp !== 'number') throw new Error('no exp claim');
    if (claims.tenant && claims.tenant.status !== 'active') throw new Error('tenant is not active');
    if (typeof claims.userId !== 'string') throw new Error('no userId claim');
    return claims;
  }

  verifyRefresh(token: string): RefreshTokenClaims {
    const claims = this.refreshJwt.verify<RefreshTokenClaims>(token, {
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
    });
    if (claims.type !== 'refresh' || typeof claims.userId !== 'string') throw new Error('not a refresh token');
    if (typeof claims.exp !== 'number') throw new Error('no exp claim');
    return claims;
  }
}
