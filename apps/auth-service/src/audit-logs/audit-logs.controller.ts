import { Controller, Get, Query } from '@nestjs/common';
import { z } from 'zod';
import { Auth } from '../access/auth.guard';
import { Identity, type RequestIdentity } from '../access/request-identity';
import { e2Ok } from '../common/http/envelopes';
import { validate } from '../common/http/validation';
import { UUID_PATTERN } from '@nafs/contracts';
import type { AuditLogEntity } from './audit-log.entity';
import { AuditLogsService } from './audit-logs.service';

const positive = (label: string, fallback: number) =>
  z.preprocess((value) => (value === undefined || value === '' ? fallback : value), z.coerce.number({ error: `${label} must be a positive integer` }).int(`${label} must be a positive integer`).min(1, `${label} must be a positive integer`));
const uuid = (label: string) => z.string().regex(UUID_PATTERN, `${label} must be a UUID`).optional();
const date = (label: string) =>
  z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)), `${label} must be an ISO 8601 date`)
    .transform((value) => new Date(value))
    .optional();

const auditQuerySchema = z.object({
  page: positive('page', 1),
  limit: positive('limit', 50).transform((value) => Math.min(value, 100)),
  userId: uuid('userId'),
  resourceId: uuid('resourceId'),
  action: z.string().trim().min(1).max(100).optional(),
  resourceType: z.string().trim().min(1).max(50).optional(),
  from: date('from'),
  to: date('to'),
});

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
  async list(@Identity() identity: RequestIdentity, @Query() query: unknown) {
    const input = validate(auditQuerySchema, query, 'V2', 'query');
    const { items, total } = await this.audit.list(input, identity.tenantId);
    return e2Ok({ logs: items.map(toAuditLogDto), pagination: { page: input.page, limit: input.limit, total, totalPages: Math.ceil(total / input.limit) } }, 'Audit logs retrieved successfully');
  }
}
