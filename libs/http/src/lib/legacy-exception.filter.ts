import { type ArgumentsHost, Catch, HttpException, Inject, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import type { Request, Response } from 'express';

import { isDatabaseUnavailable } from './database-unavailable';
import { DomainError, LegacyHttpException, RequestValidationError } from './errors';
import {
  type ErrorFamily,
  type FamilyChoice,
  reasonPhrase,
  type RenderedError,
  renderError,
  renderInternalError,
  renderUnknownRoute,
  renderValidation,
} from './families';
import { familyOverrideOf } from './legacy-family.decorator';

export interface LegacyRoute extends FamilyChoice {
  /**
   * Path prefix, matched on whole segments: `/api/v1/tools` covers `/api/v1/tools/x`, not
   * `/api/v1/toolsx`; a `:name` segment matches any one segment (`/api/v1/admin/tools/:toolKey/configs`).
   */
  prefix: string;
}

export interface LegacyHttpOptions {
  routes: LegacyRoute[];
  /** E3/V5 hide messages in production. Pass the validated config's `NODE_ENV === 'production'`. */
  production?: boolean;
  /**
   * The family of malformed and oversize JSON bodies. The legacy parsed bodies before any router,
   * so its global handler answered them (E3) on every route: web and forms keep that; auth answers
   * them in each route's family (its contract tests). Default: the route's family.
   */
  bodyErrors?: ErrorFamily;
}

export const LEGACY_HTTP_OPTIONS = Symbol('LEGACY_HTTP_OPTIONS');

const segments = (path: string) => path.split('/').filter(Boolean);

/** How well `prefix` covers `path`: -1 when it does not; more segments (then more literal ones) is better. */
function matchScore(pathSegments: string[], prefix: string): number {
  const wanted = segments(prefix);
  if (wanted.length > pathSegments.length) return -1;
  let literal = 0;
  for (let i = 0; i < wanted.length; i++) {
    if (wanted[i].startsWith(':')) continue;
    if (wanted[i] !== pathSegments[i]) return -1;
    literal++;
  }
  return wanted.length * 1000 + literal;
}

/**
 * The family of a path: the longest matching prefix (whole segments; `:name` matches any one
 * segment), or null (health probes, metrics: Nest's own answers).
 */
export function familyOfPath(routes: LegacyRoute[], path: string): LegacyRoute | null {
  const pathSegments = segments(path);
  let best: LegacyRoute | null = null;
  let bestScore = -1;
  for (const route of routes) {
    const score = matchScore(pathSegments, route.prefix);
    if (score > bestScore) [best, bestScore] = [route, score];
  }
  return best;
}

interface HttpErrorsObject {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
  type?: string;
}

/** `http-errors` objects of body-parser (malformed or oversize JSON, bad charset): a 4xx whose message may be shown. */
function bodyParserError(error: unknown): RenderedError | null {
  const candidate = error as HttpErrorsObject;
  const status = candidate?.statusCode ?? candidate?.status;
  if (typeof status !== 'number' || status < 400 || status > 499 || candidate.expose === false) return null;
  if (candidate.type === 'entity.parse.failed') return { status: 400, message: 'Malformed JSON in request body' };
  if (candidate.type === 'entity.too.large') return { status: 413, message: 'Request entity too large' };
  return { status, message: candidate.message ?? reasonPhrase(status) };
}

const isNestRouteNotFound = (exception: HttpException) =>
  exception.getStatus() === 404 &&
  /^Cannot [A-Z]+ /.test(String((exception.getResponse() as { message?: unknown })?.message ?? exception.message));

/**
 * The one HTTP exception filter. Every error of an HTTP route is answered in the legacy family of
 * its route (the longest prefix of `routes`, or `@LegacyFamily` on the handler/controller):
 * DomainErrors and HttpExceptions in its E-family, RequestValidationErrors in its V-family,
 * body-parser failures as the family's 400/413, unknown paths as the legacy 404, anything else as
 * a logged 500 with a hidden message. RPC (Redis transport) errors keep Nest's RPC handling.
 */
@Catch()
export class LegacyExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('LegacyExceptionFilter');
  private readonly rpc = new BaseRpcExceptionFilter();

  constructor(@Inject(LEGACY_HTTP_OPTIONS) private readonly options: LegacyHttpOptions) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') return this.rpc.catch(exception, host);
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return void response.end();

    if (exception instanceof HttpException && isNestRouteNotFound(exception)) return void response.status(404).json(renderUnknownRoute());

    const family = this.familyOf(request);
    if (!family) return super.catch(exception, host);
    const render = { production: this.options.production ?? false };

    // A JSON body nested too deep (libs/runtime's body limits): bad input, in the route's V-family.
    if ((exception as HttpErrorsObject)?.type === 'entity.too.deep') {
      exception = new RequestValidationError([{ path: [], message: (exception as Error).message }], 'body');
    }

    if (exception instanceof RequestValidationError) {
      const body = renderValidation(family.validation, exception.issues, exception.location, exception.input, {
        ...render,
        message: family.validationMessage,
      });
      return void response.status(400).json(body);
    }
    if (exception instanceof LegacyHttpException) {
      for (const [name, value] of Object.entries(exception.headers)) response.setHeader(name, value);
      const body = exception.rendering.timestamp === false ? exception.body : { ...exception.body, timestamp: new Date().toISOString() };
      return void response.status(exception.getStatus()).json(body);
    }
    if (exception instanceof DomainError) {
      for (const [name, value] of Object.entries(exception.headers ?? {})) response.setHeader(name, value);
      const body = renderError(
        family.errors,
        { status: exception.status, code: exception.code, message: exception.message, details: exception.details },
        render,
      );
      return void response.status(exception.status).json(body);
    }

    let error: RenderedError | null = null;
    let bodyError = false;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      let message: unknown = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      if (Array.isArray(message)) message = message.join(', ');
      // body-parser's JSON.parse failure, as Nest maps it.
      if (status === 400 && /JSON/.test(String(message))) [message, bodyError] = ['Malformed JSON in request body', true];
      error = status >= 500 && status !== 503 ? null : { status, message: String(message) };
      if (!error) this.logger.error(exception.stack ?? exception.message);
    } else if (isDatabaseUnavailable(exception)) {
      // The database is unreachable (issue 16.5): a quick 503, and the pool reconnects by itself.
      this.logger.warn(`database unavailable: ${exception instanceof Error ? exception.message : String(exception)}`);
      response.setHeader('Retry-After', '5');
      error = { status: 503, message: 'Service temporarily unavailable' };
    } else {
      error = bodyParserError(exception);
      bodyError = error !== null;
      if (!error) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (!error) return void response.status(500).json(renderInternalError(family.errors, render));
    const errors = bodyError && this.options.bodyErrors ? this.options.bodyErrors : family.errors;
    response.status(error.status).json(renderError(errors, error, render));
  }

  private familyOf(request: Request): FamilyChoice | null {
    const route = familyOfPath(this.options.routes, request.path ?? request.url);
    const override = familyOverrideOf(request);
    if (!route && !override) return null;
    const base: FamilyChoice = route ?? { errors: 'E3', validation: 'V5' };
    return { ...base, ...override };
  }
}
