import type { AuthenticatedUser } from '@nafs/contracts';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

import type { TenantEntity } from '../tenants/tenant.entity';

/** Who is calling, as the guard established it (legacy `req.user` + `req.tenant`). */
export interface RequestIdentity extends AuthenticatedUser {
  /** Loaded when token isolation is on and the caller has a tenant. */
  tenant: TenantEntity | null;
}

export type AuthenticatedRequest = Request & { identity?: RequestIdentity };

/** The caller of a route behind `@Auth()`. */
export const Identity = createParamDecorator((_data: unknown, context: ExecutionContext): RequestIdentity => {
  const identity = context.switchToHttp().getRequest<AuthenticatedRequest>().identity;
  if (!identity) throw new Error('@Identity() used on a route without @Auth()');
  return identity;
});
