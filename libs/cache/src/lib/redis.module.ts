import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';

import { createRedisClient } from './redis-options';

/** Injection token of the service's shared ioredis client. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** Provides one Redis connection per service and closes it on shutdown. */
@Global()
@Module({})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  static forRoot(env: Readonly<Record<string, unknown>>, connectionName: string): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: REDIS_CLIENT, useFactory: () => createRedisClient(env, connectionName) }],
      exports: [REDIS_CLIENT],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
