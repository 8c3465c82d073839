import { REDIS_CLIENT, RedisModule } from '@nafs/cache';
import { databaseSettingsFromEnv, typeOrmOptions } from '@nafs/database';
import { LegacyHttpModule } from '@nafs/http';
import { HealthModule, MetricsModule } from '@nafs/observability';
import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AccessModule } from './access/access.module';
import { ApiTokenAccessModule } from './api-tokens/api-token-access.module';
import { ApiTokensModule } from './api-tokens/api-tokens.module';
import { AuditLogsModule } from './audit-logs/audit-logs.module';
import { AuthModule } from './auth/auth.module';
import type { AuthConfig } from './config/auth.config';
import { AuthConfigModule } from './config/auth-config.module';
import { AUTH_SCHEMA } from './database/schema';
import { AuthOutboxRelayModule } from './events/outbox-relay.module';
import { AUTH_LEGACY_ROUTES } from './http/legacy-routes';
import { IdentityModule } from './identity/identity.module';
import { MailModule } from './mail/mail.module';
import { OutboxModule } from './outbox/outbox.module';
import { RateLimitMiddleware } from './rate-limit/rate-limit.middleware';

@Module({})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // The legacy helmet headers come from LegacyHttpModule.
    consumer.apply(RateLimitMiddleware).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }

  static register(config: AuthConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthConfigModule.forRoot(config),
        TypeOrmModule.forRoot(typeOrmOptions(databaseSettingsFromEnv('auth', config), AUTH_SCHEMA)),
        RedisModule.forRoot(config, 'auth-service'),
        HealthModule.forRoot({ environment: config.NODE_ENV }),
        MetricsModule.forRoot({ service: 'auth-service' }),
        LegacyHttpModule.forRoot({
          routes: AUTH_LEGACY_ROUTES,
          production: config.NODE_ENV === 'production',
          idempotency: { redis: REDIS_CLIENT, keyPrefix: config.REDIS_KEY_PREFIX },
        }),
        OutboxModule,
        AuthOutboxRelayModule.register(config),
        MailModule,
        AuditLogsModule,
        ApiTokenAccessModule,
        AccessModule,
        IdentityModule,
        AuthModule,
        ApiTokensModule,
      ],
    };
  }
}
