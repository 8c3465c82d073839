import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { routeFor, type ServiceName } from '@nafs/contracts';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

function unavailable(res: ServerResponse | Socket, service: string): void {
  if (!('writeHead' in res) || res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(503, { 'Content-Type': 'application/json' });
  res.end(
    JSON.stringify({
      success: false,
      error: 'Service Unavailable',
      message: `${service} is unavailable, please try again later`,
      timestamp: new Date().toISOString(),
    }),
  );
}

/**
 * Forwards each request whose path matches the route table to its service, untouched (method,
 * path, query, headers, streamed body), adding X-Forwarded-For/-Proto/-Host so the services see
 * the real client. Requests no route matches fall through to the gateway's own routes.
 */
export function serviceProxy(targets: Record<ServiceName, string>, timeoutMs: number): RequestHandler {
  const proxyFor = (service: ServiceName) =>
    createProxyMiddleware<Request, Response>({
      target: targets[service],
      xfwd: true,
      proxyTimeout: timeoutMs,
      timeout: timeoutMs,
      on: { error: (_error, _req, res) => unavailable(res, `${service}-service`) },
    });
  const proxies = { auth: proxyFor('auth'), web: proxyFor('web'), forms: proxyFor('forms') };

  return (req: Request, res: Response, next: NextFunction) => {
    const service = routeFor(req.path);
    if (!service) return next();
    return proxies[service](req, res, next);
  };
}
