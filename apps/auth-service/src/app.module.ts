import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RedisModule } from '@nafs/cache';
import { databaseSettingsFromEnv, typeOrmOptions } from '@nafs/database';
import { HealthModule } from '@nafs/observability';
import type { AuthConfig } from './config/auth.config';
import { AUTH_SCHEMA } from './database/schema';
import { IdentityModule } from './identity/identity.module';

@Module({})
export class AppModule {
  static register(config: AuthConfig): DynamicModule {
    const env = config as unknown as Record<string, string | undefined>;
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot(typeOrmOptions(databaseSettingsFromEnv('auth', config), AUTH_SCHEMA)),
        RedisModule.forRoot(env, 'auth-service'),
        HealthModule.forRoot({ environment: config.NODE_ENV }),
        IdentityModule,
      ],
    };
  }
}
