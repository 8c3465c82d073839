import { AUTH_EVENT_STREAM, WEB_EVENT_STREAM } from '@nafs/contracts';

/**
 * The consumer groups of auth's event stream: one per consuming service, named after its app.
 * auth's relay creates them when it starts, so the stream keeps every event for a service that has
 * never run yet (and trimming never drops an entry a group has not read).
 */
export const AUTH_EVENT_CONSUMER_GROUPS = ['web-service', 'forms-service'] as const;
export type AuthEventConsumerGroup = (typeof AUTH_EVENT_CONSUMER_GROUPS)[number];

/** `<REDIS_KEY_PREFIX>events:auth`: the stream the relay appends auth's outbox rows to. */
export function authEventStreamKey(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}${AUTH_EVENT_STREAM}`;
}

/**
 * The consumer groups of web-service's event stream: auth writes web's audit records into
 * audit_logs, forms follows the tools' active flags. web's relay creates them when it starts.
 */
export const WEB_EVENT_CONSUMER_GROUPS = ['auth-service', 'forms-service'] as const;

/** `<REDIS_KEY_PREFIX>events:web`: the stream web's relay appends web's outbox rows to. */
export function webEventStreamKey(redisKeyPrefix: string): string {
  return `${redisKeyPrefix}${WEB_EVENT_STREAM}`;
}

/**
 * `<stream>:dead-letter:<group>`: where a group's consumer moves an entry it could not apply after
 * the maximum number of deliveries (or could not even decode). One per group, because an event
 * that is poison for one service may be fine for another.
 */
export function deadLetterStreamKey(streamKey: string, group: string): string {
  return `${streamKey}:dead-letter:${group}`;
}

/** Stream entry ids are `<ms>-<seq>`; compares two of them (negative when a < b). */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq = '0'] = a.split('-');
  const [bMs, bSeq = '0'] = b.split('-');
  const byMs = BigInt(aMs) - BigInt(bMs);
  if (byMs !== 0n) return byMs < 0n ? -1 : 1;
  const bySeq = BigInt(aSeq) - BigInt(bSeq);
  return bySeq === 0n ? 0 : bySeq < 0n ? -1 : 1;
}
