import { AuthClientModule, identityClientOptions } from '@nafs/auth-client';
import { REDIS_CLIENT, RedisModule } from '@nafs/cache';
import { databaseSettingsFromEnv, typeOrmOptions } from '@nafs/database';
import { LegacyHttpModule } from '@nafs/http';
import { HealthModule, MetricsModule, READINESS_CHECKS } from '@nafs/observability';
import { AuthRpcHealthIndicator, AuthRpcModule } from '@nafs/rpc';
import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AnalyticsModule } from './analytics/analytics.module';
import type { FormsConfig } from './config/forms.config';
import { FormsConfigModule } from './config/forms-config.module';
import { FORMS_SCHEMA } from './database/schema';
import { FormsEventsModule } from './events/forms-events.module';
import { ExportSourceModule } from './export-source/export-source.module';
import { FormsModule } from './forms/forms.module';
import { FORMS_LEGACY_ROUTES } from './http/legacy-routes';
import { InventoryModule } from './inventory/inventory.module';
import { PublicFormsModule } from './public-forms/public-forms.module';
import { ShortLinksModule } from './short-links/short-links.module';
import { TemplatesModule } from './templates/templates.module';
import { ThemesModule } from './themes/themes.module';
import { ToolFlagsModule } from './tool-flags/tool-flags.module';
import { UploadsModule } from './uploads/uploads.module';

@Module({})
export class AppModule {
  static register(config: FormsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        FormsConfigModule.register(config),
        LegacyHttpModule.forRoot({
          routes: FORMS_LEGACY_ROUTES,
          bodyErrors: 'E3',
          production: config.NODE_ENV === 'production',
          idempotency: { redis: REDIS_CLIENT, keyPrefix: config.REDIS_KEY_PREFIX },
        }),
        TypeOrmModule.forRoot(typeOrmOptions(databaseSettingsFromEnv('forms', config), FORMS_SCHEMA)),
        RedisModule.forRoot(config, 'forms-service'),
        AuthRpcModule.forRoot(config),
        MetricsModule.forRoot({ service: 'forms-service' }),
        AuthClientModule.forRoot(identityClientOptions(config)),
        ThemesModule.register(config),
        UploadsModule.register(config),
        FormsEventsModule.register(config),
        ToolFlagsModule.register(config),
        PublicFormsModule,
        ShortLinksModule,
        InventoryModule,
        FormsModule,
        TemplatesModule,
        AnalyticsModule,
        ExportSourceModule,
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
