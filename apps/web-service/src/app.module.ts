import { AuthClientModule, identityClientOptions } from '@nafs/auth-client';
import { REDIS_CLIENT, RedisModule } from '@nafs/cache';
import { databaseSettingsFromEnv, typeOrmOptions } from '@nafs/database';
import { LegacyHttpModule } from '@nafs/http';
import { HealthModule, MetricsModule, READINESS_CHECKS } from '@nafs/observability';
import { AuthRpcHealthIndicator, AuthRpcModule } from '@nafs/rpc';
import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import type { WebConfig } from './config/web.config';
import { WEB_SCHEMA } from './database/schema';
import { DrawingProjectsModule } from './drawing-projects/drawing-projects.module';
import { WebEventsModule } from './events/web-events.module';
import { WebOutboxModule } from './events/web-outbox.module';
import { ExportJobsModule } from './export-jobs/export-jobs.module';
import { WEB_LEGACY_ROUTES } from './http/legacy-routes';
import { TestToolModule } from './test-tool/test-tool.module';
import { ToolConfigsModule } from './tool-configs/tool-configs.module';
import { ToolRegistryModule } from './tool-registry/tool-registry.module';
import { ToolsModule } from './tools/tools.module';

@Module({})
export class AppModule {
  static register(config: WebConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LegacyHttpModule.forRoot({
          routes: WEB_LEGACY_ROUTES,
          bodyErrors: 'E3',
          production: config.NODE_ENV === 'production',
          idempotency: { redis: REDIS_CLIENT, keyPrefix: config.REDIS_KEY_PREFIX },
        }),
        TypeOrmModule.forRoot(typeOrmOptions(databaseSettingsFromEnv('web', config), WEB_SCHEMA)),
        RedisModule.forRoot(config, 'web-service'),
        AuthRpcModule.forRoot(config),
        WebEventsModule.register(config),
        MetricsModule.forRoot({ service: 'web-service' }),
        AuthClientModule.forRoot(identityClientOptions(config)),
        DrawingProjectsModule,
        ExportJobsModule.register(config),
        WebOutboxModule.register(config),
        // Before ToolsModule: /api/v1/tools/registry and /api/v1/tools/search win over /api/v1/tools/:key.
        ToolRegistryModule.register({ keyPrefix: config.REDIS_KEY_PREFIX, rateLimitMax: config.TOOL_REGISTRY_RATE_LIMIT_MAX }),
        ToolsModule.register({ keyPrefix: config.REDIS_KEY_PREFIX }),
        ToolConfigsModule,
        TestToolModule,
        HealthModule.forRoot(
          { environment: config.NODE_ENV },
          {
            readinessChecks: [
              AuthRpcHealthIndicator,
              {
                provide: READINESS_CHECKS,
                inject: [AuthRpcHealthIndicator],
                useFactory: (authRpc: AuthRpcHealthIndicator) => [() => authRpc.ping('auth-rpc')],
              },
            ],
          },
        ),
      ],
    };
  }
}
