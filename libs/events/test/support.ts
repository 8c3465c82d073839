import { connect, createServer, type Server, type Socket } from 'node:net';

import type { TestDatabase } from '@nafs/database/testing';
import { DataSource } from 'typeorm';

/** The outbox table exactly as auth-service's migration creates it (1700000000002-event-outbox). */
export const OUTBOX_DDL = `
  CREATE TABLE event_outbox (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    type          varchar(100) NOT NULL,
    payload       jsonb NOT NULL,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
  );
  CREATE INDEX idx_event_outbox_unpublished ON event_outbox (occurred_at) WHERE published_at IS NULL;`;

/** The table web and forms create in their own migrations. */
export const PROCESSED_EVENTS_DDL = `
  CREATE TABLE processed_events (
    event_id      uuid PRIMARY KEY,
    type          varchar(100) NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now()
  );`;

export async function openDataSource(db: TestDatabase, poolSize = 5): Promise<DataSource> {
  const dataSource = new DataSource({ type: 'postgres', url: db.url, entities: [], extra: { max: poolSize } });
  await dataSource.initialize();
  return dataSource;
}

export { waitFor } from '@nafs/database/testing';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A TCP proxy in front of Redis that a test can take down and bring back on the same port, to
 * simulate a Redis outage without touching the shared server.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client).add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
