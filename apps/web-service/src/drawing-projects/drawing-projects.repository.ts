import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { DrawingProjectEntity } from './drawing-project.entity';
import type { CreateDrawingProjectInput, UpdateDrawingProjectInput } from './dto/drawing-project.dto';

/** The SQL of `drawing_projects`. */
@Injectable()
export class DrawingProjectsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get projects() {
    return this.dataSource.getRepository(DrawingProjectEntity);
  }

  listByUser(userId: string, activeOnly: boolean): Promise<DrawingProjectEntity[]> {
    return this.projects.find({ where: activeOnly ? { userId, isActive: true } : { userId }, order: { createdAt: 'DESC' } });
  }

  findById(id: string): Promise<DrawingProjectEntity | null> {
    return this.projects.findOne({ where: { id } });
  }

  async insert(userId: string, input: CreateDrawingProjectInput): Promise<DrawingProjectEntity> {
    const result = await this.projects.insert({
      userId,
      name: input.name,
      description: input.description ?? null,
      templateData: input.templateData,
      thumbnail: input.thumbnail ?? null,
    });
    return this.projects.findOneOrFail({ where: { id: result.identifiers[0].id } });
  }

  async update(id: string, userId: string, changes: UpdateDrawingProjectInput): Promise<DrawingProjectEntity> {
    const set = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    await this.projects.update({ id, userId }, { ...set, updatedAt: () => 'CURRENT_TIMESTAMP' });
    return this.projects.findOneOrFail({ where: { id } });
  }

  async delete(id: string, userId: string): Promise<void> {
    await this.projects.delete({ id, userId });
  }
}
