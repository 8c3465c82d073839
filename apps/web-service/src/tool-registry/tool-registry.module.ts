import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';

import { ToolRegistryController } from './tool-registry.controller';
import { ToolRegistryRepository } from './tool-registry.repository';
import { ToolRegistryService } from './tool-registry.service';
import { TOOL_REGISTRY_OPTIONS, type ToolRegistryOptions, ToolRegistryRateLimitMiddleware } from './tool-registry-rate-limit.middleware';

/**
 * The tool registry (W19–W24). Import it in AppModule before ToolsModule (route order). Exports
 * ToolRegistryRepository for the export-jobs feature (W25–W31 read tool_registry).
 */
@Module({
  controllers: [ToolRegistryController],
  providers: [ToolRegistryRepository, ToolRegistryService],
  exports: [ToolRegistryRepository],
})
export class ToolRegistryModule implements NestModule {
  static register(options: ToolRegistryOptions): DynamicModule {
    return {
      module: ToolRegistryModule,
      providers: [{ provide: TOOL_REGISTRY_OPTIONS, useValue: options }, ToolRegistryRateLimitMiddleware],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(ToolRegistryRateLimitMiddleware)
      .forRoutes(
        { path: 'api/v1/tools/registry', method: RequestMethod.ALL },
        { path: 'api/v1/tools/registry/*path', method: RequestMethod.ALL },
        { path: 'api/v1/tools/search', method: RequestMethod.ALL },
      );
  }
}
