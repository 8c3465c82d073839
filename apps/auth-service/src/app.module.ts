import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RedisModule } from '@nafs/cache';
import { databaseSettingsFromEnv, typeOrmOptions } from '@nafs/database';
import { HealthModule } from '@nafs/observability';
import { ApiTokenAccessModule } from './api-tokens/api-token-access.module';
import type { AuthConfig } from './config/auth.config';
import { AuthConfigModule } from './config/auth-config.module';
import { AUTH_SCHEMA } from './database/schema';
import { IdentityModule } from './identity/identity.module';
import { OutboxModule } from './outbox/outbox.module';

@Module({})
export class AppModule {
  static register(config: AuthConfig): DynamicModule {
    const env = config as unknown as Record<string, string | undefined>;
    return {
      module: AppModule,
      imports: [
        AuthConfigModule.forRoot(config),
        TypeOrmModule.forRoot(typeOrmOptions(databaseSettingsFromEnv('auth', config), AUTH_SCHEMA)),
        RedisModule.forRoot(env, 'auth-service'),
        HealthModule.forRoot({ environment: config.NODE_ENV }),
        OutboxModule,
        ApiTokenAccessModule,
        IdentityModule,
      ],
    };
  }
}
