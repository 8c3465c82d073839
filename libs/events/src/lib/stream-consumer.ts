import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import type { AuthEvent } from '@nafs/contracts';
import { withRequestId } from '@nafs/observability';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Registry } from 'prom-client';

import { decodeAuthEvent } from './event-codec';
import type { ProcessOutcome } from './event-handlers';
import { EventsMetrics } from './events-metrics';
import { ensureGroup, isNoGroupError, type RawStreamEntry, streamGroups } from './redis-streams';
import { deadLetterStreamKey } from './stream-keys';
import { WakeableSleep } from './wakeable-sleep';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export interface Delivery {
  entryId: string;
  /** 1 on the first delivery; each reclaim adds one. */
  deliveries: number;
}

export interface StreamConsumerOptions {
  /**
   * Opens a Redis connection; the consumer opens two (one for blocking reads, one for commands)
   * and closes both on stop.
   */
  connect: (role: 'blocking' | 'commands') => Redis;
  /** Full stream key, prefix included. */
  streamKey: string;
  /** Consumer group: one per consuming service (its app name). */
  group: string;
  /** Unique per process; default `<group>:<host>:<pid>:<random>`. */
  consumerName?: string;
  /** Applies one event; throw to leave it pending (it is retried after claimIdleMs). */
  process: (event: AuthEvent, delivery: Delivery) => Promise<ProcessOutcome | void>;
  /** Entries per XREADGROUP; default 10. */
  batchSize?: number;
  /** XREADGROUP BLOCK time; default 2000 ms. */
  blockMs?: number;
  /** A pending entry idle this long is reclaimed (XAUTOCLAIM) and retried; default 30 s. */
  claimIdleMs?: number;
  /** How often to look for such entries; default min(claimIdleMs, 5 s). */
  claimIntervalMs?: number;
  /** Attempts before an entry goes to the dead-letter stream; default 5. */
  maxDeliveries?: number;
  metricsRegistry?: Registry;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
}

/**
 * A consumer of one group of a stream. Every entry is given to one consumer of the group (Redis
 * consumer-group semantics), so a service applies an event once however many replicas it runs;
 * the group's position is kept in Redis, so events published while the service is down wait for
 * it. An entry is acknowledged (XACK) only after `process` has resolved. When `process` throws,
 * the entry stays pending; after `claimIdleMs` any consumer of the group reclaims it with
 * XAUTOCLAIM and tries again, and after `maxDeliveries` attempts it is moved to
 * `<stream>:dead-letter:<group>` and acknowledged, so one poison event cannot block a service.
 * An entry that is not a valid event at all goes to the dead-letter stream at once.
 */
export class StreamConsumer {
  readonly consumerName: string;
  readonly deadLetterKey: string;
  private readonly batchSize: number;
  private readonly blockMs: number;
  private readonly claimIdleMs: number;
  private readonly claimIntervalMs: number;
  private readonly maxDeliveries: number;
  private readonly metrics: EventsMetrics;
  private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  private readonly lastErrors = new Map<string, string>();
  private blocking?: Redis;
  private commands?: Redis;
  private running?: Promise<void>;
  private stopping = false;
  private groupReady = false;
  private nextClaimAt = 0;
  private lastErrorLog = 0;
  private readonly pause = new WakeableSleep();
  private removeMetricsSource?: () => void;

