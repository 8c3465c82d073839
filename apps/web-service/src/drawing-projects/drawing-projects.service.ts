import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdentityReferences } from '@nafs/auth-client';
import { DrawingProjectEntity } from './drawing-project.entity';
import { E7Exception } from './drawing-project.errors';
import type { CreateDrawingProjectInput, UpdateDrawingProjectInput } from './dto/drawing-project.dto';

/** Per-user drawing projects (legacy-api.md 3.2 W32-W36, 5.8): owner-only, hard delete. */
@Injectable()
export class DrawingProjectsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly references: IdentityReferences,
  ) {}

  private get repository() {
    return this.dataSource.getRepository(DrawingProjectEntity);
  }

  list(userId: string, activeOnly: boolean): Promise<DrawingProjectEntity[]> {
    return this.repository.find({
      where: activeOnly ? { userId, isActive: true } : { userId },
      order: { createdAt: 'DESC' },
    });
  }

  /** The project if the caller owns it; 404 when it does not exist, 403 when it is someone else's. */
  async getOwned(id: string, userId: string): Promise<DrawingProjectEntity> {
    const project = await this.repository.findOne({ where: { id } });
    if (!project) throw new E7Exception(HttpStatus.NOT_FOUND, 'Project not found or unauthorized');
    if (project.userId !== userId) throw new E7Exception(HttpStatus.FORBIDDEN, 'Unauthorized access to project');
    return project;
  }

  async create(userId: string, input: CreateDrawingProjectInput): Promise<DrawingProjectEntity> {
    // App-layer foreign key: drawing_projects.user_id used to REFERENCE users(id).
    await this.references.requireActiveUser(userId, 'userId');
    const rows: { id: string }[] = await this.dataSource.query(
      `INSERT INTO drawing_projects (user_id, name, description, template_data, thumbnail)
       VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING id`,
      [userId, input.name, input.description ?? null, JSON.stringify(input.templateData), input.thumbnail ?? null],
    );
    return this.repository.findOneOrFail({ where: { id: rows[0].id } });
  }

  async update(id: string, userId: string, input: UpdateDrawingProjectInput): Promise<DrawingProjectEntity> {
    await this.getOwned(id, userId);
    const sets: string[] = [];
    const values: unknown[] = [];
    const set = (column: string, value: unknown, cast = '') => {
      values.push(value);
      sets.push(`${column} = $${values.length}${cast}`);
    };
    if (input.name !== undefined) set('name', input.name);
    if (input.description !== undefined) set('description', input.description);
    if (input.templateData !== undefined) set('template_data', JSON.stringify(input.templateData), '::jsonb');
    if (input.thumbnail !== undefined) set('thumbnail', input.thumbnail);
    if (input.isActive !== undefined) set('is_active', input.isActive);
    values.push(id, userId);
    await this.dataSource.query(
      `UPDATE drawing_projects SET ${sets.join(', ')}, updated_at = CURRENT_TIMESTAMP WHERE id = $${values.length - 1} AND user_id = $${values.length}`,
      values,
    );
    return this.repository.findOneOrFail({ where: { id } });
  }

  async remove(id: string, userId: string): Promise<void> {
    await this.getOwned(id, userId);
    await this.repository.delete({ id, userId });
  }
}
