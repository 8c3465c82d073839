import { HttpException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';

/**
 * Errors whose body is already in one of the legacy families (legacy-api.md 1.3, 1.4); the
 * exception filter only adds the `timestamp`. Build them with the helpers below.
 */
export class LegacyHttpException extends HttpException {
  constructor(
    status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(body, status);
  }
}

export const reasonPhrase = (status: number) => STATUS_CODES[status] ?? 'Error';

/** E1: `{ error: "<HTTP reason>", message, timestamp }` (auth routes and every 401/403 of the guard). */
export function e1(status: number, message: string, extra: Record<string, unknown> = {}): LegacyHttpException {
  return new LegacyHttpException(status, { error: reasonPhrase(status), message, ...extra });
}

/** E2: `{ success: false, error: { code, message, details? }, timestamp }` (users, tokens). */
export function e2(status: number, code: string, message: string, details?: unknown): LegacyHttpException {
  return new LegacyHttpException(status, { success: false, error: details === undefined ? { code, message } : { code, message, details } });
}

export interface V1Detail {
  field: string;
  message: string;
  value: unknown;
}

/** express-validator's raw error item, as V2 sends it. */
export interface V2Detail {
  type: 'field';
  value: unknown;
  msg: string;
  path: string;
  location: 'body' | 'query' | 'params';
}

/** V1, the auth routes' validation error. */
export function v1(details: V1Detail[]): LegacyHttpException {
  return new LegacyHttpException(400, { error: 'Validation Error', message: 'Invalid input data provided', details });
}

/** V2, the users/tokens routes' validation error. */
export function v2(details: V2Detail[], message = 'Invalid input data'): LegacyHttpException {
  return new LegacyHttpException(400, { success: false, error: { code: 'VALIDATION_ERROR', message, details } });
}