  constructor(private readonly options: StreamConsumerOptions) {
    this.consumerName = options.consumerName ?? `${options.group}:${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.deadLetterKey = deadLetterStreamKey(options.streamKey, options.group);
    this.batchSize = options.batchSize ?? 10;
    this.blockMs = options.blockMs ?? 2000;
    this.claimIdleMs = options.claimIdleMs ?? 30_000;
    this.claimIntervalMs = options.claimIntervalMs ?? Math.min(this.claimIdleMs, 5000);
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.metrics = EventsMetrics.for(options.metricsRegistry);
    this.logger = options.logger ?? new Logger(`StreamConsumer:${options.group}`);
  }

  /** Starts consuming in the background (never throws: outages are retried). */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.blocking = this.options.connect('blocking');
    this.commands = this.options.connect('commands');
    // Connection errors surface through the commands that fail; keep ioredis from logging them too.
    this.blocking.on('error', () => undefined);
    this.commands.on('error', () => undefined);
    const commands = this.commands;
    this.removeMetricsSource = this.metrics.addGroupSource({
      stream: this.options.streamKey,
      group: this.options.group,
      sample: async () => {
        const info = (await streamGroups(commands, this.options.streamKey)).find((group) => group.name === this.options.group);
        return info && { lag: info.lag, pending: info.pending };
      },
    });
    this.running = this.loop();
  }

  /**
   * Stops after the batch in progress. Leaves the group if it holds no pending entries (entries
   * still pending stay for the other replicas to reclaim).
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.pause.wake();
    this.blocking?.disconnect();
    await this.running;
    this.running = undefined;
    this.removeMetricsSource?.();
    const commands = this.commands;
    if (commands) {
      try {
        await withTimeout(
          (async () => {
            const mine = (await commands.xpending(this.options.streamKey, this.options.group, '-', '+', 1, this.consumerName)) as unknown[];
            if (!mine.length) await commands.xgroup('DELCONSUMER', this.options.streamKey, this.options.group, this.consumerName);
          })(),
          1000,
        );
      } catch {
        // Redis is unavailable: the consumer entry is left behind, which is harmless.
      }
      await withTimeout(commands.quit(), 1000).catch(() => undefined);
      commands.disconnect();
    }
  }

  private async loop(): Promise<void> {
    let backoff = 100;
    while (!this.stopping) {
      try {
        if (!this.groupReady) {
          await ensureGroup(this.commands as Redis, this.options.streamKey, this.options.group);
          this.groupReady = true;
        }
        if (Date.now() >= this.nextClaimAt) {
          await this.reclaim();
          this.nextClaimAt = Date.now() + this.claimIntervalMs;
        }
        const block = Math.max(1, Math.min(this.blockMs, this.nextClaimAt - Date.now()));
        const reply = (await (this.blocking as Redis).xreadgroup(
          'GROUP',
          this.options.group,
          this.consumerName,
          'COUNT',
          this.batchSize,
          'BLOCK',
          block,
          'STREAMS',
          this.options.streamKey,
          '>',
        )) as [string, RawStreamEntry[]][] | null;
        for (const [, entries] of reply ?? []) {
          for (const entry of entries) await this.handle(entry, 1);
        }
        backoff = 100;
      } catch (error) {
        if (this.stopping) break;
        if (isNoGroupError(error)) this.groupReady = false;
        if (Date.now() - this.lastErrorLog > 10_000) {
          this.lastErrorLog = Date.now();
          this.logger.warn(`consumer ${this.consumerName} cannot read ${this.options.streamKey}, retrying: ${(error as Error).message}`);
        }
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  /** Takes over entries pending longer than claimIdleMs (this consumer's own failures included). */
  async reclaim(): Promise<void> {
    const commands = this.commands as Redis;
    let cursor = '0-0';
    do {
      const [next, claimed, deleted] = (await commands.xautoclaim(
        this.options.streamKey,
        this.options.group,
        this.consumerName,
        this.claimIdleMs,
        cursor,
        'COUNT',
        50,
      )) as [string, (RawStreamEntry | null)[], string[] | undefined];
      // Entries trimmed from the stream while pending: nothing left to apply.
      if (deleted?.length) await commands.xack(this.options.streamKey, this.options.group, ...deleted);
      const entries = claimed.filter((entry): entry is RawStreamEntry => Array.isArray(entry) && Array.isArray(entry[1]));
      if (entries.length) {
        const counts = await this.deliveryCounts(entries);
        for (const entry of entries) {
          if (this.stopping) return;
          await this.handle(entry, counts.get(entry[0]) ?? this.maxDeliveries + 1);
        }
      }
      cursor = next;
    } while (cursor !== '0-0' && !this.stopping);
  }

  private async deliveryCounts(entries: RawStreamEntry[]): Promise<Map<string, number>> {
    const ids = entries.map(([id]) => id);
    const pending = (await (this.commands as Redis).xpending(
      this.options.streamKey,
      this.options.group,
      ids[0],
      ids[ids.length - 1],
      ids.length + 100,
      this.consumerName,
    )) as [string, string, number, number][];
    return new Map(pending.map(([id, , , count]) => [id, Number(count)]));
  }

  private async handle([entryId, fields]: RawStreamEntry, deliveries: number): Promise<void> {
    let event: AuthEvent;
    try {
      event = decodeAuthEvent(fields);
    } catch (error) {
      await this.deadLetter(entryId, fields, deliveries, (error as Error).message, 'unknown');
      return;
    }
    // The handlers' log lines carry the id of the request that caused the event.
    if (event.requestId) return withRequestId(event.requestId, () => this.apply(entryId, fields, event, deliveries));
    return this.apply(entryId, fields, event, deliveries);
  }

  private async apply(entryId: string, fields: string[], event: AuthEvent, deliveries: number): Promise<void> {
    const { streamKey, group } = this.options;
    if (deliveries > this.maxDeliveries) {
      const reason = `gave up after ${deliveries - 1} attempts; last error: ${this.lastErrors.get(entryId) ?? 'unknown (failed in another replica)'}`;
      await this.deadLetter(entryId, fields, deliveries - 1, reason, event.type);
      return;
    }
    let outcome: ProcessOutcome | void;
    try {
      outcome = await this.options.process(event, { entryId, deliveries });
    } catch (error) {
      this.remember(entryId, (error as Error).message);
      this.metrics.consumerEvents.inc({ stream: streamKey, group, type: event.type, outcome: 'failed' });
      this.logger.warn(
        `${group}: event ${event.id} (${event.type}, entry ${entryId}) failed on attempt ${deliveries}/${this.maxDeliveries}, left pending for a retry: ${(error as Error).message}`,
      );
      return;
    }
    await (this.commands as Redis).xack(streamKey, group, entryId);
    this.lastErrors.delete(entryId);
    this.metrics.consumerEvents.inc({ stream: streamKey, group, type: event.type, outcome: outcome ?? 'applied' });
    if (outcome !== 'duplicate') {
      this.logger.log(`${group}: ${event.type} ${event.id} ${outcome ?? 'applied'}`);
      const occurred = Date.parse(event.occurredAt);
      if (!Number.isNaN(occurred))
        this.metrics.consumerDelay.observe({ stream: streamKey, group }, Math.max(0, (Date.now() - occurred) / 1000));
    }
  }

  private async deadLetter(entryId: string, fields: string[], attempts: number, reason: string, type: string): Promise<void> {
    const { streamKey, group } = this.options;
    const results = await (this.commands as Redis)
      .multi()
      .xadd(
        this.deadLetterKey,
        '*',
        ...fields,
        'deadLetter.entryId',
        entryId,
        'deadLetter.stream',
        streamKey,
        'deadLetter.group',
        group,
        'deadLetter.attempts',
        String(attempts),
        'deadLetter.reason',
        reason,
        'deadLetter.at',
        new Date().toISOString(),
      )
      .xack(streamKey, group, entryId)
      .exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('dead-letter transaction aborted');
    this.lastErrors.delete(entryId);
    this.metrics.consumerEvents.inc({ stream: streamKey, group, type, outcome: 'dead_lettered' });
    this.logger.error(`${group}: entry ${entryId} moved to ${this.deadLetterKey}: ${reason}`);
  }

  private remember(entryId: string, message: string): void {
    this.lastErrors.delete(entryId);
    this.lastErrors.set(entryId, message);
    if (this.lastErrors.size > 1000) this.lastErrors.delete(this.lastErrors.keys().next().value as string);
  }

  private sleep(ms: number): Promise<void> {
    return this.stopping ? Promise.resolve() : this.pause.sleep(ms);
  }
}

export interface StreamTailOptions {
  connect: () => Redis;
  streamKey: string;
  listener: (event: AuthEvent) => Promise<void> | void;
  blockMs?: number;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
}

/**
 * Reads new entries of a stream without a group (XREAD from `$`), so every process sees every
 * event from the moment it started: at most once, for in-process state. After a reconnect it
 * continues from the last id it saw.
 */
export class StreamTail {
  private connection?: Redis;
  private running?: Promise<void>;
  private stopping = false;
  private lastId = '$';
  private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;

  constructor(private readonly options: StreamTailOptions) {
    this.logger = options.logger ?? new Logger('StreamTail');
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.connection = this.options.connect();
    this.connection.on('error', () => undefined);
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.connection?.disconnect();
    await this.running;
    this.running = undefined;
  }

  private async loop(): Promise<void> {
    const redis = this.connection as Redis;
    if (this.lastId === '$') {
      // Pin the start to the current last entry, so nothing published between reads is skipped.
      const last = (await redis.xrevrange(this.options.streamKey, '+', '-', 'COUNT', 1).catch(() => [])) as RawStreamEntry[];
      this.lastId = last[0]?.[0] ?? '0-0';
    }
    while (!this.stopping) {
      try {
        const reply = (await redis.xread(
          'COUNT',
          100,
          'BLOCK',
          this.options.blockMs ?? 2000,
          'STREAMS',
          this.options.streamKey,
          this.lastId,
        )) as [string, RawStreamEntry[]][] | null;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            this.lastId = id;
            try {
              await this.options.listener(decodeAuthEvent(fields));
            } catch (error) {
              this.logger.warn(`broadcast listener failed for entry ${id}: ${(error as Error).message}`);
            }
          }
        }
      } catch {
        if (this.stopping) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
}
