import type { LegacyE1Error, RpcErrorCode } from '@nafs/contracts';
import { LegacyHttpException } from '@nafs/http';
import { HttpStatus } from '@nestjs/common';

/** auth could not be asked (timeout, transport down, circuit open): the caller answers 503. */
export class IdentityUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`auth-service is unavailable: ${reason}`);
    this.name = 'IdentityUnavailableError';
  }
}

/** auth answered definitively that the subject is unknown, inactive or the request is malformed. */
export class IdentityLookupError extends Error {
  constructor(
    readonly code: Extract<RpcErrorCode, 'NOT_FOUND' | 'INACTIVE' | 'INVALID_ARGUMENT'>,
    message: string,
  ) {
    super(message);
    this.name = 'IdentityLookupError';
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
};

/** The legacy E1 body: `{ error: "<HTTP reason>", message, timestamp }`. */
export function legacyE1Body(status: number, message: string): LegacyE1Error {
  return { error: REASONS[status] ?? 'Error', message, timestamp: new Date().toISOString() };
}

/**
 * A 401/403/503 raised while authenticating. The legacy answered these in E1 on every route
 * (legacy-api.md 1.3), so its body is the E1 body whatever the route's family: the global filter
 * of @nafs/http sends a LegacyHttpException as it is (with a fresh timestamp).
 */
export class AuthHttpException extends LegacyHttpException {
  constructor(status: number, message: string) {
    super(status, { ...legacyE1Body(status, message) });
  }
}

/** The legacy middleware messages (legacy-api.md 2.4). */
export const AUTH_MESSAGES = {
  missingHeader: 'Authorization header is required',
  badScheme: 'Authorization header must use Bearer scheme',
  invalidToken: 'Invalid or expired token',
  tenantInactive: 'Tenant account is inactive or not found',
  tenantMismatch: 'User no longer belongs to this tenant',
  authRequired: 'Authentication required',
  insufficientPermissions: 'Insufficient permissions',
  insufficientScope: 'API token does not have the required scope',
  unavailable: 'Authentication service is temporarily unavailable, please retry shortly',
} as const;

export const unauthorized = (message: string) => new AuthHttpException(HttpStatus.UNAUTHORIZED, message);
export const forbidden = (message: string) => new AuthHttpException(HttpStatus.FORBIDDEN, message);
export const authUnavailable = () => new AuthHttpException(HttpStatus.SERVICE_UNAVAILABLE, AUTH_MESSAGES.unavailable);
