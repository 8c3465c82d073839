import { type DynamicModule, Global, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';

import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { METRICS_REGISTRY, type MetricsModuleOptions } from './metrics.tokens';

/** One prom-client registry per application, so several apps in one test process do not collide. */
export function createMetricsRegistry(options: MetricsModuleOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * `GET /metrics` (Prometheus text format), the default process metrics, and
 * `http_request_duration_seconds{method,route,status}`. Other modules register their own metrics
 * on the `METRICS_REGISTRY` it exports (the identity client does).
 */
@Global()
@Module({})
export class MetricsModule implements NestModule {
  static forRoot(options: MetricsModuleOptions): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: METRICS_REGISTRY, useFactory: () => createMetricsRegistry(options) }, HttpMetricsMiddleware],
      exports: [METRICS_REGISTRY],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
