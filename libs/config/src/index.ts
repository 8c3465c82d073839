export * from './lib/load-config';
export * from './lib/env-schemas';
export * from './lib/known-secrets';
