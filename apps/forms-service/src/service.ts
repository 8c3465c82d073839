import { type ServiceDefinition, useLegacyJsonBody } from '@nafs/runtime';
import { AppModule } from './app.module';
import { type FormsConfig, loadFormsConfig } from './config/forms.config';
import { FORMS_SCHEMA } from './database/schema';

export const FORMS_SERVICE: ServiceDefinition<FormsConfig> = {
  service: 'forms',
  app: 'forms-service',
  schema: FORMS_SCHEMA,
  loadConfig: loadFormsConfig,
  rootModule: (config) => AppModule.register(config),
  // Legacy JSON limit (legacy-api.md 1.6), and body-parser errors in the legacy E3 shape.
  configureApp: (app, config) => useLegacyJsonBody(app, config.NODE_ENV === 'production'),
};
