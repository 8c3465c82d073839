import { type DynamicModule, type InjectionToken, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';

import { IDEMPOTENCY_KEY_PREFIX, IDEMPOTENCY_REDIS, IdempotencyInterceptor } from './idempotency';
import { LEGACY_HTTP_OPTIONS, LegacyExceptionFilter, type LegacyHttpOptions as FilterOptions } from './legacy-exception.filter';
import { LegacyFamilyGuard } from './legacy-family.decorator';
import { legacySecurityHeaders } from './security-headers';
import { LegacyValidationPipe } from './validation.pipe';

/**
 * Registers, once per service (in its AppModule), the global validation pipe and the global
 * legacy exception filter, with the service's route families, the legacy helmet headers on
 * every route, and the `@Idempotent()` interceptor (keys in the service's Redis when given).
 */
export interface LegacyHttpModuleOptions extends FilterOptions {
  /** Where `Idempotency-Key`s are kept: the injection token of the service's ioredis client and REDIS_KEY_PREFIX. */
  idempotency?: { redis: InjectionToken; keyPrefix: string };
}

@Module({})
export class LegacyHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(legacySecurityHeaders()).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }

  static forRoot({ idempotency, ...options }: LegacyHttpModuleOptions): DynamicModule {
    return {
      module: LegacyHttpModule,
      providers: [
        { provide: LEGACY_HTTP_OPTIONS, useValue: options },
        ...(idempotency
          ? [
              { provide: IDEMPOTENCY_REDIS, useExisting: idempotency.redis },
              { provide: IDEMPOTENCY_KEY_PREFIX, useValue: idempotency.keyPrefix },
            ]
          : []),
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_FILTER, useClass: LegacyExceptionFilter },
        { provide: APP_PIPE, useClass: LegacyValidationPipe },
        { provide: APP_GUARD, useClass: LegacyFamilyGuard },
      ],
    };
  }
}
