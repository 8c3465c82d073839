import { type ServiceDefinition, useLegacyJsonBody } from '@nafs/runtime';

import { AppModule } from './app.module';
import { loadWebConfig, type WebConfig } from './config/web.config';
import { WEB_SCHEMA } from './database/schema';

export const WEB_SERVICE: ServiceDefinition<WebConfig> = {
  service: 'web',
  app: 'web-service',
  schema: WEB_SCHEMA,
  loadConfig: loadWebConfig,
  rootModule: (config) => AppModule.register(config),
  // Legacy JSON limit (legacy-api.md 1.6): drawings carry base64 thumbnails.
  configureApp: (app) => useLegacyJsonBody(app),
};
