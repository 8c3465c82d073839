import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

import { ToolEntity } from './tool.entity';

export interface NewTool {
  key: string;
  name: string;
  description: string;
  active: boolean;
  /** Null lets the legacy trigger derive it from the name (trigger_tool_slug_generation). */
  slug: string | null;
}

/** SQL of the `tools` aggregate. */
@Injectable()
export class ToolsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ToolEntity);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  listAll(): Promise<ToolEntity[]> {
    return this.repo().find({ order: { name: 'ASC', key: 'ASC' } });
  }

  listActive(): Promise<ToolEntity[]> {
    return this.repo().find({ where: { active: true }, order: { name: 'ASC', key: 'ASC' } });
  }

  findByKey(key: string, manager?: EntityManager): Promise<ToolEntity | null> {
    return this.repo(manager).findOne({ where: { key } });
  }

  findBySlug(slug: string): Promise<ToolEntity | null> {
    return this.repo().findOne({ where: { slug } });
  }

  async keyExists(key: string): Promise<boolean> {
    return (await this.repo().count({ where: { key } })) > 0;
  }

  /** The tool row locked for the rest of the transaction (serialises config activations of one tool). */
  lockByKey(key: string, manager: EntityManager): Promise<ToolEntity | null> {
    return this.repo(manager).createQueryBuilder('t').setLock('pessimistic_write').where('t.key = :key', { key }).getOne();
  }

  /**
   * Inserts a tool. Raw SQL so that `slug` goes in as NULL when absent: the legacy trigger then
   * derives it, and the AFTER INSERT trigger creates the one default config. Returns null when
   * the key (or an explicit slug) is already taken.
   */
  async insert(tool: NewTool, manager: EntityManager): Promise<ToolEntity | null> {
    const rows = (await manager.query(
      `INSERT INTO tools (key, name, description, active, slug) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING id`,
      [tool.key, tool.name, tool.description, tool.active, tool.slug],
    )) as { id: string }[];
    if (!rows.length) return null;
    return this.repo(manager).findOneOrFail({ where: { id: rows[0].id } });
  }

  async setActive(key: string, active: boolean, manager: EntityManager): Promise<ToolEntity | null> {
    const result = await this.repo(manager)
      .createQueryBuilder()
      .update(ToolEntity)
      .set({ active })
      .where('key = :key', { key })
      .returning('id')
      .execute();
    if (!result.affected) return null;
    return this.findByKey(key, manager);
  }

  /** Hard delete; tool_configs rows cascade. Returns the deleted row. */
  async deleteByKey(key: string, manager: EntityManager): Promise<ToolEntity | null> {
    const tool = await this.findByKey(key, manager);
    if (!tool) return null;
    await this.repo(manager).delete({ id: tool.id });
    return tool;
  }
}
