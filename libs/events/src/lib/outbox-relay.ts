import { type AuthEvent, OUTBOX_TABLE } from '@nafs/contracts';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { Client, type ClientConfig } from 'pg';
import type { Registry } from 'prom-client';
import type { DataSource, QueryRunner } from 'typeorm';

import { encodeAuthEvent } from './event-codec';
import { EventsMetrics } from './events-metrics';
import { ensureGroup, streamGroups } from './redis-streams';
import { compareStreamIds } from './stream-keys';
import { WakeableSleep } from './wakeable-sleep';

export interface OutboxRelayOptions {
  /** The producer's database (auth's), holding the outbox table. */
  dataSource: DataSource;
  /** Commands connection (XADD, XGROUP, XTRIM); it is not closed by the relay. */
  redis: Redis;
  /** Full stream key, prefix included: see authEventStreamKey(). */
  streamKey: string;
  /** Outbox table name; default `event_outbox`. */
  table?: string;
  /** Rows per transaction (and per MULTI/EXEC of XADDs); default 100. */
  batchSize?: number;
  /** Sleep between polls when the outbox is empty; default 150 ms. */
  pollIntervalMs?: number;
  /** Longest back-off after failures (Redis or the database down); default 5 s. */
  maxBackoffMs?: number;
  /** Consumer groups created on start, so the stream keeps events for services that never ran. */
  consumerGroups?: readonly string[];
  /** How often to trim the stream and prune the outbox; default 60 s; 0 disables both. */
  housekeepingIntervalMs?: number;
  /** Entries every group has consumed are trimmed once older than this; default 24 h. */
  streamRetentionMs?: number;
  /** Published outbox rows are deleted once published longer ago than this; default 7 days; 0 keeps them. */
  outboxRetentionMs?: number;
  /**
   * Optional LISTEN wake-up: a dedicated connection LISTENs on `channel` (default `event_outbox`)
   * and a notification starts a poll at once. Polling continues regardless.
   */
  listen?: { connection: ClientConfig; channel?: string };
  /** Metrics registry; default prom-client's global one. */
  metricsRegistry?: Registry;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
}

interface OutboxRow {
  id: string;
  type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
  request_id: string | null;
}

