import { type DynamicModule, Global, Module } from '@nestjs/common';

import { AuthGuard } from './auth.guard';
import { IDENTITY_CLIENT_OPTIONS, type IdentityClientOptions } from './auth-client.config';
import { AuthRpcCaller } from './auth-rpc-caller';
import { IdentityCacheInvalidator } from './identity-cache-invalidator';
import { IdentityClient } from './identity-client';
import { IdentityMetrics } from './identity-metrics';
import { IdentityReferences } from './identity-reference';

/**
 * Everything web and forms need to know who is calling. Needs, in the application:
 * `RedisModule` (REDIS_CLIENT), `AuthRpcModule` (AUTH_RPC_CLIENT) and, for `/metrics`,
 * `MetricsModule`. Controllers opt in with `@UseGuards(AuthGuard)`.
 */
@Global()
@Module({})
export class AuthClientModule {
  static forRoot(options: IdentityClientOptions): DynamicModule {
    const providers = [IdentityMetrics, AuthRpcCaller, IdentityClient, IdentityCacheInvalidator, IdentityReferences, AuthGuard];
    return {
      module: AuthClientModule,
      providers: [{ provide: IDENTITY_CLIENT_OPTIONS, useValue: options }, ...providers],
      exports: [IDENTITY_CLIENT_OPTIONS, ...providers],
    };
  }
}
