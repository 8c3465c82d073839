import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import type { ClientMeta } from '../sessions/sessions.service';
import type { AuditLogEntity } from './audit-log.entity';
import { type AuditLogFilter, AuditLogsRepository } from './audit-logs.repository';

export interface AuditEntry {
  userId: string | null;
  tenantId: string | null;
  action: string;
  resourceType: string;
  resourceId?: string | null;
  changes?: unknown;
  meta: ClientMeta;
}

/** audit_logs (legacy-api.md 2.11), plus the events legacy defined but never wired (register, login, logout). */
@Injectable()
export class AuditLogsService {
  private readonly logger = new Logger(AuditLogsService.name);

  constructor(private readonly auditLogs: AuditLogsRepository) {}

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
      await this.auditLogs.insert(row, manager);
      return;
    }
    await this.auditLogs
      .insert(row)
      .catch((error) => this.logger.warn(`audit entry ${entry.action} not stored: ${(error as Error).message}`));
  }

  /** An admin sees the audit trail of their own tenant (or of tenant-less records). */
  list(query: AuditLogFilter, tenantScope: string | null): Promise<{ items: AuditLogEntity[]; total: number }> {
    return this.auditLogs.list(query, tenantScope);
  }
}
