import { type DynamicModule, Global, Module } from '@nestjs/common';

import type { FormsConfig } from './forms.config';

/** The validated configuration, injectable anywhere in forms-service as `@Inject(FORMS_CONFIG)`. */
export const FORMS_CONFIG = Symbol('FORMS_CONFIG');

@Global()
@Module({})
export class FormsConfigModule {
  static register(config: FormsConfig): DynamicModule {
    return { module: FormsConfigModule, providers: [{ provide: FORMS_CONFIG, useValue: config }], exports: [FORMS_CONFIG] };
  }
}
