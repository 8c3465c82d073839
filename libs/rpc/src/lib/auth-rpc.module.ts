import { AUTH_PATTERNS, type PingResponse } from '@nafs/contracts';
import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { HealthIndicatorService } from '@nestjs/terminus';

import { rpcCall } from './rpc-call';
import { AUTH_RPC_CLIENT, createRpcClient } from './rpc-options';

/** Readiness of the auth RPC path, for web and forms: a `ping` round trip over Redis. */
@Injectable()
export class AuthRpcHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    @Inject(AUTH_RPC_CLIENT) private readonly client: ClientProxy,
  ) {}

  async ping(key = 'auth-rpc', timeoutMs = 1000) {
    const check = this.indicator.check(key);
    try {
      const pong = await rpcCall<PingResponse>(this.client, AUTH_PATTERNS.ping, {}, timeoutMs);
      return check.up({ service: pong.service });
    } catch (error) {
      return check.down({ message: (error as Error).message || 'no answer from auth-service' });
    }
  }
}

/** The ClientProxy web and forms use to reach auth-service over the Redis transport. */
@Global()
@Module({})
export class AuthRpcModule implements OnApplicationShutdown {
  constructor(@Inject(AUTH_RPC_CLIENT) private readonly client: ClientProxy) {}

  static forRoot(env: Readonly<Record<string, unknown>>): DynamicModule {
    return {
      module: AuthRpcModule,
      providers: [{ provide: AUTH_RPC_CLIENT, useFactory: () => createRpcClient(env) }],
      exports: [AUTH_RPC_CLIENT],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
