import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { cleanupOpenApiDoc } from 'nestjs-zod';

/** Where every service serves its OpenAPI document (the gateway merges the three). */
export const OPENAPI_DOCUMENT_PATH = '/api-docs/swagger.json';

/**
 * The service's OpenAPI document, from its controllers: paths from the route decorators, bodies,
 * queries and params from the `createZodDto` classes the handlers take (nestjs-zod).
 */
export function buildOpenApiDocument(app: INestApplication, title: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(title)
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  return cleanupOpenApiDoc(SwaggerModule.createDocument(app, config));
}

/**
 * Serves the document at OPENAPI_DOCUMENT_PATH. It is built on the first request, once every
 * module is initialised, and kept: the routes do not change while the process runs.
 */
export function serveOpenApiDocument(app: INestApplication, title: string): void {
  let document: OpenAPIObject | undefined;
  app.use(OPENAPI_DOCUMENT_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    try {
      document ??= buildOpenApiDocument(app, title);
    } catch (error) {
      return next(error);
    }
    res.json(document);
  });
}
