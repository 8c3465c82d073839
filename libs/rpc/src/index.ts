export * from './lib/prefixed-redis-transport';
export * from './lib/rpc-options';
export * from './lib/rpc-call';
export * from './lib/auth-rpc.module';
export * from './lib/resilient-rpc';
