import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import type { ClientMeta } from '../sessions/sessions.service';
import { AuditLogEntity } from './audit-log.entity';

export interface AuditEntry {
  userId: string | null;
  tenantId: string | null;
  action: string;
  resourceType: string;
  resourceId?: string | null;
  changes?: unknown;
  meta: ClientMeta;
}

export interface AuditQuery {
  page: number;
  limit: number;
  userId?: string;
  tenantId?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  from?: Date;
  to?: Date;
}

/** audit_logs (legacy-api.md 2.11), plus the events legacy defined but never wired (register, login, logout). */
@Injectable()
export class AuditLogsService {
  private readonly logger = new Logger(AuditLogsService.name);

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Inside a transaction (`manager`) the entry commits or rolls back with the change it describes.
   * Without one, a failure to write is logged and swallowed, as in legacy: auditing must not turn
   * a successful login into an error.
   */
  async record(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const row = {
      userId: entry.userId,
      tenantId: entry.tenantId,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId ?? null,
      ...(entry.changes === undefined || entry.changes === null ? {} : { changes: entry.changes as object }),
      ipAddress: entry.meta.ip,
      userAgent: entry.meta.userAgent,
    };
    if (manager) {
      await manager.insert(AuditLogEntity, row);
      return;
    }
    await this.dataSource.manager
      .insert(AuditLogEntity, row)
      .catch((error) => this.logger.warn(`audit entry ${entry.action} not stored: ${(error as Error).message}`));
  }

  async list(query: AuditQuery, tenantScope: string | null): Promise<{ items: AuditLogEntity[]; total: number }> {
    const qb = this.dataSource.getRepository(AuditLogEntity).createQueryBuilder('a');
    // An admin sees the audit trail of their own tenant (or of tenant-less records).
    if (tenantScope) qb.where('a.tenant_id = :tenantScope', { tenantScope });
    else qb.where('a.tenant_id IS NULL');
    if (query.userId) qb.andWhere('a.user_id = :userId', { userId: query.userId });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.resourceType) qb.andWhere('a.resource_type = :resourceType', { resourceType: query.resourceType });
    if (query.resourceId) qb.andWhere('a.resource_id = :resourceId', { resourceId: query.resourceId });
    if (query.from) qb.andWhere('a.created_at >= :from', { from: query.from });
    if (query.to) qb.andWhere('a.created_at <= :to', { to: query.to });
    const [items, total] = await qb
      .orderBy('a.created_at', 'DESC', 'NULLS LAST')
      .addOrderBy('a.id', 'ASC')
      .skip((query.page - 1) * query.limit)
      .take(query.limit)
      .getManyAndCount();
    return { items, total };
  }
}
