import { IdentityReferences } from '@nafs/auth-client';
import { BadRequestError, ForbiddenError, NotFoundError } from '@nafs/http';
import { Injectable } from '@nestjs/common';

import type { DrawingProjectEntity } from './drawing-project.entity';
import { DrawingProjectsRepository } from './drawing-projects.repository';
import type { CreateDrawingProjectInput, UpdateDrawingProjectInput } from './dto/drawing-project.dto';

/** Per-user drawing projects (legacy-api.md 3.2 W32-W36, 5.8): owner-only, hard delete. */
@Injectable()
export class DrawingProjectsService {
  constructor(
    private readonly projects: DrawingProjectsRepository,
    private readonly references: IdentityReferences,
  ) {}

  list(userId: string, activeOnly: boolean): Promise<DrawingProjectEntity[]> {
    return this.projects.listByUser(userId, activeOnly);
  }

  /** The project if the caller owns it; 404 when it does not exist, 403 when it is someone else's. */
  async getOwned(id: string, userId: string): Promise<DrawingProjectEntity> {
    const project = await this.projects.findById(id);
    if (!project) throw new NotFoundError('PROJECT_NOT_FOUND', 'Project not found or unauthorized');
    if (project.userId !== userId) throw new ForbiddenError('FORBIDDEN', 'Unauthorized access to project');
    return project;
  }

  async create(userId: string, input: CreateDrawingProjectInput): Promise<DrawingProjectEntity> {
    // App-layer foreign key: drawing_projects.user_id used to REFERENCE users(id).
    await this.references.requireActiveUser(userId, 'userId');
    return this.projects.insert(userId, input);
  }

  async update(id: string, userId: string, input: UpdateDrawingProjectInput): Promise<DrawingProjectEntity> {
    // Legacy asks for at least one truthy field; `isActive: false` alone is accepted here, since
    // otherwise a project could never be deactivated on its own.
    if (Object.values(input).every((value) => value === undefined)) {
      throw new BadRequestError('BAD_REQUEST', 'At least one field must be provided for update');
    }
    await this.getOwned(id, userId);
    return this.projects.update(id, userId, input);
  }

  async remove(id: string, userId: string): Promise<void> {
    await this.getOwned(id, userId);
    await this.projects.delete(id, userId);
  }
}
