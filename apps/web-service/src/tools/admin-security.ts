import { LegacyHttpException } from '@nafs/http';
import { type CanActivate, type ExecutionContext, Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** The headers of every `/api/v1/admin/tools/**` answer, errors included (legacy-api.md 1.6). */
@Injectable()
export class AdminSecurityHeadersMiddleware implements NestMiddleware {
  use(_req: Request, res: Response, next: NextFunction): void {
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-XSS-Protection', '1; mode=block');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  }
}

/** What the legacy admin router refused anywhere in the stringified body. */
const SUSPICIOUS = [
  /<\s*script/i,
  /<\/\s*script/i,
  /javascript\s*:/i,
  /vbscript\s*:/i,
  /\bon[a-z]+\s*=/i,
  /<\s*(iframe|object|embed|link|meta|style|base|form)\b/i,
  /data\s*:\s*text\/html/i,
  /expression\s*\(/i,
];

/** Whether a request body carries script-like content. */
export function looksLikeXss(body: unknown): boolean {
  if (body === undefined || body === null) return false;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return SUSPICIOUS.some((pattern) => pattern.test(text));
}

/**
 * The XSS screen of the admin router: after authentication and the role check, before
 * validation, a body with script-like content is a 400 SECURITY_VIOLATION and nothing changes.
 * Its body is the legacy XSS shape (legacy-api.md 1.4) on every admin route, configs included,
 * whatever the route's family.
 */
@Injectable()
export class XssScreenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (looksLikeXss(request.body)) {
      throw new LegacyHttpException(400, {
        success: false,
        error: { code: 'SECURITY_VIOLATION', message: 'Request contains potentially malicious content' },
      });
    }
    return true;
  }
}
