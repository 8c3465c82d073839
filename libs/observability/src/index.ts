export * from './lib/logger';
export * from './lib/health/health.options';
export * from './lib/health/health.module';
export * from './lib/health/redis.health';
export * from './lib/metrics';
