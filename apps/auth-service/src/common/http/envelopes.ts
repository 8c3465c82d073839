import type { Request } from 'express';
import type { ClientMeta } from '../../sessions/sessions.service';
import { e1 } from './legacy-errors';
import { clientIp, isJson, userAgent } from './request-info';

/** E1 success: `{ message, data?, timestamp }`. */
export function e1Ok<T>(message: string, data?: T, extra: Record<string, unknown> = {}) {
  return data === undefined ? { message, ...extra, timestamp: new Date().toISOString() } : { message, data, ...extra, timestamp: new Date().toISOString() };
}

/** E2 success: `{ success: true, message?, data, timestamp }` (+ `meta` on some routes). */
export function e2Ok<T>(data: T, message?: string, extra: Record<string, unknown> = {}) {
  return message === undefined ? { success: true, data, ...extra, timestamp: new Date().toISOString() } : { success: true, message, data, ...extra, timestamp: new Date().toISOString() };
}

/** The legacy 415 of the auth routes that require a JSON body (legacy-api.md 1.4, CT). */
export function requireJson(request: Request): void {
  if (!isJson(request)) throw e1(415, 'Content-Type must be one of: application/json');
}

export function clientMeta(request: Request): ClientMeta {
  return { ip: clientIp(request), userAgent: userAgent(request) };
}
