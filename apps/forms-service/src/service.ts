import { type ServiceDefinition, useLegacyJsonBody } from '@nafs/runtime';
import type { NestExpressApplication } from '@nestjs/platform-express';

import { AppModule } from './app.module';
import { type FormsConfig, loadFormsConfig } from './config/forms.config';
import { FORMS_SCHEMA } from './database/schema';

export const FORMS_SERVICE: ServiceDefinition<FormsConfig> = {
  service: 'forms',
  app: 'forms-service',
  schema: FORMS_SCHEMA,
  loadConfig: loadFormsConfig,
  rootModule: (config) => AppModule.register(config),
  // Also answers web's export jobs over the Redis transport (src/export-source).
  rpcServer: true,
  // Legacy JSON limit (legacy-api.md 1.6) and a nesting limit; body errors answer in the route's family.
  // req.ip is the client the gateway reports in X-Forwarded-For (exactly TRUST_PROXY_HOPS hops trusted).
  configureApp: (app, config) => {
    (app as NestExpressApplication).set('trust proxy', config.TRUST_PROXY_HOPS);
    useLegacyJsonBody(app);
  },
};
