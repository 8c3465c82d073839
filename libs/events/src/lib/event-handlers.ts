import type { AuthEvent } from '@nafs/contracts';
import type { DataSource, EntityManager } from 'typeorm';

/** The table each consuming service keeps the ids of the events it applied in (its own database). */
export const PROCESSED_EVENTS_TABLE = 'processed_events';

/**
 * A change a service makes in its own database when an event arrives. It runs inside the
 * transaction that records the event id, so the change and "this event was applied" commit
 * together or not at all; throwing rolls both back and leaves the event pending for a retry.
 */
export interface AuthEventHandler {
  /** For logs. */
  readonly name: string;
  /** Event types it handles; all when omitted. */
  readonly eventTypes?: readonly string[];
  handle(event: AuthEvent, manager: EntityManager): Promise<void>;
}

/**
 * A side effect outside the database, such as dropping an identity cache entry. It runs after
 * the transaction on every delivery, duplicates included, so it must be idempotent; throwing
 * leaves the event pending and it is retried (the database part is then skipped).
 */
export type AuthEventListener = (event: AuthEvent) => Promise<void> | void;

export interface AuthEventHandlers {
  /** Applied once per service: database changes, in one transaction with the processed id. */
  handlers?: AuthEventHandler[];
  /** Run by the replica that applied the event, after the commit (e.g. the shared Redis cache). */
  listeners?: AuthEventListener[];
  /**
   * Run by every replica of the service, best effort, from a plain XREAD of the stream (not the
   * group): for state each process holds itself, such as an in-process identity cache. A replica
   * that was down has an empty in-process cache anyway, so missing events while down is harmless.
   */
  broadcastListeners?: AuthEventListener[];
}

export type ProcessOutcome = 'applied' | 'duplicate';

export interface ProcessedEventsOptions {
  dataSource: DataSource;
  handlers?: readonly AuthEventHandler[];
  listeners?: readonly AuthEventListener[];
  table?: string;
}

/**
 * Applies an event at most once per database: records its id in `processed_events` and runs the
 * handlers in the same transaction; an id already there means a redelivery, and the handlers are
 * skipped. Two replicas applying the same id at once serialise on the primary key, and the second
 * sees the first's row once it commits.
 */
export class IdempotentEventProcessor {
  private readonly table: string;

  constructor(private readonly options: ProcessedEventsOptions) {
    this.table = options.table ?? PROCESSED_EVENTS_TABLE;
    if (!/^[a-z_][a-z0-9_]*$/.test(this.table)) throw new Error(`invalid table name: ${this.table}`);
  }

  async process(event: AuthEvent): Promise<ProcessOutcome> {
    const applied = await this.options.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO ${this.table} (event_id, type) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [event.id, event.type],
      )) as unknown[];
      if (!inserted.length) return false;
      for (const handler of this.options.handlers ?? []) {
        if (!handler.eventTypes || handler.eventTypes.includes(event.type)) await handler.handle(event, manager);
      }
      return true;
    });
    for (const listener of this.options.listeners ?? []) await listener(event);
    return applied ? 'applied' : 'duplicate';
  }

  /** Forgets ids recorded longer ago than `olderThanMs` (far beyond any redelivery); returns how many. */
  async prune(olderThanMs: number): Promise<number> {
    const [row] = (await this.options.dataSource.query(
      `WITH pruned AS (DELETE FROM ${this.table} WHERE processed_at < now() - make_interval(secs => $1) RETURNING 1) SELECT count(*)::int AS count FROM pruned`,
      [olderThanMs / 1000],
    )) as { count: number }[];
    return row?.count ?? 0;
  }
}
