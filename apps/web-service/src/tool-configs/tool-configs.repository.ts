import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

import { ToolConfigEntity } from '../tools/tool-config.entity';

export interface ConfigFields {
  version?: string;
  displayMode?: string;
  layoutSettings?: Record<string, unknown>;
  isActive?: boolean;
}

export const DEFAULT_CONFIG = {
  version: '1.0.0',
  displayMode: 'standard',
  layoutSettings: { maxWidth: '1200px', padding: '2rem' },
} as const;

/** SQL of `tool_configs`. One active config per tool: the partial unique index and the legacy trigger. */
@Injectable()
export class ToolConfigsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ToolConfigEntity);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  listForTool(toolId: string, manager?: EntityManager): Promise<ToolConfigEntity[]> {
    return this.repo(manager).find({ where: { toolId }, order: { createdAt: 'DESC', version: 'DESC' } });
  }

  findActive(toolId: string): Promise<ToolConfigEntity | null> {
    return this.repo().findOne({ where: { toolId, isActive: true } });
  }

  findById(id: string, manager?: EntityManager): Promise<ToolConfigEntity | null> {
    return this.repo(manager).findOne({ where: { id } });
  }

  async versionTaken(toolId: string, version: string, exceptId: string | null, manager: EntityManager): Promise<boolean> {
    const qb = this.repo(manager).createQueryBuilder('c').where('c.tool_id = :toolId AND c.version = :version', { toolId, version });
    if (exceptId) qb.andWhere('c.id <> :exceptId', { exceptId });
    return (await qb.getCount()) > 0;
  }

  /** The lazy default of W7 (the insert trigger makes it for new tools); no-op if one appeared meanwhile. */
  async insertDefault(toolId: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO tool_configs (tool_id, version, display_mode, layout_settings, is_active) VALUES ($1, $2, $3, $4::jsonb, true) ON CONFLICT DO NOTHING`,
      [toolId, DEFAULT_CONFIG.version, DEFAULT_CONFIG.displayMode, JSON.stringify(DEFAULT_CONFIG.layoutSettings)],
    );
  }

  async insert(
    toolId: string,
    fields: Required<Pick<ConfigFields, 'version' | 'displayMode'>> & ConfigFields,
    manager: EntityManager,
  ): Promise<ToolConfigEntity> {
    const rows = (await manager.query(
      `INSERT INTO tool_configs (tool_id, version, display_mode, layout_settings, is_active) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING id`,
      [toolId, fields.version, fields.displayMode, JSON.stringify(fields.layoutSettings ?? {}), fields.isActive ?? false],
    )) as { id: string }[];
    return this.repo(manager).findOneOrFail({ where: { id: rows[0].id } });
  }

  /** The BEFORE trigger deactivates the tool's other configs when this one becomes active. */
  async update(id: string, fields: ConfigFields, manager: EntityManager): Promise<ToolConfigEntity> {
    const set: Partial<ToolConfigEntity> = {};
    if (fields.version !== undefined) set.version = fields.version;
    if (fields.displayMode !== undefined) set.displayMode = fields.displayMode;
    if (fields.layoutSettings !== undefined) set.layoutSettings = fields.layoutSettings;
    if (fields.isActive !== undefined) set.isActive = fields.isActive;
    if (Object.keys(set).length) await this.repo(manager).update({ id }, set as never);
    return this.repo(manager).findOneOrFail({ where: { id } });
  }

  async delete(id: string, manager: EntityManager): Promise<void> {
    await this.repo(manager).delete({ id });
  }
}
