import { Module } from '@nestjs/common';
import { ToolRegistryController } from './tool-registry.controller';
import { ToolRegistryRepository } from './tool-registry.repository';
import { ToolRegistryService } from './tool-registry.service';

/**
 * The tool registry (W19–W24). Import it in AppModule before ToolsModule (route order). Exports
 * ToolRegistryRepository for the export-jobs feature (W25–W31 read tool_registry).
 */
@Module({ controllers: [ToolRegistryController], providers: [ToolRegistryRepository, ToolRegistryService], exports: [ToolRegistryRepository] })
export class ToolRegistryModule {}
