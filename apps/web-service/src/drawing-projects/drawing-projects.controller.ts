import { AuthGuard, CurrentUser } from '@nafs/auth-client';
import type { AuthenticatedUser } from '@nafs/contracts';
import { e7Ok, Idempotent } from '@nafs/http';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query, UseGuards } from '@nestjs/common';

import { DrawingProjectsService } from './drawing-projects.service';
import {
  CreateDrawingProjectDto,
  DrawingProjectIdParamsDto,
  ListDrawingProjectsQueryDto,
  toDrawingProjectDto,
  UpdateDrawingProjectDto,
} from './dto/drawing-project.dto';

/** `/api/v1/drawing-projects` (W32-W36): all authenticated, owner-only, family E7, validation V1. */
@Controller('api/v1/drawing-projects')
@UseGuards(AuthGuard)
export class DrawingProjectsController {
  constructor(private readonly projects: DrawingProjectsService) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: ListDrawingProjectsQueryDto) {
    const projects = await this.projects.list(user.id, query.activeOnly === 'true');
    return e7Ok({ projects: projects.map(toDrawingProjectDto), total: projects.length });
  }

  @Get(':id')
  async get(@CurrentUser() user: AuthenticatedUser, @Param() { id }: DrawingProjectIdParamsDto) {
    return e7Ok({ project: toDrawingProjectDto(await this.projects.getOwned(id, user.id)) });
  }

  @Post()
  @Idempotent()
  @HttpCode(HttpStatus.CREATED)
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: CreateDrawingProjectDto) {
    return e7Ok({ project: toDrawingProjectDto(await this.projects.create(user.id, body)) }, 'Project created successfully');
  }

  @Put(':id')
  async update(@CurrentUser() user: AuthenticatedUser, @Param() { id }: DrawingProjectIdParamsDto, @Body() body: UpdateDrawingProjectDto) {
    return e7Ok({ project: toDrawingProjectDto(await this.projects.update(id, user.id, body)) }, 'Project updated successfully');
  }

  @Delete(':id')
  async remove(@CurrentUser() user: AuthenticatedUser, @Param() { id }: DrawingProjectIdParamsDto) {
    await this.projects.remove(id, user.id);
    return e7Ok(undefined, 'Project deleted successfully');
  }
}
