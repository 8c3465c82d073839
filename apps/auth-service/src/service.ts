import type { ServiceDefinition } from '@nafs/runtime';
import { AppModule } from './app.module';
import { type AuthConfig, loadAuthConfig } from './config/auth.config';
import { AUTH_SCHEMA } from './database/schema';

export const AUTH_SERVICE: ServiceDefinition<AuthConfig> = {
  service: 'auth',
  app: 'auth-service',
  schema: AUTH_SCHEMA,
  loadConfig: loadAuthConfig,
  rootModule: (config) => AppModule.register(config),
  rpcServer: true,
};
