import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { AUTH_CONFIG, type AuthConfig } from '../../config/auth.config';
import { LegacyExceptionFilter } from './legacy-exception.filter';

/**
 * HTTP concerns of the whole app: legacy error envelopes for every route, and `trust proxy` so
 * `req.ip` is the client the gateway saw (X-Forwarded-For), not the gateway itself.
 */
@Module({ providers: [{ provide: APP_FILTER, useClass: LegacyExceptionFilter }] })
export class HttpSetupModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  onModuleInit(): void {
    const app = this.adapterHost.httpAdapter?.getInstance?.() as { set?: (name: string, value: unknown) => void } | undefined;
    app?.set?.('trust proxy', this.config.TRUST_PROXY_HOPS);
  }
}
