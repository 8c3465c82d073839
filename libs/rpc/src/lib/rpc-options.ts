import { redisOptionsFromEnv } from '@nafs/cache';

import { PrefixedRedisClient, PrefixedRedisServer } from './prefixed-redis-transport';

/** process.env, or a service's validated config (REDIS_*, RPC_CHANNEL_PREFIX). */
type Env = Readonly<Record<string, unknown>>;

function transportOptions(env: Env) {
  const { host, port, username, password, db, tls } = redisOptionsFromEnv(env);
  // The transport reconnects by itself; give up on a single attempt quickly so a call fails
  // within its timeout instead of waiting on an offline queue.
  return { host, port, username, password, db, tls, retryAttempts: Number.MAX_SAFE_INTEGER, retryDelay: 500 };
}

export function createRpcServer(env: Env = process.env): PrefixedRedisServer {
  return new PrefixedRedisServer(transportOptions(env), String(env.RPC_CHANNEL_PREFIX ?? ''));
}

export function createRpcClient(env: Env = process.env): PrefixedRedisClient {
  return new PrefixedRedisClient(transportOptions(env), String(env.RPC_CHANNEL_PREFIX ?? ''));
}

/** Injection token of the ClientProxy that talks to auth-service. */
export const AUTH_RPC_CLIENT = Symbol('AUTH_RPC_CLIENT');
