import { booleanFlag, loadConfig, nonNegativeInt, positiveInt } from '@nafs/config';
import { z } from 'zod';

type Env = Record<string, unknown>;

/** Tunables of auth's relay (EVENTS_* variables; the defaults suit production). */
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

/** Tunables of the consumers in web and forms (spread into their config schemas). */
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

/** The EVENTS_* values of a service's validated config (its schema spreads the vars above). */
function asEnv(env: Env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== null) out[key] = String(value);
  return out;
}

export function relaySettingsFromEnv(service: string, env: Env): RelaySettings {
  return loadConfig(`${service} (events relay)`, relayEnvShape, asEnv(env));
}

export function consumerSettingsFromEnv(service: string, env: Env): ConsumerSettings {
  return loadConfig(`${service} (events consumer)`, consumerEnvShape, asEnv(env));
}
