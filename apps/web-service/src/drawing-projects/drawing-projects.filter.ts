import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AuthHttpException, IdentityReferenceError } from '@nafs/auth-client';

/**
 * Answers every error of the drawing-projects routes in the legacy shapes: E1 for
 * authentication (from the guard), V1 for validation, E7 `{ success: false, message, error? }`
 * for the rest. A write that references an unknown or inactive user is a 404/400 with its reason.
 */
@Catch()
export class DrawingProjectsExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('DrawingProjects');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof AuthHttpException) {
      res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    if (exception instanceof IdentityReferenceError) {
      res.status(exception.status).json({ success: false, message: exception.message });
      return;
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const status = exception.getStatus();
      if (typeof body === 'object' && body !== null && ('success' in body || 'details' in body)) {
        res.status(status).json(body);
      } else {
        res.status(status).json({ success: false, message: typeof body === 'string' ? body : exception.message });
      }
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    res.status(HttpStatus.INTERNAL_SERVER_ERROR).json({ success: false, message: 'Internal server error', error: 'An unexpected error occurred' });
  }
}
