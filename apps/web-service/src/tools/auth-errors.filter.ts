import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { AuthHttpException } from '@nafs/auth-client';

/**
 * Every 401/403/503 of the authentication step is the legacy E1 body on all routes
 * (legacy-api.md 1.3), whatever the route's family; the guard already built it. Other errors fall
 * through to the global legacy filter.
 */
@Catch(AuthHttpException)
export class AuthErrorsFilter implements ExceptionFilter {
  catch(exception: AuthHttpException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(exception.getStatus()).json(exception.getResponse());
  }
}
