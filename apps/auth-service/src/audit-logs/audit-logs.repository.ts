import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

import { AuditLogEntity } from './audit-log.entity';

export interface AuditLogRow {
  userId: string | null;
  tenantId: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  changes?: object;
  ipAddress: string | null;
  userAgent: string | null;
}

export interface AuditLogFilter {
  page: number;
  limit: number;
  userId?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  from?: Date;
  to?: Date;
}

/** The SQL of `audit_logs`. */
@Injectable()
export class AuditLogsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: AuditLogRow, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.insert(AuditLogEntity, row);
  }

  /** Newest first; `tenantScope` null means the tenant-less records. */
  async list(filter: AuditLogFilter, tenantScope: string | null): Promise<{ items: AuditLogEntity[]; total: number }> {
    const qb = this.dataSource.getRepository(AuditLogEntity).createQueryBuilder('a');
    if (tenantScope) qb.where('a.tenant_id = :tenantScope', { tenantScope });
    else qb.where('a.tenant_id IS NULL');
    if (filter.userId) qb.andWhere('a.user_id = :userId', { userId: filter.userId });
    if (filter.action) qb.andWhere('a.action = :action', { action: filter.action });
    if (filter.resourceType) qb.andWhere('a.resource_type = :resourceType', { resourceType: filter.resourceType });
    if (filter.resourceId) qb.andWhere('a.resource_id = :resourceId', { resourceId: filter.resourceId });
    if (filter.from) qb.andWhere('a.created_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('a.created_at <= :to', { to: filter.to });
    const [items, total] = await qb
      .orderBy('a.created_at', 'DESC', 'NULLS LAST')
      .addOrderBy('a.id', 'ASC')
      .skip((filter.page - 1) * filter.limit)
      .take(filter.limit)
      .getManyAndCount();
    return { items, total };
  }
}
