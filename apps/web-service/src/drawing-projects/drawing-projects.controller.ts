import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query, UseFilters, UseGuards } from '@nestjs/common';
import { AuthGuard, CurrentUser } from '@nafs/auth-client';
import { type AuthenticatedUser, isUuid } from '@nafs/contracts';
import { E7Exception, V1ValidationException } from './drawing-project.errors';
import { DrawingProjectsExceptionFilter } from './drawing-projects.filter';
import { DrawingProjectsService } from './drawing-projects.service';
import { parseCreateDrawingProject, parseUpdateDrawingProject, toDrawingProjectDto } from './dto/drawing-project.dto';


function projectId(id: string): string {
  if (!isUuid(id)) throw new V1ValidationException([{ field: 'id', message: 'Invalid project ID format', value: id }]);
  return id;
}

/** `/api/v1/drawing-projects` (W32-W36): all authenticated, owner-only, family E7, validation V1. */
@Controller('api/v1/drawing-projects')
@UseGuards(AuthGuard)
@UseFilters(DrawingProjectsExceptionFilter)
export class DrawingProjectsController {
  constructor(private readonly projects: DrawingProjectsService) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser, @Query('activeOnly') activeOnly?: unknown) {
    const projects = await this.projects.list(user.id, activeOnly === 'true');
    return { success: true, data: { projects: projects.map(toDrawingProjectDto), total: projects.length } };
  }

  @Get(':id')
  async get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string) {
    const project = await this.projects.getOwned(projectId(id), user.id);
    return { success: true, data: { project: toDrawingProjectDto(project) } };
  }

  @Post()
  @HttpCode(HttpStatus.CREATED)
  async create(@CurrentUser() user: AuthenticatedUser, @Body() body: unknown) {
    const { input, details } = parseCreateDrawingProject(body);
    if (!input) throw new V1ValidationException(details);
    const project = await this.projects.create(user.id, input);
    return { success: true, data: { project: toDrawingProjectDto(project) }, message: 'Project created successfully' };
  }

  @Put(':id')
  async update(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string, @Body() body: unknown) {
    projectId(id);
    const { input, details } = parseUpdateDrawingProject(body);
    if (!input) throw new V1ValidationException(details);
    // Legacy asks for at least one truthy field; `isActive: false` alone is accepted here, since
    // otherwise a project could never be deactivated on its own.
    if (Object.values(input).every((value) => value === undefined)) {
      throw new E7Exception(HttpStatus.BAD_REQUEST, 'At least one field must be provided for update');
    }
    const project = await this.projects.update(id, user.id, input);
    return { success: true, data: { project: toDrawingProjectDto(project) }, message: 'Project updated successfully' };
  }

  @Delete(':id')
  async remove(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string) {
    await this.projects.remove(projectId(id), user.id);
    return { success: true, message: 'Project deleted successfully' };
  }
}
