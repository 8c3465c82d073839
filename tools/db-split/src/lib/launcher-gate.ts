import type { Client } from 'pg';

import type { Endpoint } from './connections';

/**
 * Before PostgreSQL 16 the logical replication launcher starts the apply workers of all the
 * subscriptions it finds enabled in one pass, then waits wal_retrieve_retry_interval before the
 * next pass, for the whole server: an ENABLE committed just after a pass waits that long for its
 * worker (0.2 s with the setting .ci/run uses; 5 s by default), which happened in about half of
 * bench/db-split's `sync start` runs with three subscriptions on one server.
 *
 * Given the open transactions that each ENABLE a subscription (`clients[i]` on
 * `subscribers[i]`), this picks one per PostgreSQL < 16 server that has two or more of them and
 * takes an ACCESS EXCLUSIVE lock on pg_subscription in it (ALTER SUBSCRIPTION keeps no lock on
 * the catalog, so it is granted at once). Commit the others first, then the returned ones: the
 * launcher, woken by the first commits, waits to read pg_subscription until the last one, and
 * then finds every subscription enabled in one pass. If the lock cannot be had within
 * lock_timeout (a long transaction reading pg_subscription), that transaction goes on without it,
 * its earlier statements intact: the workers may then start an interval apart, as without it.
 */
export async function holdLauncherBack(subscribers: Endpoint[], clients: Client[]): Promise<Client[]> {
  const byServer = new Map<string, Client[]>();
  subscribers.forEach((endpoint, i) => {
    const server = `${endpoint.settings.host}:${endpoint.settings.port}`;
    byServer.set(server, [...(byServer.get(server) ?? []), clients[i]]);
  });
  const gates: Client[] = [];
  for (const [gate, ...others] of byServer.values()) {
    if (!others.length) continue;
    const { rows } = await gate.query<{ version: number }>("SELECT current_setting('server_version_num')::int AS version");
    if (rows[0].version >= 160000) continue;
    await gate.query('SAVEPOINT launcher_gate');
    try {
      await gate.query("SET LOCAL lock_timeout = '1s'");
      await gate.query('LOCK TABLE pg_catalog.pg_subscription IN ACCESS EXCLUSIVE MODE');
      gates.push(gate);
    } catch {
      await gate.query('ROLLBACK TO SAVEPOINT launcher_gate');
    }
  }
  return gates;
}
