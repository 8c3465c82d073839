import type { Request } from 'express';
import { isIP } from 'node:net';

/**
 * The caller's IP. Express resolves `req.ip` from X-Forwarded-For as far as `trust proxy` allows
 * (TRUST_PROXY_HOPS: the gateway in front), so a client cannot pick its own address by sending the
 * header. Returns null for anything PostgreSQL's inet would refuse.
 */
export function clientIp(request: Request): string | null {
  const ip = request.ip ?? request.socket?.remoteAddress ?? null;
  return ip && isIP(ip) ? ip : null;
}

export function userAgent(request: Request): string | null {
  const value = request.headers['user-agent'];
  return typeof value === 'string' && value.length ? value.slice(0, 1000) : null;
}

export function isJson(request: Request): boolean {
  return Boolean(request.is('application/json'));
}
