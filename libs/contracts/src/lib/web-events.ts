/**
 * Durable events web-service publishes. web writes each one into its own `event_outbox` table in
 * the same transaction as the change; a relay moves them to the Redis stream
 * `<REDIS_KEY_PREFIX>events:web`. forms consumes the tool events (e.g. the `short-link` tool's
 * active flag); auth consumes `web.audit.recorded` into its `audit_logs`, once per event id.
 */
export const WEB_EVENT_STREAM = 'events:web';

export const WEB_EVENTS = {
  toolCreated: 'web.tool.created',
  toolUpdated: 'web.tool.updated',
  toolDeleted: 'web.tool.deleted',
  auditRecorded: 'web.audit.recorded',
} as const;

export type WebEventType = (typeof WEB_EVENTS)[keyof typeof WEB_EVENTS];

/** `web.tool.deleted` carries the tool's last state with `active: false`. */
export interface ToolChangedPayload {
  toolId: string;
  key: string;
  name: string;
  active: boolean;
  schemaVersion: 1;
}

export interface AuditRecordedPayload {
  schemaVersion: 1;
  userId: string | null;
  tenantId: string | null;
  action: string;
  resourceType: string;
  /** The resource's uuid (for tools: the tool's uuid). */
  resourceId: string;
  details: Record<string, unknown> | null;
  ipAddress: string | null;
  userAgent: string | null;
  occurredAt: string;
}

export interface WebEventPayloads {
  'web.tool.created': ToolChangedPayload;
  'web.tool.updated': ToolChangedPayload;
  'web.tool.deleted': ToolChangedPayload;
  'web.audit.recorded': AuditRecordedPayload;
}

export interface WebEvent<T extends WebEventType = WebEventType> {
  /** uuid of web's outbox row: the idempotency key of every consumer. */
  id: string;
  type: T;
  occurredAt: string;
  payload: WebEventPayloads[T];
}
