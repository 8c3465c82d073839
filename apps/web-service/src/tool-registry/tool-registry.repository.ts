import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

import { ToolRegistryEntryEntity } from './tool-registry-entry.entity';

export type NewRegistryEntry = Pick<ToolRegistryEntryEntity, 'toolId' | 'name' | 'version' | 'route' | 'apiBase' | 'manifestJson'> &
  Partial<Pick<ToolRegistryEntryEntity, 'description' | 'icon' | 'permissions' | 'status' | 'createdBy'>>;

export type RegistryChanges = Partial<
  Pick<
    ToolRegistryEntryEntity,
    | 'name'
    | 'description'
    | 'version'
    | 'icon'
    | 'status'
    | 'route'
    | 'apiBase'
    | 'permissions'
    | 'isExported'
    | 'exportedAt'
    | 'serviceUrl'
    | 'databaseName'
    | 'manifestJson'
  >
>;

/**
 * SQL of `tool_registry` (legacy-api.md 5.7). `toolId` is the human key (`form-builder`), `id` the
 * uuid export_jobs reference. Exported for the export-jobs feature.
 */
@Injectable()
export class ToolRegistryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(ToolRegistryEntryEntity);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  listNewestFirst(): Promise<ToolRegistryEntryEntity[]> {
    return this.repo().find({ order: { createdAt: 'DESC', toolId: 'ASC' } });
  }

  findByToolId(toolId: string, manager?: EntityManager): Promise<ToolRegistryEntryEntity | null> {
    return this.repo(manager).findOne({ where: { toolId } });
  }

  findById(id: string, manager?: EntityManager): Promise<ToolRegistryEntryEntity | null> {
    return this.repo(manager).findOne({ where: { id } });
  }

  /** Row locked for the rest of the transaction (status transitions, deletion). */
  lockByToolId(toolId: string, manager: EntityManager): Promise<ToolRegistryEntryEntity | null> {
    return this.repo(manager).createQueryBuilder('r').setLock('pessimistic_write').where('r.tool_id = :toolId', { toolId }).getOne();
  }

  /** Case-insensitive substring of name or description, by name. */
  search(text: string): Promise<ToolRegistryEntryEntity[]> {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return this.repo()
      .createQueryBuilder('r')
      .where(`r.name ILIKE :pattern ESCAPE '\\' OR r.description ILIKE :pattern ESCAPE '\\'`, { pattern })
      .orderBy('r.name', 'ASC')
      .addOrderBy('r.tool_id', 'ASC')
      .getMany();
  }

  /** Returns null when the toolId is taken (unique index). */
  async insert(entry: NewRegistryEntry): Promise<ToolRegistryEntryEntity | null> {
    const result = await this.repo()
      .createQueryBuilder()
      .insert()
      .into(ToolRegistryEntryEntity)
      .values({ ...entry, status: entry.status ?? 'beta', manifestJson: entry.manifestJson as object })
      .orIgnore()
      .returning(['id'])
      .execute();
    const id = (result.raw as { id: string }[])[0]?.id;
    return id ? this.repo().findOneOrFail({ where: { id } }) : null;
  }

  async update(id: string, changes: RegistryChanges, manager: EntityManager): Promise<ToolRegistryEntryEntity> {
    if (Object.keys(changes).length) await this.repo(manager).update({ id }, changes as never);
    return this.repo(manager).findOneOrFail({ where: { id } });
  }

  async delete(id: string, manager: EntityManager): Promise<void> {
    await this.repo(manager).delete({ id });
  }
}
