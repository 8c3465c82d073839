export * from './lib/redis-options';
export * from './lib/redis.module';
