import { forbidden, unauthorized } from '@nafs/auth-client';
import { API_TOKEN_PATTERN } from '@nafs/contracts';
import { Inject, Injectable } from '@nestjs/common';

import { ApiTokenRejected, ApiTokenVerifier } from '../api-tokens/api-token-verifier';
import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { toRole } from '../users/user-identity';
import { AccessRepository, type AccessUserRow } from './access.repository';
import type { RequestIdentity } from './request-identity';
import { TokenService } from './token.service';

/**
 * The legacy `AuthMiddleware.authenticate` (legacy-api.md 2.4), same order and messages: Bearer
 * header, then a JWT access token (user re-read and required active), then an API token, then the
 * tenant checks. A 64-hex bearer cannot be a JWT, so it goes straight to the API-token lookup.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly repository: AccessRepository,
    private readonly tokens: TokenService,
    private readonly apiTokens: ApiTokenVerifier,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async authenticate(authorization: string | undefined, clientIp?: string): Promise<RequestIdentity> {
    if (!authorization) throw unauthorized('Authorization header is required');
    if (!authorization.startsWith('Bearer ')) throw unauthorized('Authorization header must use Bearer scheme');
    const token = authorization.slice('Bearer '.length).trim();

    const identity = (API_TOKEN_PATTERN.test(token) ? null : await this.fromJwt(token)) ?? (await this.fromApiToken(token, clientIp));
    if (!identity) throw unauthorized('Invalid or expired token');
    return this.withTenant(identity.identity, identity.tenantId);
  }

  private async fromJwt(token: string): Promise<{ identity: RequestIdentity; tenantId: string | null } | null> {
    let userId: string;
    let claimedTenant: string | null = null;
    try {
      const claims = this.tokens.verifyAccess(token);
      userId = claims.userId;
      claimedTenant = claims.tenant?.id ?? null;
    } catch {
      return null;
    }
    const user = await this.loadActiveUser(userId);
    if (!user) return null;
    const identity: RequestIdentity = {
      id: user.id,
      email: user.email,
      role: toRole(user.role),
      tenantId: user.tenant_id,
      authType: 'jwt',
      scopes: ['read', 'write'],
      tenant: null,
    };
    return { identity, tenantId: claimedTenant ?? user.tenant_id };
  }

  private async fromApiToken(token: string, clientIp?: string): Promise<{ identity: RequestIdentity; tenantId: string | null } | null> {
    try {
      const verified = await this.apiTokens.verify(token, { clientIp });
      const identity: RequestIdentity = {
        id: verified.user.id,
        email: verified.user.email,
        role: verified.user.role,
        tenantId: verified.user.tenantId,
        authType: 'api_token',
        scopes: verified.scopes,
        apiTokenId: verified.tokenId,
        tenant: null,
      };
      return { identity, tenantId: verified.tenantId ?? verified.user.tenantId };
    } catch (error) {
      if (error instanceof ApiTokenRejected) return null;
      throw error;
    }
  }

  private async loadActiveUser(userId: string): Promise<AccessUserRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(userId)) return null;
    const row = await this.repository.user(userId);
    return row?.is_active === true ? row : null;
  }

  private async withTenant(identity: RequestIdentity, tenantId: string | null): Promise<RequestIdentity> {
    if (!tenantId || !this.config.TENANT_TOKEN_ISOLATION) return identity;
    const tenant = await this.repository.tenant(tenantId);
    if (!tenant || tenant.isActive !== true) throw unauthorized('Tenant account is inactive or not found');
    if (identity.tenantId !== tenant.id) throw forbidden('User no longer belongs to this tenant');
    return { ...identity, tenant };
  }
}
