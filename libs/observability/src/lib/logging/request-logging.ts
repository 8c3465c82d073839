import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';

import { REQUEST_ID_HEADER, requestIdOr, withRequestId } from './request-context';

type Next = (error?: unknown) => void;

const pathOf = (req: IncomingMessage) => (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';

/** Probes and scrapes would drown the access log; they are logged at debug. */
const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

/**
 * pino-http as an Express middleware: the request id is the `X-Request-Id` the gateway minted (or
 * a fresh one), echoed back, and bound as `reqId` to every log line made while the request is
 * handled; one access line per request when the response is finished:
 * `{"reqId":"...","req":{"method":"GET","url":"/x"},"res":{"statusCode":200},"responseTime":3,"msg":"GET /x 200 3ms"}`.
 */
export function requestLogging(logger: Pino): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const http = pinoHttp({
    logger,
    quietReqLogger: true,
    genReqId: (req, res) => {
      const id = requestIdOr(req.headers[REQUEST_ID_HEADER]);
      req.headers[REQUEST_ID_HEADER] = id;
      if (!res.headersSent && !res.getHeader('X-Request-Id')) res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { method: string; url: string; raw?: IncomingMessage }) => ({
        method: req.method,
        url: req.raw ? pathOf(req.raw) : req.url,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (req, res, error) => {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return QUIET_PATHS.test(pathOf(req)) ? 'debug' : 'info';
    },
    customSuccessMessage: (req, res, ms) => `${req.method} ${pathOf(req)} ${res.statusCode} ${ms}ms`,
    customErrorMessage: (req, res) => `${req.method} ${pathOf(req)} ${res.statusCode} failed`,
  });
  return (req, res, next) => http(req, res, () => withRequestId(String(req.id), () => next(), req.log));
}
