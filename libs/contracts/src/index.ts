export * from './lib/services';
export * from './lib/tables';
export * from './lib/cross-service-references';
export * from './lib/rpc';
export * from './lib/errors';
export * from './lib/health';
export * from './lib/gateway-routes';
