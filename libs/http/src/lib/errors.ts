import { HttpException } from '@nestjs/common';

export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'locked'
  | 'too_many_requests'
  | 'service_unavailable';

export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  locked: 423,
  too_many_requests: 429,
  service_unavailable: 503,
};

/**
 * What a service throws when a rule refuses a request. It says what went wrong (`kind`, a stable
 * `code`, a human `message`, optional `details`), never how it looks on the wire: the global
 * filter renders it in the legacy family of the route (legacy-api.md 1.3).
 *
 * `details` goes where the family has a place for it (E2 `error.details`); in the families
 * without one (E1, E3, E4, E5, E7) a plain-object `details` adds top-level fields, e.g.
 * `{ lockedUntil }` on E1 or `{ retryAfter }` on E4.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  headers?: Record<string, string>;

  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }

  get status(): number {
    return STATUS_OF_KIND[this.kind];
  }

  /** Response headers to send with the error (`Retry-After`, `WWW-Authenticate`...). */
  withHeaders(headers: Record<string, string>): this {
    this.headers = { ...this.headers, ...headers };
    return this;
  }
}

export class BadRequestError extends DomainError {
  readonly kind = 'bad_request';
}
export class UnauthorizedError extends DomainError {
  readonly kind = 'unauthorized';
}
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}
export class GoneError extends DomainError {
  readonly kind = 'gone';
}
export class PayloadTooLargeError extends DomainError {
  readonly kind = 'payload_too_large';
}
export class UnsupportedMediaTypeError extends DomainError {
  readonly kind = 'unsupported_media_type';
}
export class UnprocessableError extends DomainError {
  readonly kind = 'unprocessable';
}
/** 423, the legacy login lockout. */
export class LockedError extends DomainError {
  readonly kind = 'locked';
}
export class TooManyRequestsError extends DomainError {
  readonly kind = 'too_many_requests';
}
export class ServiceUnavailableError extends DomainError {
  readonly kind = 'service_unavailable';
}

export type RequestLocation = 'body' | 'query' | 'params';

export interface ValidationIssue {
  /** Field path, e.g. `['templateData', 'shapes']`. Empty for the whole input. */
  path: PropertyKey[];
  message: string;
}

/**
 * Bad request input. The global pipe throws it for every DTO that fails its zod schema (with the
 * input and where it came from); a service may throw it too for a rule only it can check. The
 * filter renders it in the route's V-family (V1–V7).
 */
export class RequestValidationError extends Error {
  constructor(
    readonly issues: ValidationIssue[],
    public location: RequestLocation = 'body',
    public input?: unknown,
  ) {
    super(issues.map((issue) => issue.message).join('; ') || 'Invalid input');
    this.name = 'RequestValidationError';
  }
}

/**
 * Escape hatch for the few legacy answers that are in no family (for example the F17 owner check
 * of themes, `{ error: { code, message } }` without `success`): the body is sent as is, plus a
 * fresh `timestamp` unless `timestamp: false`. Prefer a DomainError whenever a family fits.
 */
export class LegacyHttpException extends HttpException {
  constructor(
    status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
    readonly rendering: { timestamp?: boolean } = {},
  ) {
    super(body, status);
  }
}
