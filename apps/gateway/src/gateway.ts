import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger } from '@nafs/observability';
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
export async function createGateway(config: GatewayConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config), {
    bodyParser: false,
    logger: createLogger('gateway', config.LOG_LEVEL),
  });
  // Registered before the proxy, so preflights are answered here and never reach a service.
  app.enableCors({
      origin: config.CORS_ORIGINS,
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Tenant-Slug', 'X-Requested-With', 'X-Request-Id'],
      exposedHeaders: ['ETag', 'Content-Disposition', 'X-Package-Size', 'X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'],
  });
  app.use(requestId);
  app.use(serviceProxy(upstreams(config), config.UPSTREAM_TIMEOUT_MS));
  app.useGlobalFilters(new LegacyNotFoundFilter());
  app.enableShutdownHooks();
  return app;
}
