import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

interface BodyParserError {
  type: string;
  statusCode: number;
  message: string;
}

const isBodyParserError = (error: unknown): error is BodyParserError =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as BodyParserError).type === 'string' &&
  (error as BodyParserError).type.startsWith('entity.') &&
  typeof (error as BodyParserError).statusCode === 'number';

/**
 * Express error middleware mounted right after the JSON body parser. Malformed or oversize JSON
 * bodies fail there, before any route; answer them as the legacy global handler did (E3:
 * `{ success: false, error, message, timestamp }`, the message hidden in production) instead of
 * an HTML page or Nest's `{ statusCode, message }`. Other errors pass on.
 */
export function legacyBodyErrorHandler(production: boolean) {
  return (error: unknown, _req: Request, res: Response, next: NextFunction): void => {
    if (!isBodyParserError(error)) return next(error);
    const status = error.statusCode;
    res.status(status).json({
      success: false,
      error: status >= 500 ? 'Internal Server Error' : 'Bad Request',
      message: production ? 'An error occurred' : error.message,
      timestamp: new Date().toISOString(),
    });
  };
}

/** The legacy JSON body handling (legacy-api.md 1.6): a 10 MB limit, failures in the E3 shape. */
export function useLegacyJsonBody(app: INestApplication, production: boolean): void {
  (app as NestExpressApplication).useBodyParser('json', { limit: '10mb' });
  app.use(legacyBodyErrorHandler(production));
}
