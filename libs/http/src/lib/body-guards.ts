import { applyDecorators, type CanActivate, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import type { Request } from 'express';

import { PayloadTooLargeError } from './errors';
import { requireJson } from './request-info';

@Injectable()
class RequireJsonGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    requireJson(context.switchToHttp().getRequest<Request>());
    return true;
  }
}

/**
 * The legacy 415 (legacy-api.md 1.4, CT) for a route that takes only JSON. A guard, so it answers
 * before the body is validated.
 */
export const RequireJson = () => UseGuards(RequireJsonGuard);

/**
 * A body-size cap for one route, below the service-wide JSON limit (issue 17.2): a request whose
 * Content-Length exceeds `bytes` is a 413 in the route's family, before validation.
 */
export function MaxBodyBytes(
  bytes: number,
  message = `Request body must not exceed ${bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`}`,
) {
  @Injectable()
  class MaxBodyBytesGuard implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      const length = Number(context.switchToHttp().getRequest<Request>().headers['content-length'] ?? 0);
      if (length > bytes) throw new PayloadTooLargeError('PAYLOAD_TOO_LARGE', message);
      return true;
    }
  }
  return applyDecorators(UseGuards(MaxBodyBytesGuard));
}
