import type { ApiTokenScope, AuthenticatedUser, UserRole } from '@nafs/contracts';
import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'nafs:auth:public';
export const REQUIRED_ROLES = 'nafs:auth:roles';
export const REQUIRED_SCOPES = 'nafs:auth:scopes';

/**
 * No authentication needed. A bearer token that is present and valid still sets `request.user`;
 * a stale or invalid one is ignored (never a 401: the Angular interceptor would log the visitor out).
 */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The caller's current role must be one of these (legacy `requireRole`; in practice `admin`). */
export const Roles = (...roles: UserRole[]) => SetMetadata(REQUIRED_ROLES, roles);

/**
 * The API-token scopes a route needs. Without it, GET/HEAD/OPTIONS need `read` and every other
 * method needs `write`. JWT users have every scope.
 */
export const Scopes = (...scopes: ApiTokenScope[]) => SetMetadata(REQUIRED_SCOPES, scopes);

/** `request.user` (`AuthenticatedUser`), or undefined on a public route without a valid token. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser | undefined => {
  return context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>().user;
});
