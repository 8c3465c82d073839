import { booleanFlag, nonNegativeInt, positiveInt } from '@nafs/config';
import { z } from 'zod';

/**
 * Tunables of a producer's relay (EVENTS_* variables; the defaults suit production). Spread into
 * the service's config schema, so they are validated once with the rest of its config.
 */
export const relayEnvVars = {
  REDIS_KEY_PREFIX: z.string().default('nafs:'),
  EVENTS_RELAY_ENABLED: booleanFlag(true),
  EVENTS_RELAY_POLL_MS: positiveInt(150),
  EVENTS_RELAY_BATCH_SIZE: positiveInt(100),
  EVENTS_RELAY_LISTEN: booleanFlag(false),
  EVENTS_STREAM_RETENTION_HOURS: nonNegativeInt(24),
  EVENTS_OUTBOX_RETENTION_DAYS: nonNegativeInt(7),
};
export const relayEnvShape = z.object(relayEnvVars);

/** Tunables of a service's stream consumers (spread into its config schema). */
export const consumerEnvVars = {
  REDIS_KEY_PREFIX: z.string().default('nafs:'),
  EVENTS_CONSUMER_ENABLED: booleanFlag(true),
  EVENTS_BATCH_SIZE: positiveInt(10),
  EVENTS_BLOCK_MS: positiveInt(2000),
  EVENTS_CLAIM_IDLE_MS: positiveInt(30_000),
  EVENTS_MAX_DELIVERIES: positiveInt(5),
  EVENTS_PROCESSED_RETENTION_DAYS: nonNegativeInt(30),
};
export const consumerEnvShape = z.object(consumerEnvVars);

export type RelaySettings = z.infer<typeof relayEnvShape>;
export type ConsumerSettings = z.infer<typeof consumerEnvShape>;
