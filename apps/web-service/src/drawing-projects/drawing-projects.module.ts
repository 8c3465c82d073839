import { Module } from '@nestjs/common';
import { DrawingProjectsController } from './drawing-projects.controller';
import { DrawingProjectsService } from './drawing-projects.service';

@Module({ controllers: [DrawingProjectsController], providers: [DrawingProjectsService] })
export class DrawingProjectsModule {}
