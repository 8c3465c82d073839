import type { ServiceName } from '@nafs/contracts';
import { type DynamicModule, Module } from '@nestjs/common';

import { ApiDocsController } from './api-docs.controller';
import { API_DOCS_UPSTREAMS, ApiDocsService } from './api-docs.service';

@Module({})
export class ApiDocsModule {
  static register(upstreams: Record<ServiceName, string>): DynamicModule {
    return {
      module: ApiDocsModule,
      controllers: [ApiDocsController],
      providers: [{ provide: API_DOCS_UPSTREAMS, useValue: upstreams }, ApiDocsService],
      exports: [ApiDocsService],
    };
  }
}
