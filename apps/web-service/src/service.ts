import type { ServiceDefinition } from '@nafs/runtime';
import { AppModule } from './app.module';
import { type WebConfig, loadWebConfig } from './config/web.config';
import { WEB_SCHEMA } from './database/schema';

export const WEB_SERVICE: ServiceDefinition<WebConfig> = {
  service: 'web',
  app: 'web-service',
  schema: WEB_SCHEMA,
  loadConfig: loadWebConfig,
  rootModule: (config) => AppModule.register(config),
};
