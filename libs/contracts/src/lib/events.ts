/**
 * Durable events auth-service publishes about users, tenants and API tokens. auth writes each one
 * into its `event_outbox` table in the same transaction as the change; a relay moves them to the
 * Redis stream `<REDIS_KEY_PREFIX>events:auth`; web and forms consume it with one consumer group
 * per service and apply each event once (idempotent handlers, processed ids kept in their own DB).
 */
export const AUTH_EVENTS = {
  userUpdated: 'auth.user.updated',
  userDeactivated: 'auth.user.deactivated',
  userDeleted: 'auth.user.deleted',
  tenantUpdated: 'auth.tenant.updated',
  apiTokenRevoked: 'auth.api-token.revoked',
  apiTokenUpdated: 'auth.api-token.updated',
} as const;

export type AuthEventType = (typeof AUTH_EVENTS)[keyof typeof AUTH_EVENTS];

export const AUTH_EVENT_STREAM = 'events:auth';
export const OUTBOX_TABLE = 'event_outbox';

export interface UserUpdatedPayload {
  userId: string;
  email: string;
  role: string;
  tenantId: string | null;
  isActive: boolean;
  /** Names of the fields that changed, e.g. ['role']. */
  changed: string[];
}

export interface UserDeactivatedPayload {
  userId: string;
  tenantId: string | null;
}

/** A hard delete: consumers replay the legacy ON DELETE rules (CASCADE or SET NULL). */
export interface UserDeletedPayload {
  userId: string;
  tenantId: string | null;
}

export interface TenantUpdatedPayload {
  tenantId: string;
  isActive: boolean;
  status: string;
  plan: string;
}

export interface ApiTokenRevokedPayload {
  tokenId: string;
  userId: string;
  /** sha256 hex of the plaintext token: the key identity caches use for API-token lookups. */
  tokenSha256: string | null;
}

/** An active token's scopes changed (deactivation and deletion are `auth.api-token.revoked`). */
export interface ApiTokenUpdatedPayload {
  tokenId: string;
  userId: string;
  /** sha256 hex of the plaintext token, null for a legacy row never presented since the move. */
  tokenSha256: string | null;
  scopes: string[];
  /** Names of the fields that changed, e.g. ['scopes']. */
  changed: string[];
}

export interface AuthEventPayloads {
  'auth.user.updated': UserUpdatedPayload;
  'auth.user.deactivated': UserDeactivatedPayload;
  'auth.user.deleted': UserDeletedPayload;
  'auth.tenant.updated': TenantUpdatedPayload;
  'auth.api-token.revoked': ApiTokenRevokedPayload;
  'auth.api-token.updated': ApiTokenUpdatedPayload;
}

export interface AuthEvent<T extends AuthEventType = AuthEventType> {
  /** uuid of the outbox row: the idempotency key of every consumer. */
  id: string;
  type: T;
  occurredAt: string;
  payload: AuthEventPayloads[T];
  /** X-Request-Id of the request whose change produced the event (request-id.ts), when known. */
  requestId?: string;
}
