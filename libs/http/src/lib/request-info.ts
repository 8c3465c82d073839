import { isIP } from 'node:net';

import type { Request } from 'express';

import { UnsupportedMediaTypeError } from './errors';

/**
 * The caller's IP. Express resolves `req.ip` from X-Forwarded-For as far as `trust proxy` allows
 * (TRUST_PROXY_HOPS: the gateway in front), so a client cannot pick its own address by sending the
 * header. Returns null for anything PostgreSQL's inet would refuse.
 */
export function clientIp(request: Request): string | null {
  const ip = request.ip ?? request.socket?.remoteAddress ?? null;
  return ip && isIP(ip) ? ip : null;
}

/** The User-Agent header, bounded to 1000 characters (the audit columns), NUL bytes removed. */
export function userAgent(request: Request): string | null {
  const value = request.headers['user-agent'];
  return typeof value === 'string' && value.length ? value.replaceAll('\u0000', '').slice(0, 1000) : null;
}

export function isJson(request: Request): boolean {
  return Boolean(request.is('application/json'));
}

/** The legacy 415 of routes that require a JSON body (legacy-api.md 1.4, CT). */
export function requireJson(request: Request): void {
  if (!isJson(request)) throw new UnsupportedMediaTypeError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be one of: application/json');
}
