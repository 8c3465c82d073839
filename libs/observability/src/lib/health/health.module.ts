import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';

import { DatabasePoolMetrics } from '../metrics/database-pool.metrics';
import { HEALTH_OPTIONS, type HealthModuleOptions } from './health.options';
import { LegacyHealthController } from './legacy-health.controller';
import { ProbesController } from './probes.controller';
import { RedisHealthIndicator } from './redis.health';

/**
 * `/health/live`, `/health/ready` and the legacy health paths. Needs TypeORM's DataSource and the
 * `REDIS_CLIENT` of `RedisModule` in the application; `readinessChecks` adds service-specific ones.
 */
@Module({})
export class HealthModule {
  static forRoot(
    options: HealthModuleOptions,
    extra: { imports?: DynamicModule['imports']; readinessChecks?: Provider[] } = {},
  ): DynamicModule {
    const readinessChecks = extra.readinessChecks ?? [];
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...(extra.imports ?? [])],
      controllers: [ProbesController, LegacyHealthController],
      // DatabasePoolMetrics: the pool gauges on /metrics (it needs the DataSource, as the probes do).
      providers: [{ provide: HEALTH_OPTIONS, useValue: options }, RedisHealthIndicator, DatabasePoolMetrics, ...readinessChecks],
    };
  }
}
