import { Module } from '@nestjs/common';

import { ToolsRepository } from '../tools/tools.repository';
import { ToolConfigsController } from './tool-configs.controller';
import { ToolConfigsRepository } from './tool-configs.repository';
import { ToolConfigsService } from './tool-configs.service';

/** Tool display configs (W6–W11). ToolsRepository is stateless; this module keeps its own. */
@Module({ controllers: [ToolConfigsController], providers: [ToolsRepository, ToolConfigsRepository, ToolConfigsService] })
export class ToolConfigsModule {}
