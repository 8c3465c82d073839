import { buildOpenApiDocument, createLogger, requestLogging, type ServiceLogger, wantsPrettyLogs } from '@nafs/observability';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { ApiDocsService } from './api-docs/api-docs.service';
import type { OpenApiDocument } from './api-docs/openapi-merge';
import { AppModule } from './app.module';
import { type GatewayConfig, upstreams } from './config/gateway.config';
import { LegacyNotFoundFilter } from './not-found.filter';
import { requestId } from './proxy/request-id';
import { serviceProxy } from './proxy/service-proxy';

/**
 * One origin for both Angular apps. Body parsing is off: proxied bodies (JSON, multipart uploads)
 * stream through untouched. CORS answers preflights here, for both app origins, with the headers
 * the apps send (X-Tenant-Slug included) and PATCH allowed.
 */
export function gatewayLogger(config: GatewayConfig): ServiceLogger {
  return createLogger('gateway', config.LOG_LEVEL, { pretty: wantsPrettyLogs(config) });
}

export async function createGateway(config: GatewayConfig, logger = gatewayLogger(config)): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config), {
    bodyParser: false,
    logger,
  });
  // Registered before the proxy, so preflights are answered here and never reach a service.
  app.enableCors({
    origin: config.CORS_ORIGINS,
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Tenant-Slug', 'X-Requested-With', 'X-Request-Id', 'Idempotency-Key'],
    exposedHeaders: [
      'ETag',
      'Content-Disposition',
      'X-Package-Size',
      'X-Request-Id',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Retry-After',
    ],
  });
  app.use(requestId);
  // After the id is minted, before the proxy: one access line per request, proxied or not.
  app.use(requestLogging(logger.pinoLogger));
  const proxy = serviceProxy(upstreams(config), config.UPSTREAM_TIMEOUT_MS);
  app.use(proxy);
  app.getHttpServer().once('close', () => void proxy.close());
  app.useGlobalFilters(new LegacyNotFoundFilter());
  app.get(ApiDocsService).setGatewayDocument(() => buildOpenApiDocument(app, 'gateway') as unknown as OpenApiDocument);
  app.enableShutdownHooks();
  return app;
}
