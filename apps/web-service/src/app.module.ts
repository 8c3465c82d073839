import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthClientModule, identityClientOptions } from '@nafs/auth-client';
import { RedisModule } from '@nafs/cache';
import { databaseSettingsFromEnv, typeOrmOptions } from '@nafs/database';
import { LegacyHttpModule } from '@nafs/http';
import { HealthModule, MetricsModule, READINESS_CHECKS } from '@nafs/observability';
import { AuthRpcHealthIndicator, AuthRpcModule } from '@nafs/rpc';
import type { WebConfig } from './config/web.config';
import { WEB_LEGACY_ROUTES } from './http/legacy-routes';
import { WEB_SCHEMA } from './database/schema';
import { WebEventsModule } from './events/web-events.module';
import { DrawingProjectsModule } from './drawing-projects/drawing-projects.module';

@Module({})
export class AppModule {
  static register(config: WebConfig): DynamicModule {
    const env = config as unknown as Record<string, string | undefined>;
    return {
      module: AppModule,
      imports: [
        LegacyHttpModule.forRoot({ routes: WEB_LEGACY_ROUTES, bodyErrors: 'E3', production: config.NODE_ENV === 'production' }),
        TypeOrmModule.forRoot(typeOrmOptions(databaseSettingsFromEnv('web', config), WEB_SCHEMA)),
        RedisModule.forRoot(env, 'web-service'),
        AuthRpcModule.forRoot(env),
        WebEventsModule.register(config),
        MetricsModule.forRoot({ service: 'web-service' }),
        AuthClientModule.forRoot(identityClientOptions(config)),
        DrawingProjectsModule,
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
