import { createSecretKey } from 'node:crypto';

import {
  type AccessTokenClaims,
  type ApiTokenScope,
  type AuthenticatedUser,
  isApiTokenFormat,
  JWT_ALGORITHM,
  JWT_AUDIENCE,
  JWT_ISSUER,
  type UserIdentity,
  type UserRole,
} from '@nafs/contracts';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';

import { IDENTITY_CLIENT_OPTIONS, type IdentityClientOptions } from './auth-client.config';
import { IS_PUBLIC, REQUIRED_ROLES, REQUIRED_SCOPES } from './decorators';
import {
  AUTH_MESSAGES,
  AuthHttpException,
  authUnavailable,
  forbidden,
  IdentityLookupError,
  IdentityUnavailableError,
  unauthorized,
} from './errors';
import { IdentityClient } from './identity-client';
import { IdentityMetrics } from './identity-metrics';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ALL_SCOPES: ApiTokenScope[] = ['read', 'write'];

interface AuthRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** Express's client address (trust proxy applied): auth limits failed API-token lookups per IP. */
  ip?: string;
  user?: AuthenticatedUser;
}

/**
 * Authenticates `Authorization: Bearer <access JWT | 64-hex API token>` the way the legacy
 * middleware did (legacy-api.md 2.4), without reading auth's database: the JWT is verified
 * locally (HS256, iss, aud, type), API tokens by auth over RPC, then the user's current state
 * (active, role, tenant) and the tenant's come from the cached identity client. Sets
 * `request.user`; enforces `@Roles` and API-token scopes. Refusals are legacy E1 bodies; auth
 * unreachable with nothing cached is a 503 in the same shape.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  // @nestjs/jwt's verifier (jsonwebtoken underneath), used without its module. The secret is a
  // KeyObject made once: given a string, jsonwebtoken first tries it as a PEM public key and
  // throws, on every request (7% of forms' CPU on public renders).
  private readonly jwt: JwtService;

  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityClient,
    private readonly metrics: IdentityMetrics,
    @Inject(IDENTITY_CLIENT_OPTIONS) private readonly options: IdentityClientOptions,
  ) {
    this.jwt = new JwtService({ secret: createSecretKey(Buffer.from(options.jwtSecret, 'utf8')) });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true;
    if (isPublic) {
      request.user = await this.authenticate(request).catch(() => undefined);
      return true;
    }
    const user = await this.authenticate(request);
    request.user = user;
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(REQUIRED_ROLES, targets);
    if (roles?.length && !roles.includes(user.role)) throw this.refuse('forbidden_role', forbidden(AUTH_MESSAGES.insufficientPermissions));
    const scopes = this.reflector.getAllAndOverride<ApiTokenScope[] | undefined>(REQUIRED_SCOPES, targets) ?? [
      READ_METHODS.has(request.method) ? 'read' : 'write',
    ];
    if (!scopes.every((scope) => user.scopes.includes(scope))) {
      throw this.refuse('insufficient_scope', forbidden(`${AUTH_MESSAGES.insufficientScope}: ${scopes.join(', ')}`));
    }
    return true;
  }

  /** Resolves the caller or throws the legacy 401/403 (or 503). */
  async authenticate(request: AuthRequest): Promise<AuthenticatedUser> {
    const header = request.headers.authorization;
    const value = Array.isArray(header) ? header[0] : header;
    if (!value) throw this.refuse('missing_header', unauthorized(AUTH_MESSAGES.missingHeader));
    if (!value.startsWith('Bearer ')) throw this.refuse('bad_scheme', unauthorized(AUTH_MESSAGES.badScheme));
    const token = value.slice('Bearer '.length).trim();
    try {
      if (isApiTokenFormat(token)) return await this.fromApiToken(token, request.ip);
      return await this.fromJwt(token);
    } catch (error) {
      if (error instanceof AuthHttpException) throw error;
      if (error instanceof IdentityUnavailableError) throw this.refuse('unavailable', authUnavailable());
      if (error instanceof IdentityLookupError)
        throw this.refuse(`user_${error.code.toLowerCase()}`, unauthorized(AUTH_MESSAGES.invalidToken));
      throw error;
    }
  }

  private async fromJwt(token: string): Promise<AuthenticatedUser> {
    let claims: AccessTokenClaims;
    try {
      claims = this.jwt.verify<AccessTokenClaims>(token, {
        algorithms: [JWT_ALGORITHM],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
    } catch {
      throw this.refuse('invalid_jwt', unauthorized(AUTH_MESSAGES.invalidToken));
    }
    if (claims.type !== 'access' || typeof claims.userId !== 'string')
      throw this.refuse('invalid_jwt', unauthorized(AUTH_MESSAGES.invalidToken));
    // jsonwebtoken treats a token without `exp` as never expiring; auth always sets one.
    if (typeof claims.exp !== 'number') throw this.refuse('invalid_jwt', unauthorized(AUTH_MESSAGES.invalidToken));
    if (claims.tenant && claims.tenant.status !== 'active') throw this.refuse('invalid_jwt', unauthorized(AUTH_MESSAGES.invalidToken));
    const user = await this.identity.getUser(claims.userId);
    await this.checkTenant(user, claims.tenant?.id ?? null);
    return { id: user.id, email: user.email, role: user.role, tenantId: user.tenantId, authType: 'jwt', scopes: [...ALL_SCOPES] };
  }

  private async fromApiToken(token: string, clientIp?: string): Promise<AuthenticatedUser> {
    let resolved;
    try {
      resolved = await this.identity.verifyApiToken(token, clientIp);
    } catch (error) {
      if (error instanceof IdentityLookupError) throw this.refuse('unknown_api_token', unauthorized(AUTH_MESSAGES.invalidToken));
      throw error;
    }
    const { token: apiToken, user } = resolved;
    await this.checkTenant(user, apiToken.tenantId);
    return {
      id: user.id,
      email: user.email,
      role: user.role,
      tenantId: user.tenantId,
      authType: 'api_token',
      scopes: [...apiToken.scopes],
      apiTokenId: apiToken.tokenId,
    };
  }

  /** Legacy step 6: the tenant (from the token, else the user) must exist, be active and be the user's. */
  private async checkTenant(user: UserIdentity, tokenTenantId: string | null): Promise<void> {
    const tenantId = tokenTenantId ?? user.tenantId;
    if (!tenantId || !this.options.tenantIsolation) return;
    try {
      await this.identity.getTenant(tenantId);
    } catch (error) {
      if (error instanceof IdentityLookupError) throw this.refuse('tenant_inactive', unauthorized(AUTH_MESSAGES.tenantInactive));
      throw error;
    }
    if (user.tenantId !== tenantId) throw this.refuse('tenant_mismatch', forbidden(AUTH_MESSAGES.tenantMismatch));
  }

  private refuse(reason: string, error: AuthHttpException): AuthHttpException {
    this.metrics.validationFailures.inc({ reason });
    return error;
  }
}
