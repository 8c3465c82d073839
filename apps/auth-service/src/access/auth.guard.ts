import { forbidden, unauthorized } from '@nafs/auth-client';
import type { UserRole } from '@nafs/contracts';
import { clientIp, userAgent } from '@nafs/http';
import { applyDecorators, type CanActivate, type ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';

import { ApiTokenUsageRecorder } from '../api-tokens/api-token-usage.recorder';
import { Authenticator } from './authenticator.service';
import type { AuthenticatedRequest } from './request-identity';

const ROLES_KEY = 'auth:roles';
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * auth-service's own guard: authenticates the caller (JWT or API token) against auth's database,
 * enforces token scopes, records API-token use. "Local" tells it from libs/auth-client's
 * AuthGuard, which web and forms use to ask auth over RPC.
 */
@Injectable()
export class LocalAuthGuard implements CanActivate {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly usage: ApiTokenUsageRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const startedAt = performance.now();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const identity = await this.authenticator.authenticate(request.headers.authorization, clientIp(request) ?? undefined);
    request.identity = identity;
    if (identity.authType === 'api_token' && identity.apiTokenId) {
      this.recordUsage(context, identity.apiTokenId, identity.tenant?.id ?? null, startedAt);
      // Legacy never enforced scopes (legacy-api.md 6.11): a read token cannot write.
      if (!READ_METHODS.has(request.method) && !identity.scopes.includes('write')) {
        throw forbidden('This API token does not have the write scope');
      }
    }
    return true;
  }

  /** Once the response is sent (whatever its status), its usage row joins the recorder's buffer. */
  private recordUsage(context: ExecutionContext, tokenId: string, tenantId: string | null, startedAt: number): void {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    response.once('finish', () =>
      this.usage.record({
        tokenId,
        endpoint: `${request.baseUrl ?? ''}${(request.route as { path?: string } | undefined)?.path ?? request.path}`,
        method: request.method,
        timestamp: new Date(),
        processingTime: Math.round(performance.now() - startedAt),
        responseStatus: response.statusCode,
        ipAddress: clientIp(request),
        userAgent: userAgent(request),
        tenantId,
      }),
    );
  }
}

/** `requireRole`: 401 without a caller, 403 "Insufficient permissions" for another role. */
@Injectable()
export class LocalRolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!roles?.length) return true;
    const identity = context.switchToHttp().getRequest<AuthenticatedRequest>().identity;
    if (!identity) throw unauthorized('Authentication required');
    if (!roles.includes(identity.role)) throw forbidden('Insufficient permissions');
    return true;
  }
}

export const LocalRoles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);

/** The route needs a caller (JWT or API token), and one of `roles` when given. */
export const Auth = (...roles: UserRole[]) => applyDecorators(LocalRoles(...roles), UseGuards(LocalAuthGuard, LocalRolesGuard));
