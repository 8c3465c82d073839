import { type ServiceDefinition, useLegacyJsonBody } from '@nafs/runtime';
import type { NestExpressApplication } from '@nestjs/platform-express';

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
  // `req.ip` is the client the gateway saw (X-Forwarded-For), not the gateway itself. The JSON
  // body limit stays at Express's 100 KB (legacy: 10 MB) with the JSON nesting limit; oversize bodies get
  // the route family's 413.
  configureApp: (app, config) => {
    (app as NestExpressApplication).set('trust proxy', config.TRUST_PROXY_HOPS);
    useLegacyJsonBody(app, { limit: '100kb' });
  },
};