/**
 * Moves outbox rows to a Redis stream. Each poll is one database transaction that
 * 1. takes a transaction-scoped advisory lock (pg_try_advisory_xact_lock): one relay of all the
 *    replicas publishes at a time, so the stream keeps occurred_at order; the others skip the poll
 *    and take over as soon as that transaction ends (a crashed replica's lock goes with its session);
 * 2. selects the oldest unpublished rows FOR UPDATE SKIP LOCKED;
 * 3. XADDs them in one MULTI/EXEC;
 * 4. only then sets published_at and commits.
 * If Redis fails, the transaction rolls back and the rows stay unpublished. If the commit fails
 * after a successful XADD, the rows are published again later: delivery is at least once, and
 * consumers drop duplicates by event id.
 *
 * A Redis that comes back without its data (restarted without persistence, or a new server) has
 * lost the stream, its groups and entries no consumer had read yet. The relay keeps a marker key,
 * `<stream>:epoch`, beside the stream; when it is missing before a poll, the relay marks every row
 * still in the outbox (published within outboxRetentionMs) unpublished again, recreates the
 * groups, then sets the marker and publishes them anew in occurred_at order. Consumers recreate
 * their group on NOGROUP and skip what they had applied already (processed_events).
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly housekeepingIntervalMs: number;
  private readonly streamRetentionMs: number;
  private readonly outboxRetentionMs: number;
  private readonly lockKey: string;
  /** Present while Redis still holds the stream this relay has published to. */
  readonly epochKey: string;
  private readonly metrics: EventsMetrics;
  private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  private running?: Promise<void>;
  private stopping = false;
  private readonly pause = new WakeableSleep();
  private groupsReady = false;
  private lastHousekeeping = 0;
  private lastErrorLog = 0;
  private listener?: Client;
  private listenRetry?: NodeJS.Timeout;
  private removeMetricsSource?: () => void;

  constructor(private readonly options: OutboxRelayOptions) {
    this.table = options.table ?? OUTBOX_TABLE;
    if (!/^[a-z_][a-z0-9_]*$/.test(this.table)) throw new Error(`invalid outbox table name: ${this.table}`);
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 150;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.housekeepingIntervalMs = options.housekeepingIntervalMs ?? 60_000;
    this.streamRetentionMs = options.streamRetentionMs ?? 24 * 3600_000;
    this.outboxRetentionMs = options.outboxRetentionMs ?? 7 * 24 * 3600_000;
    this.lockKey = `nafs:outbox-relay:${this.table}:${options.streamKey}`;
    this.epochKey = `${options.streamKey}:epoch`;
    this.metrics = EventsMetrics.for(options.metricsRegistry);
    this.logger = options.logger ?? new Logger('OutboxRelay');
  }

  /** Starts polling in the background (never throws: outages are retried). */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.removeMetricsSource = this.metrics.addOutboxSource({ stream: this.options.streamKey, sample: () => this.sampleBacklog() });
    if (this.options.listen) void this.startListening();
    this.running = this.loop();
  }

  /** Finishes the poll in progress, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.pause.wake();
    clearTimeout(this.listenRetry);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.running;
    this.running = undefined;
    this.removeMetricsSource?.();
  }

  /** Wakes the poll loop now (a NOTIFY does this; tests and writers in this process may too). */
  notify(): void {
    this.pause.wake();
  }

  /**
   * One transaction: publishes up to batchSize rows and returns how many. Returns 0 when another
   * relay holds the lock or nothing is waiting.
   */
  async publishBatch(): Promise<number> {
    if (!(await this.recoverLostStream())) return 0;
    const runner = this.options.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const published = await this.publishInTransaction(runner);
      await runner.commitTransaction();
      if (published.length) {
        const now = Date.now();
        this.metrics.relayPublished.inc({ stream: this.options.streamKey }, published.length);
        for (const row of published) {
          this.metrics.relayPublishDelay.observe({ stream: this.options.streamKey }, Math.max(0, (now - row.occurred_at.getTime()) / 1000));
        }
      }
      return published.length;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async publishInTransaction(runner: QueryRunner): Promise<OutboxRow[]> {
    const [{ locked }] = (await runner.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [this.lockKey])) as {
      locked: boolean;
    }[];
    if (!locked) return [];
    const rows = (await runner.query(
      // to_jsonb(o)->>'request_id': the column is optional, an outbox without it still publishes.
      `SELECT id, type, payload, occurred_at, to_jsonb(o) ->> 'request_id' AS request_id FROM ${this.table} o
        WHERE published_at IS NULL
        ORDER BY occurred_at, id
        LIMIT $1
        FOR UPDATE SKIP LOCKED`,
      [this.batchSize],
    )) as OutboxRow[];
    if (!rows.length) return [];
    const multi = this.options.redis.multi();
    for (const row of rows) {
      const event = {
        id: row.id,
        type: row.type,
        occurredAt: row.occurred_at.toISOString(),
        payload: row.payload,
        ...(row.request_id ? { requestId: row.request_id } : {}),
      } as unknown as AuthEvent;
      multi.xadd(this.options.streamKey, '*', ...encodeAuthEvent(event));
    }
    const results = await multi.exec();
    if (!results) throw new Error('XADD transaction was aborted');
    const failed = results.find(([error]) => error);
    if (failed) throw failed[0];
    await runner.query(`UPDATE ${this.table} SET published_at = clock_timestamp() WHERE id = ANY($1::uuid[])`, [rows.map((row) => row.id)]);
    return rows;
  }

  /**
   * Makes sure Redis still holds what was published (the epoch marker). When it does not, replays
   * the outbox: one transaction under the relay lock sets published_at back to NULL on every row,
   * then the groups are recreated and the marker set. The marker is re-checked under the lock and
   * set before this relay publishes again, so no replica replays rows published after the loss.
   * Returns false when another relay holds the lock (this poll publishes nothing).
   */
  async recoverLostStream(): Promise<boolean> {
    const { redis, streamKey } = this.options;
    if (await redis.exists(this.epochKey)) return true;
    const runner = this.options.dataSource.createQueryRunner();
    await runner.connect();
    let replayed: number;
    try {
      await runner.startTransaction();
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [this.lockKey])) as {
        locked: boolean;
      }[];
      if (!locked) {
        await runner.rollbackTransaction();
        return false;
      }
      if (await redis.exists(this.epochKey)) {
        await runner.commitTransaction();
        return true;
      }
      const [row] = (await runner.query(
        `WITH replayed AS (UPDATE ${this.table} SET published_at = NULL WHERE published_at IS NOT NULL RETURNING 1) SELECT count(*)::int AS count FROM replayed`,
      )) as { count: number }[];
      replayed = row?.count ?? 0;
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
    this.groupsReady = false;
    await this.ensureGroups();
    await redis.set(this.epochKey, new Date().toISOString());
    if (replayed) this.logger.warn(`${streamKey} was missing from Redis (restarted empty?): replaying ${replayed} published outbox rows`);
    return true;
  }

  /** Creates the configured consumer groups (at the stream's start) unless they exist. */
  async ensureGroups(): Promise<void> {
    for (const group of this.options.consumerGroups ?? []) await ensureGroup(this.options.redis, this.options.streamKey, group);
    this.groupsReady = true;
  }

  /**
   * Drops stream entries that every group has consumed (delivered and acknowledged) and that are
   * older than the retention. Does nothing until every configured group exists, so an entry is
   * never trimmed before a service that has not started yet could read it. Returns entries trimmed.
   */
  async trimStream(): Promise<number> {
    const { redis, streamKey } = this.options;
    const groups = await streamGroups(redis, streamKey);
    const names = new Set(groups.map((group) => group.name));
    if (!groups.length || (this.options.consumerGroups ?? []).some((group) => !names.has(group))) return 0;
    let minId = `${Math.max(0, Date.now() - this.streamRetentionMs)}-0`;
    for (const group of groups) {
      let keepFrom = group.lastDeliveredId;
      if (group.pending > 0) {
        const summary = (await redis.xpending(streamKey, group.name)) as [number, string | null, string | null, unknown];
        if (summary[1] && compareStreamIds(summary[1], keepFrom) < 0) keepFrom = summary[1];
      }
      if (compareStreamIds(keepFrom, minId) < 0) minId = keepFrom;
    }
    return Number(await redis.xtrim(streamKey, 'MINID', minId));
  }

  /** Deletes outbox rows published longer ago than the retention; returns how many. */
  async pruneOutbox(): Promise<number> {
    if (!this.outboxRetentionMs) return 0;
    const result = (await this.options.dataSource.query(
      `WITH pruned AS (DELETE FROM ${this.table} WHERE published_at < now() - make_interval(secs => $1) RETURNING 1) SELECT count(*)::int AS count FROM pruned`,
      [this.outboxRetentionMs / 1000],
    )) as { count: number }[];
    return result[0]?.count ?? 0;
  }

  async sampleBacklog(): Promise<{ backlog: number; oldestAgeSeconds: number }> {
    const [row] = (await this.options.dataSource.query(
      `SELECT count(*)::int AS backlog,
              COALESCE(EXTRACT(EPOCH FROM now() - min(occurred_at)), 0)::float8 AS age
         FROM ${this.table} WHERE published_at IS NULL`,
    )) as { backlog: number; age: number }[];
    return { backlog: row.backlog, oldestAgeSeconds: Math.max(0, row.age) };
  }

  private async loop(): Promise<void> {
    let backoff = this.pollIntervalMs;
    while (!this.stopping) {
      try {
        if (!this.groupsReady) await this.ensureGroups();
        const published = await this.publishBatch();
        backoff = this.pollIntervalMs;
        await this.housekeeping();
        if (published === this.batchSize) continue;
        await this.sleep(this.pollIntervalMs);
      } catch (error) {
        this.metrics.relayErrors.inc({ stream: this.options.streamKey });
        if (Date.now() - this.lastErrorLog > 10_000) {
          this.lastErrorLog = Date.now();
          this.logger.warn(`outbox relay poll failed, rows stay unpublished and are retried: ${(error as Error).message}`);
        }
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
    }
  }

  private async housekeeping(): Promise<void> {
    if (!this.housekeepingIntervalMs || Date.now() - this.lastHousekeeping < this.housekeepingIntervalMs) return;
    this.lastHousekeeping = Date.now();
    try {
      await this.trimStream();
      await this.pruneOutbox();
    } catch (error) {
      this.logger.warn(`outbox relay housekeeping failed: ${(error as Error).message}`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.stopping ? Promise.resolve() : this.pause.sleep(ms);
  }

  private async startListening(): Promise<void> {
    const { connection, channel = this.table } = this.options.listen ?? { connection: {} };
    if (this.stopping) return;
    const client = new Client(connection);
    let retried = false;
    const retry = () => {
      if (retried) return;
      retried = true;
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
      if (!this.stopping) this.listenRetry = setTimeout(() => void this.startListening(), 5000);
    };
    client.on('error', retry);
    client.on('notification', () => this.pause.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${channel.replace(/[^a-z0-9_]/gi, '')}`);
      if (this.stopping) {
        await client.end();
        return;
      }
      this.listener = client;
    } catch {
      retry();
    }
  }
}
