import type { AuthEvent } from '@nafs/contracts';
import { z } from 'zod';

/**
 * How an AuthEvent is laid out in a stream entry: one field per envelope property, the payload as
 * JSON. Flat fields keep the stream readable with `XRANGE` and let a dead-letter copy add its own.
 */
export function encodeAuthEvent(event: AuthEvent): string[] {
  const fields = ['id', event.id, 'type', event.type, 'occurredAt', event.occurredAt, 'payload', JSON.stringify(event.payload)];
  if (event.requestId) fields.push('requestId', event.requestId);
  return fields;
}

const envelope = z.object({
  id: z.uuid(),
  type: z.string().min(1).max(100),
  occurredAt: z.string().min(1),
  // Only for logs: an odd value is dropped rather than making the event undecodable.
  requestId: z
    .string()
    .regex(/^[\w.:-]{1,128}$/)
    .optional()
    .catch(undefined),
  payload: z.string().transform((raw, ctx) => {
    try {
      const value: unknown = JSON.parse(raw);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'payload must be a JSON object' });
    return z.NEVER;
  }),
});

export function fieldsToRecord(fields: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]] = fields[i + 1];
  return record;
}

export class UndecodableEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UndecodableEventError';
  }
}

/**
 * Reads an entry back. The type is not checked against AUTH_EVENTS: a consumer older than the
 * producer sees types it does not know yet and simply has no handler for them.
 */
export function decodeAuthEvent(fields: readonly string[]): AuthEvent {
  const parsed = envelope.safeParse(fieldsToRecord(fields));
  if (!parsed.success) {
    throw new UndecodableEventError(
      `not an auth event: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ')}`,
    );
  }
  const { requestId, ...event } = parsed.data;
  return (requestId ? { ...event, requestId } : event) as unknown as AuthEvent;
}
