export * from './lib/logger';
export * from './lib/health/health.options';
export * from './lib/health/health.module';
export * from './lib/health/redis.health';
export * from './lib/metrics';
export * from './lib/logging/request-context';
export * from './lib/logging/request-logging';
export * from './lib/logging/rpc-request-context.interceptor';
