import { ApiTokenEntity } from '../api-tokens/api-token.entity';
import { ApiTokenUsageEntity } from '../api-tokens/api-token-usage.entity';
import { AuditLogEntity } from '../audit-logs/audit-log.entity';
import { OutboxEntity } from '../outbox/outbox.entity';
import { PasswordResetEntity } from '../password-resets/password-reset.entity';
import { SessionEntity } from '../sessions/session.entity';
import { TenantEntity } from '../tenants/tenant.entity';
import { UserEntity } from '../users/user.entity';

/** Every entity of auth-service, one per table it owns (the 7 legacy tables and the event outbox). */
export const AUTH_ENTITIES = [
  TenantEntity,
  UserEntity,
  SessionEntity,
  PasswordResetEntity,
  AuditLogEntity,
  ApiTokenEntity,
  ApiTokenUsageEntity,
  OutboxEntity,
];
