import { Module } from '@nestjs/common';

import { DrawingProjectsController } from './drawing-projects.controller';
import { DrawingProjectsRepository } from './drawing-projects.repository';
import { DrawingProjectsService } from './drawing-projects.service';

@Module({ controllers: [DrawingProjectsController], providers: [DrawingProjectsService, DrawingProjectsRepository] })
export class DrawingProjectsModule {}
