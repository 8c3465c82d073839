import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, pipeline, type Writable } from 'node:stream';

import { routeFor, type ServiceName } from '@nafs/contracts';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Pool } from 'undici';

import { gzipFor } from './compression';

/** Per upstream: at most this many sockets, kept alive between requests. */
export const UPSTREAM_CONNECTIONS = 64;
/** Below Node's server default of 5 s, so the gateway drops an idle socket before the service does. */
const IDLE_SOCKET_MS = 4000;
/** A rejected upload's remaining body is read and discarded up to this size, then the connection is closed. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** Connection-level headers (RFC 9110 7.6.1) are the hop's own; undici refuses some of them. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'http2-settings',
]);

const logger = new Logger('GatewayProxy');

function unavailable(res: ServerResponse, service: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({
    success: false,
    error: 'Service Unavailable',
    message: `${service} is unavailable, please try again later`,
    timestamp: new Date().toISOString(),
  });
  res.writeHead(503, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const appended = (existing: string | string[] | undefined, value: string) => {
  const previous = Array.isArray(existing) ? existing.join(',') : existing;
  return previous ? `${previous},${value}` : value;
};

/** The request's headers for the service: hop-by-hop ones dropped, X-Forwarded-* appended (one hop). */
function upstreamHeaders(req: IncomingMessage): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  headers['x-forwarded-for'] = appended(req.headers['x-forwarded-for'], req.socket.remoteAddress ?? '');
  headers['x-forwarded-port'] = appended(req.headers['x-forwarded-port'], String(req.socket.localPort ?? ''));
  headers['x-forwarded-proto'] = appended(req.headers['x-forwarded-proto'], secure ? 'https' : 'http');
  if (req.headers.host) headers['x-forwarded-host'] = appended(req.headers['x-forwarded-host'], req.headers.host);
  return headers;
}

function clientHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

const hasBody = (req: IncomingMessage) =>
  req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/**
 * A service may answer before it has read the request body (401 for a bad token on an upload).
 * Its answer goes to the client in full; the rest of the body is then read and discarded, so the
 * client's connection stays usable and the client never sees a reset instead of the answer.
 */
function drainAfterResponse(req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    if (req.complete || req.destroyed) return;
    req.unpipe();
    let drained = 0;
    req.on('data', (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > MAX_DRAIN_BYTES) req.socket.destroy();
    });
    req.resume();
  });
}

export interface ServiceProxy extends RequestHandler {
  /** Closes the keep-alive pools (on shutdown). */
  close(): Promise<void>;
}

/**
 * Forwards each request whose path matches the route table to its service, untouched (method,
 * path, query, headers, streamed body), adding X-Forwarded-For/-Proto/-Host/-Port so the services
 * see the real client. Requests no route matches fall through to the gateway's own routes. Each
 * service has one undici pool of keep-alive sockets (bounded by UPSTREAM_CONNECTIONS); a service
 * that cannot be reached or does not answer within `timeoutMs` gets the legacy 503 body.
 */
export function serviceProxy(targets: Record<ServiceName, string>, timeoutMs: number): ServiceProxy {
  const pools = Object.fromEntries(
    (Object.keys(targets) as ServiceName[]).map((service) => [
      service,
      new Pool(targets[service], {
        connections: UPSTREAM_CONNECTIONS,
        pipelining: 1,
        keepAliveTimeout: IDLE_SOCKET_MS,
        keepAliveMaxTimeout: IDLE_SOCKET_MS,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        connectTimeout: Math.min(timeoutMs, 10_000),
      }),
    ]),
  ) as Record<ServiceName, Pool>;

  const forward = (service: ServiceName, req: Request, res: Response) => {
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    let body: PassThrough | null = null;
    if (hasBody(req)) {
      // Not `req` itself: undici destroys its body when the service answers early, and destroying
      // `req` would reset the client's connection before it reads that answer.
      body = new PassThrough();
      req.pipe(body);
      drainAfterResponse(req, res);
    }
    pools[service].stream(
      { method: req.method as 'GET', path: req.originalUrl, headers: upstreamHeaders(req), body, signal: abort.signal },
      ({ statusCode, headers }): Writable => {
        const gzip = gzipFor(req.headers['accept-encoding'] as string | undefined, req.method, statusCode, headers);
        const out = clientHeaders(headers);
        if (!gzip) {
          res.writeHead(statusCode, out);
          return res;
        }
        delete out['content-length'];
        out['content-encoding'] = 'gzip';
        out['vary'] = appended(headers['vary'], 'Accept-Encoding');
        res.writeHead(statusCode, out);
        pipeline(gzip, res, () => undefined);
        return gzip;
      },
      (error) => {
        if (!error) return;
        if (abort.signal.aborted) return;
        logger.warn(`${service}-service: ${req.method} ${req.originalUrl} failed: ${(error as Error).message}`);
        unavailable(res, `${service}-service`);
      },
    );
  };

  const handler = ((req: Request, res: Response, next: NextFunction) => {
    const service = routeFor(req.path);
    if (!service) return next();
    return forward(service, req, res);
  }) as ServiceProxy;
  handler.close = async () => {
    await Promise.all(Object.values(pools).map((pool) => pool.close().catch(() => pool.destroy())));
  };
  return handler;
}
