import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AuthHttpException, IdentityReferenceError } from '@nafs/auth-client';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  413: 'FILE_TOO_LARGE',
  415: 'INVALID_FILE_TYPE',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * Errors of `/api/v1/themes` in the legacy shapes: E1 from the auth guard, the owner-check shapes
 * of F17, and E2 `{ success: false, error: { code, message }, timestamp }` for everything else.
 */
@Catch()
export class ThemesExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Themes');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const e2 = (status: number, code: string, message: string) =>
      res.status(status).json({ success: false, error: { code, message }, timestamp: new Date().toISOString() });
    if (exception instanceof AuthHttpException) {
      res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    if (exception instanceof IdentityReferenceError) {
      e2(exception.status, exception.reason === 'inactive' ? 'INACTIVE_REFERENCE' : exception.reason === 'not_found' ? 'INVALID_REFERENCE' : 'SERVICE_UNAVAILABLE', exception.message);
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'error' in body && typeof (body as { error: unknown }).error === 'object') {
        res.status(status).json(body);
        return;
      }
      // Multer's file-size limit: the legacy storage check answered 400 for files over 5 MB.
      if (status === HttpStatus.PAYLOAD_TOO_LARGE) {
        e2(HttpStatus.BAD_REQUEST, 'FILE_TOO_LARGE', 'File size exceeds the 5MB limit');
        return;
      }
      e2(status, CODES[status] ?? 'ERROR', exception.message);
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    e2(HttpStatus.INTERNAL_SERVER_ERROR, 'INTERNAL_ERROR', 'An unexpected error occurred');
  }
}
