import { type ArgumentsHost, Catch, HttpException, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import type { Request, Response } from 'express';
import { LegacyHttpException, reasonPhrase } from './legacy-errors';

type Family = 'E1' | 'E2';

/** Which legacy envelope a path answers with; null leaves the error to Nest (health probes). */
export function familyOf(path: string): Family | null {
  if (path.startsWith('/api/v1/auth')) return 'E1';
  if (/^\/api\/v1\/(users|tokens|audit-logs)(\/|$)/.test(path)) return 'E2';
  if (path.startsWith('/api/')) return 'E2';
  return null;
}

const E2_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMIT_EXCEEDED',
};

/** `http-errors` objects from body-parser and friends: a 4xx whose message may be shown. */
function clientErrorOf(error: unknown): { status: number; message: string } | null {
  const candidate = error as { status?: number; statusCode?: number; expose?: boolean; message?: string; type?: string };
  const status = candidate?.statusCode ?? candidate?.status;
  if (typeof status !== 'number' || status < 400 || status > 499 || candidate.expose === false) return null;
  if (candidate.type === 'entity.parse.failed') return { status: 400, message: 'Malformed JSON in request body' };
  return { status, message: candidate.message ?? reasonPhrase(status) };
}

/**
 * Turns every error of auth-service's HTTP routes into the legacy envelope of its route family
 * (legacy-api.md 1.3): handler errors, validation errors, body-parser errors (malformed JSON,
 * oversize bodies), unknown routes, and, as a last resort, unexpected failures (500, logged,
 * message hidden). RPC errors and the health routes keep Nest's own handling.
 */
@Catch()
export class LegacyExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('LegacyExceptionFilter');
  private readonly rpc = new BaseRpcExceptionFilter();

  override catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') return this.rpc.catch(exception, host);
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const family = familyOf(request.path ?? request.url);
    if (!family) return super.catch(exception, host);
    if (response.headersSent) return void response.end();

    if (exception instanceof LegacyHttpException) {
      for (const [name, value] of Object.entries(exception.headers)) response.setHeader(name, value);
      return void response.status(exception.getStatus()).json({ ...exception.body, timestamp: new Date().toISOString() });
    }

    let status: number;
    let message: string;
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      message = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? exception.message);
      // body-parser's JSON.parse error, mapped by Nest to a 400 carrying the parser's wording.
      if (status === 400 && /JSON/.test(message)) message = 'Malformed JSON in request body';
      if (status === 404 && /^Cannot [A-Z]+ /.test(message)) {
        return void response.status(404).json({ success: false, error: 'Not Found', message: 'The requested resource was not found', timestamp: new Date().toISOString() });
      }
    } else {
      const clientError = clientErrorOf(exception);
      if (clientError) {
        ({ status, message } = clientError);
      } else {
        this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
        status = 500;
        message = 'An error occurred';
      }
    }
    if (Array.isArray(message)) message = message.join(', ');
    const timestamp = new Date().toISOString();
    const body =
      family === 'E1'
        ? { error: reasonPhrase(status), message, timestamp }
        : { success: false, error: { code: E2_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST'), message }, timestamp };
    response.status(status).json(body);
  }
}
