import { clientIp, userAgent } from '@nafs/http';
import type { Request } from 'express';

export interface Visitor {
  /** The client as the trusted gateway hop reports it (X-Forwarded-For under TRUST_PROXY_HOPS). */
  ip: string;
  userAgent: string | null;
  referer: string | null;
}

export function visitorOf(request: Request): Visitor {
  const referer = request.headers.referer;
  return {
    ip: clientIp(request) ?? '0.0.0.0',
    userAgent: userAgent(request),
    referer: typeof referer === 'string' && referer ? referer.replaceAll('\u0000', '').slice(0, 2048) : null,
  };
}
