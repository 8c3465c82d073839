export * from './lib/redis-options';
export * from './lib/redis-cache';
export * from './lib/redis.module';
