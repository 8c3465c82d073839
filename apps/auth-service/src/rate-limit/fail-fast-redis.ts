import type Redis from 'ioredis';

/** Longest a lockout or rate-limit command may take before the check is skipped (issue 17.9). */
export const GUARD_COMMAND_TIMEOUT_MS = 250;

/**
 * A connection of its own for the login guards (rate limits, lockout): while Redis is down its
 * commands fail at once (no offline queue, no retry) or after GUARD_COMMAND_TIMEOUT_MS, instead of
 * waiting for reconnection as the shared client does, so a Redis outage costs a login
 * milliseconds, not seconds. The caller closes it on shutdown.
 */
export function failFastRedis(shared: Redis, connectionName: string): Redis {
  const client = shared.duplicate({
    connectionName,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: GUARD_COMMAND_TIMEOUT_MS,
  });
  client.on('error', () => undefined); // the callers log each skipped check
  return client;
}
