import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';

import { LEGACY_HTTP_OPTIONS, LegacyExceptionFilter, type LegacyHttpOptions } from './legacy-exception.filter';
import { LegacyFamilyGuard } from './legacy-family.decorator';
import { legacySecurityHeaders } from './security-headers';
import { LegacyValidationPipe } from './validation.pipe';

/**
 * Registers, once per service (in its AppModule), the global validation pipe and the global
 * legacy exception filter, with the service's route families, and the legacy helmet headers on
 * every route.
 */
@Module({})
export class LegacyHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(legacySecurityHeaders()).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }

  static forRoot(options: LegacyHttpOptions): DynamicModule {
    return {
      module: LegacyHttpModule,
      providers: [
        { provide: LEGACY_HTTP_OPTIONS, useValue: options },
        { provide: APP_FILTER, useClass: LegacyExceptionFilter },
        { provide: APP_PIPE, useClass: LegacyValidationPipe },
        { provide: APP_GUARD, useClass: LegacyFamilyGuard },
      ],
    };
  }
}
