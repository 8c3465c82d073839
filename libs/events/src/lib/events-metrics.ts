import { Counter, Gauge, Histogram, register as defaultRegistry, type Registry } from 'prom-client';

/** A gauge value source sampled on scrape; a failed sample leaves the gauge out rather than failing /metrics. */
export interface OutboxSample {
  /** Unpublished outbox rows. */
  backlog: number;
  /** Age of the oldest unpublished row in seconds (0 when there is none): the relay's lag. */
  oldestAgeSeconds: number;
}

export interface GroupSample {
  /** Entries of the stream the group has not been delivered yet (XINFO GROUPS `lag`; null when Redis cannot tell). */
  lag: number | null;
  /** Entries delivered but not acknowledged yet (XINFO GROUPS `pending`). */
  pending: number;
}

export interface OutboxSource {
  stream: string;
  sample(): Promise<OutboxSample>;
}

export interface GroupSource {
  stream: string;
  group: string;
  sample(): Promise<GroupSample | undefined>;
}

const DELAY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600];

/** Shares one sample among the gauges that read it during one scrape. */
function memo<T>(load: () => Promise<T>, ttlMs = 500): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > ttlMs) cached = { at: Date.now(), value: load() };
    return cached.value;
  };
}

/**
 * A gauge sampled at scrape time: one value per distinct label set (several relays or replicas of
 * one group in a process report once); a source that cannot answer is left out, never failing
 * /metrics.
 */
function sampledGauge<L extends string, S extends { read(): Promise<unknown> }>(options: {
  name: string;
  help: string;
  labelNames: L[];
  registers: Registry[];
  sources: Iterable<S>;
  labels: (source: S) => Record<L, string>;
  value: (sample: Awaited<ReturnType<S['read']>>) => number | null;
}): Gauge<L> {
  const { sources, labels, value, ...config } = options;
  return new Gauge<L>({
    ...config,
    async collect() {
      this.reset();
      const seen = new Set<string>();
      for (const source of sources) {
        const labelSet = labels(source);
        const key = JSON.stringify(labelSet);
        if (seen.has(key)) continue;
        seen.add(key);
        const sample = await source.read().then(
          (read) => ({ read }),
          () => undefined,
        );
        const measured = sample ? value(sample.read as Awaited<ReturnType<S['read']>>) : null;
        if (measured !== null) this.set(labelSet, measured);
      }
    },
  });
}

/**
 * The event metrics of one prom-client registry (the default one unless a service passes its own).
 * Relays and consumers register a source while they run; gauges are sampled when scraped, so
 * they are exact at scrape time and cost nothing in between.
 */
export class EventsMetrics {
  readonly relayPublished: Counter<'stream'>;
  readonly relayErrors: Counter<'stream'>;
  readonly relayPublishDelay: Histogram<'stream'>;
  readonly consumerEvents: Counter<'stream' | 'group' | 'type' | 'outcome'>;
  readonly consumerDelay: Histogram<'stream' | 'group'>;
  private readonly outboxSources = new Set<OutboxSource & { read: () => Promise<OutboxSample> }>();
  private readonly groupSources = new Set<GroupSource & { read: () => Promise<GroupSample | undefined> }>();

  private constructor(registry: Registry) {
    const registers = [registry];
    const existing = <M>(name: string) => registry.getSingleMetric(name) as M | undefined;
    const outboxSources = this.outboxSources;
    const groupSources = this.groupSources;

    this.relayPublished =
      existing<Counter<'stream'>>('nafs_events_relay_published_total') ??
      new Counter({
        name: 'nafs_events_relay_published_total',
        help: 'Outbox rows the relay appended to the stream.',
        labelNames: ['stream'],
        registers,
      });
    this.relayErrors =
      existing<Counter<'stream'>>('nafs_events_relay_errors_total') ??
      new Counter({
        name: 'nafs_events_relay_errors_total',
        help: 'Relay polls that failed (database or Redis unavailable); the rows stay unpublished.',
        labelNames: ['stream'],
        registers,
      });
    this.relayPublishDelay =
      existing<Histogram<'stream'>>('nafs_events_relay_publish_delay_seconds') ??
      new Histogram({
        name: 'nafs_events_relay_publish_delay_seconds',
        help: 'Time from an outbox row being written (occurred_at) to its XADD.',
        labelNames: ['stream'],
        buckets: DELAY_BUCKETS,
        registers,
      });
    this.consumerEvents =
      existing<Counter<'stream' | 'group' | 'type' | 'outcome'>>('nafs_events_consumer_events_total') ??
      new Counter({
        name: 'nafs_events_consumer_events_total',
        help: 'Stream entries handled by a consumer group: outcome applied, duplicate (id already processed), failed (left pending for retry) or dead_lettered.',
        labelNames: ['stream', 'group', 'type', 'outcome'],
        registers,
      });
    this.consumerDelay =
      existing<Histogram<'stream' | 'group'>>('nafs_events_consumer_delay_seconds') ??
      new Histogram({
        name: 'nafs_events_consumer_delay_seconds',
        help: 'Time from an event occurring in auth to a consumer group having applied it.',
        labelNames: ['stream', 'group'],
        buckets: DELAY_BUCKETS,
        registers,
      });

    if (!existing('nafs_events_outbox_backlog')) {
      const byStream = (source: OutboxSource) => ({ stream: source.stream });
      sampledGauge({
        name: 'nafs_events_outbox_backlog',
        help: 'Outbox rows not published to the stream yet.',
        labelNames: ['stream'],
        registers,
        sources: outboxSources,
        labels: byStream,
        value: (sample) => sample.backlog,
      });
      sampledGauge({
        name: 'nafs_events_outbox_lag_seconds',
        help: 'Age of the oldest unpublished outbox row (0 when the relay is caught up).',
        labelNames: ['stream'],
        registers,
        sources: outboxSources,
        labels: byStream,
        value: (sample) => sample.oldestAgeSeconds,
      });
    }
    if (!existing('nafs_events_consumer_lag')) {
      const byGroup = (source: GroupSource) => ({ stream: source.stream, group: source.group });
      sampledGauge({
        name: 'nafs_events_consumer_lag',
        help: 'Stream entries not yet delivered to the consumer group (XINFO GROUPS lag).',
        labelNames: ['stream', 'group'],
        registers,
        sources: groupSources,
        labels: byGroup,
        value: (sample) => sample?.lag ?? null,
      });
      sampledGauge({
        name: 'nafs_events_consumer_pending',
        help: 'Entries delivered to the consumer group but not acknowledged yet (being applied or waiting for a retry).',
        labelNames: ['stream', 'group'],
        registers,
        sources: groupSources,
        labels: byGroup,
        value: (sample) => sample?.pending ?? null,
      });
    }
  }

  private static readonly byRegistry = new WeakMap<Registry, EventsMetrics>();

  static for(registry: Registry = defaultRegistry): EventsMetrics {
    let metrics = EventsMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new EventsMetrics(registry);
      EventsMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  /** Registers a relay's backlog; call the returned function when the relay stops. */
  addOutboxSource(source: OutboxSource): () => void {
    const entry = { ...source, read: memo(() => source.sample()) };
    this.outboxSources.add(entry);
    return () => this.outboxSources.delete(entry);
  }

  /** Registers a consumer group's lag; replicas of one group in one process are reported once. */
  addGroupSource(source: GroupSource): () => void {
    const entry = { ...source, read: memo(() => source.sample()) };
    this.groupSources.add(entry);
    return () => this.groupSources.delete(entry);
  }
}
