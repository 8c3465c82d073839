import type { Client } from 'pg';

import type { Side } from './catalog';
import { connect, connectEach } from './connections';
import { classifyDatabaseError } from './errors';

/**
 * One consistent view of a side: for every database, a coordinator transaction exports its
 * snapshot (`pg_export_snapshot()`) and stays open while worker connections import it with
 * `SET TRANSACTION SNAPSHOT`, so parallel workers read exactly the same committed state, as
 * pg_dump --jobs does. (A split side has one snapshot per database: three databases cannot share
 * one; that is why the services are stopped while rolling back.)
 */
export class SnapshotGroup {
  private readonly readers: Client[] = [];

  private constructor(
    private readonly side: Side,
    readonly coordinators: Record<string, Client>,
    readonly snapshots: Record<string, string>,
  ) {}

  /**
   * `imported` names snapshots exported elsewhere (a replication slot's, see replication.ts): the
   * coordinator then imports that snapshot instead of exporting its own, and workers import it too.
   */
  static async open(side: Side, keys: string[], imported: Record<string, string> = {}): Promise<SnapshotGroup> {
    const snapshots: Record<string, string> = {};
    // Side by side: each database's snapshot is its own (see above), so nothing orders them.
    const clients = await connectEach(
      keys.map((key) => side.endpoints[key]),
      async (client, i) => {
        const key = keys[i];
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        if (imported[key]) {
          await client.query(`SET TRANSACTION SNAPSHOT '${imported[key].replace(/'/g, "''")}'`);
          snapshots[key] = imported[key];
          return;
        }
        const { rows } = await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id');
        snapshots[key] = rows[0].id;
      },
    );
    return new SnapshotGroup(side, Object.fromEntries(keys.map((key, i) => [key, clients[i]])), snapshots);
  }

  /** A new connection reading inside the exported snapshot of database `key`. */
  async reader(key: string): Promise<Client> {
    const endpoint = this.side.endpoints[key];
    const client = await connect(endpoint);
    this.readers.push(client);
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`SET TRANSACTION SNAPSHOT '${this.snapshots[key].replace(/'/g, "''")}'`);
    } catch (error) {
      throw classifyDatabaseError(error, `${endpoint.label}: importing the snapshot`);
    }
    return client;
  }

  async close(): Promise<void> {
    const all = [...this.readers, ...Object.values(this.coordinators)];
    await Promise.all(
      all.map(async (client) => {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end().catch(() => undefined);
      }),
    );
  }
}

/** Per-worker connections, opened on first use and kept for the worker's next tables. */
export class ConnectionCache {
  private readonly clients = new Map<string, Promise<Client>>();

  constructor(private readonly open: (key: string) => Promise<Client>) {}

  get(key: string): Promise<Client> {
    let client = this.clients.get(key);
    if (!client) {
      client = this.open(key);
      this.clients.set(key, client);
    }
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(
      [...this.clients.values()].map(async (pending) => {
        const client = await pending.catch(() => undefined);
        await client?.end().catch(() => undefined);
      }),
    );
    this.clients.clear();
  }
}
