import { UUID_PATTERN } from '@nafs/contracts';
import { createZodDto, e2Ok, zDateTime, zPositiveInt, zText } from '@nafs/http';
import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';

import { Auth } from '../access/auth.guard';
import { Identity, type RequestIdentity } from '../access/request-identity';
import type { AuditLogEntity } from './audit-log.entity';
import { AuditLogsService } from './audit-logs.service';

const uuid = (label: string) => z.string().regex(UUID_PATTERN, `${label} must be a UUID`).optional();
// `from=-100000-01-01` was a PostgreSQL error (500): only years 1-9999 are dates.
const date = () => zDateTime.optional();

const auditQuerySchema = z.object({
  page: zPositiveInt('page', 1),
  limit: zPositiveInt('limit', 50).transform((value) => Math.min(value, 100)),
  userId: uuid('userId'),
  resourceId: uuid('resourceId'),
  action: zText(100, { min: 1, trim: true }).optional(),
  resourceType: zText(50, { min: 1, trim: true }).optional(),
  from: date(),
  to: date(),
});
class AuditQueryDto extends createZodDto(auditQuerySchema) {}

function toAuditLogDto(row: AuditLogEntity) {
  return {
    id: row.id,
    tenantId: row.tenantId,
    userId: row.userId,
    action: row.action,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    changes: row.changes,
    ipAddress: row.ipAddress,
    userAgent: row.userAgent,
    createdAt: row.createdAt,
  };
}

/**
 * Read access to audit_logs (new; legacy had none). Admins see their tenant's trail. Served at
 * /api/v1/audit-logs (in the gateway route table) and at /api/v1/users/audit-logs, registered
 * before /users/:id, for deployments whose gateway predates that route.
 */
@Controller(['api/v1/audit-logs', 'api/v1/users/audit-logs'])
@Auth('admin')
export class AuditLogsController {
  constructor(private readonly audit: AuditLogsService) {}

  @Get()
  async list(@Identity() identity: RequestIdentity, @Query() input: AuditQueryDto) {
    const { items, total } = await this.audit.list(input, identity.tenantId);
    return e2Ok(
      {
        logs: items.map(toAuditLogDto),
        pagination: { page: input.page, limit: input.limit, total, totalPages: Math.ceil(total / input.limit) },
      },
      'Audit logs retrieved successfully',
    );
  }
}
