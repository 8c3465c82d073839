import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';

import { AdminSecurityHeadersMiddleware } from './admin-security';
import { AdminToolsController } from './admin-tools.controller';
import { PublicToolsController } from './public-tools.controller';
import { ToolsRepository } from './tools.repository';
import { ToolsService } from './tools.service';
import { TOOLS_CACHE_OPTIONS, ToolsListCache } from './tools-list.cache';

/** Admin tools (W1–W5, W12–W15) and public tools (W16–W18). Needs WebOutboxModule and RedisModule. */
@Module({})
export class ToolsModule implements NestModule {
  static register(options: { keyPrefix: string }): DynamicModule {
    return {
      module: ToolsModule,
      controllers: [AdminToolsController, PublicToolsController],
      providers: [
        { provide: TOOLS_CACHE_OPTIONS, useValue: { keyPrefix: options.keyPrefix } },
        ToolsListCache,
        ToolsRepository,
        ToolsService,
      ],
      exports: [ToolsRepository],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // The whole admin router, tool configs included, errors included.
    consumer
      .apply(AdminSecurityHeadersMiddleware)
      .forRoutes(
        { path: 'api/v1/admin/tools', method: RequestMethod.ALL },
        { path: 'api/v1/admin/tools/*path', method: RequestMethod.ALL },
      );
  }
}
