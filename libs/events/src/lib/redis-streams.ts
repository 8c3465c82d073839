import type Redis from 'ioredis';

/** One entry as ioredis returns it: `[id, [field, value, ...]]`. */
export type RawStreamEntry = [id: string, fields: string[]];

export interface GroupInfo {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
  /** Entries not delivered to the group yet; null when Redis cannot tell (after some deletions). */
  lag: number | null;
}

function pairs(reply: unknown): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) record[String(reply[i])] = reply[i + 1];
  return record;
}

/** `XINFO GROUPS`, parsed; an empty list when the stream does not exist. */
export async function streamGroups(redis: Redis, stream: string): Promise<GroupInfo[]> {
  let reply: unknown;
  try {
    reply = await redis.xinfo('GROUPS', stream);
  } catch (error) {
    if (/no such key/i.test((error as Error).message)) return [];
    throw error;
  }
  return (reply as unknown[]).map((raw) => {
    const info = pairs(raw);
    return {
      name: String(info['name']),
      consumers: Number(info['consumers']),
      pending: Number(info['pending']),
      lastDeliveredId: String(info['last-delivered-id']),
      lag: info['lag'] === null || info['lag'] === undefined ? null : Number(info['lag']),
    };
  });
}

/**
 * Creates the group at the start of the stream (and the stream itself) unless it exists. Starting
 * at `0` rather than `$` means a group created after events were published still gets them.
 */
export async function ensureGroup(redis: Redis, stream: string, group: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
  } catch (error) {
    if (!/BUSYGROUP/.test((error as Error).message)) throw error;
  }
}

export function isNoGroupError(error: unknown): boolean {
  return /NOGROUP/.test((error as Error | undefined)?.message ?? '');
}
