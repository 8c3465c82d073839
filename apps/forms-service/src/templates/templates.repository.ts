import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { FormTemplateEntity, type TemplateCategory } from './form-template.entity';

/** SQL of `form_templates`. */
@Injectable()
export class TemplatesRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(FormTemplateEntity);
  }

  async listActive(
    category: TemplateCategory | undefined,
    page: number,
    limit: number,
  ): Promise<{ rows: FormTemplateEntity[]; total: number }> {
    const qb = this.repo.createQueryBuilder('t').where('t.is_active');
    if (category) qb.andWhere('t.category = :category', { category });
    const [rows, total] = await qb
      .orderBy('t.usage_count', 'DESC')
      .addOrderBy('t.created_at', 'DESC')
      .addOrderBy('t.id')
      .offset((page - 1) * limit)
      .limit(limit)
      .getManyAndCount();
    return { rows, total };
  }

  find(id: string): Promise<FormTemplateEntity | null> {
    return this.repo.findOneBy({ id });
  }

  nameTaken(name: string, exceptId?: string): Promise<boolean> {
    const qb = this.repo.createQueryBuilder('t').where('t.name = :name', { name });
    if (exceptId) qb.andWhere('t.id <> :id', { id: exceptId });
    return qb.getExists();
  }

  async insert(row: Partial<FormTemplateEntity>): Promise<FormTemplateEntity> {
    const id = randomUUID();
    await this.repo.insert({ ...row, id } as never);
    return (await this.find(id)) as FormTemplateEntity;
  }

  async update(id: string, patch: Partial<FormTemplateEntity>): Promise<FormTemplateEntity | null> {
    await this.repo.update({ id }, patch as never);
    return this.find(id);
  }

  /** Counts one use (forms-api increments on every apply). */
  async incrementUsage(id: string): Promise<void> {
    await this.repo.increment({ id }, 'usageCount', 1);
  }
}
