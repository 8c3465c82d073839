export * from './metrics.tokens';
export * from './metrics.module';
export * from './http-metrics.middleware';
export * from './metric-helpers';
export * from './database-pool.metrics';
