import { REDIS_CLIENT, redisOptionsFromEnv } from '@nafs/cache';
import { AUTH_EVENT_STREAM } from '@nafs/contracts';
import { METRICS_REGISTRY } from '@nafs/observability';
import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  type InjectionToken,
  Logger,
  Module,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  Optional,
  type OptionalFactoryDependency,
  type Provider,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

import { type AuthEventHandlers, IdempotentEventProcessor } from './event-handlers';
import type { ConsumerSettings, RelaySettings } from './events-settings';
import { OutboxRelay } from './outbox-relay';
import { StreamConsumer, StreamTail } from './stream-consumer';
import { AUTH_EVENT_CONSUMER_GROUPS } from './stream-keys';

/** A consumer's EVENTS_* values and its REDIS_* connection, from the service's validated config. */
type ConsumerConfig = ConsumerSettings & Readonly<Record<string, unknown>>;

const RELAY_OPTIONS = Symbol('OUTBOX_RELAY_OPTIONS');
const CONSUMER_OPTIONS = Symbol('AUTH_EVENTS_CONSUMER_OPTIONS');
/** The handler set of a consuming service (see AuthEventsConsumerModule.forRoot). */
export const AUTH_EVENT_HANDLERS = Symbol('AUTH_EVENT_HANDLERS');

interface RelayModuleOptions {
  service: string;
  settings: RelaySettings;
  consumerGroups: readonly string[];
  /** Stream name without the key prefix; default `events:auth`. */
  stream: string;
}

/** Runs the OutboxRelay for the life of the application (started on bootstrap, stopped before connections close). */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly relay?: OutboxRelay;
  readonly streamKey: string;

  constructor(
    @Inject(RELAY_OPTIONS) options: RelayModuleOptions,
    @InjectDataSource() dataSource: DataSource,
    @Inject(REDIS_CLIENT) redis: Redis,
    @Optional() @Inject(METRICS_REGISTRY) metricsRegistry?: Registry,
  ) {
    const { settings } = options;
    this.streamKey = `${settings.REDIS_KEY_PREFIX}${options.stream}`;
    if (!settings.EVENTS_RELAY_ENABLED) return;
    const db = dataSource.options as PostgresConnectionOptions;
    this.relay = new OutboxRelay({
      dataSource,
      redis,
      streamKey: this.streamKey,
      batchSize: settings.EVENTS_RELAY_BATCH_SIZE,
      pollIntervalMs: settings.EVENTS_RELAY_POLL_MS,
      consumerGroups: options.consumerGroups,
      streamRetentionMs: settings.EVENTS_STREAM_RETENTION_HOURS * 3600_000,
      outboxRetentionMs: settings.EVENTS_OUTBOX_RETENTION_DAYS * 24 * 3600_000,
      listen: settings.EVENTS_RELAY_LISTEN
        ? {
            connection: {
              host: db.host,
              port: db.port,
              user: db.username,
              password: typeof db.password === 'string' ? db.password : undefined,
              database: db.database,
              ssl: db.ssl as never,
            },
          }
        : undefined,
      metricsRegistry: metricsRegistry ?? undefined,
      logger: new Logger(`${options.service}:OutboxRelay`),
    });
  }

  onApplicationBootstrap(): void {
    this.relay?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}

/**
 * A producer's side: publishes its outbox to `<REDIS_KEY_PREFIX><stream>` (auth: `events:auth`, the
 * default; web: `events:web`). Needs TypeORM's DataSource (the producer's database with the
 * event_outbox table) and RedisModule's REDIS_CLIENT.
 */
@Module({})
export class OutboxRelayModule {
  static forRoot(options: {
    service: string;
    /** The service's validated config (its schema spreads relayEnvVars). */
    settings: RelaySettings;
    consumerGroups?: readonly string[];
    stream?: string;
  }): DynamicModule {
    return {
      module: OutboxRelayModule,
      providers: [
        {
          provide: RELAY_OPTIONS,
          useFactory: (): RelayModuleOptions => ({
            service: options.service,
            settings: options.settings,
            consumerGroups: options.consumerGroups ?? AUTH_EVENT_CONSUMER_GROUPS,
            stream: options.stream ?? AUTH_EVENT_STREAM,
          }),
        },
        OutboxRelayService,
      ],
      exports: [OutboxRelayService],
    };
  }
}

interface ConsumerModuleOptions {
  group: string;
  settings: ConsumerConfig;
  /** Stream name without the key prefix; default `events:auth`. */
  stream: string;
}

/** Runs a service's consumer group (and, when it has broadcast listeners, the per-replica tail). */
@Injectable()
export class AuthEventsConsumerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly consumer?: StreamConsumer;
  readonly tail?: StreamTail;
  readonly processor: IdempotentEventProcessor;
  readonly streamKey: string;
  private pruneTimer?: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(
    @Inject(CONSUMER_OPTIONS) private readonly options: ConsumerModuleOptions,
    @Inject(AUTH_EVENT_HANDLERS) handlers: AuthEventHandlers,
    @InjectDataSource() dataSource: DataSource,
    @Optional() @Inject(METRICS_REGISTRY) metricsRegistry?: Registry,
  ) {
    const { settings, group } = options;
    this.logger = new Logger(`${group}:AuthEvents`);
    this.streamKey = `${settings.REDIS_KEY_PREFIX}${options.stream}`;
    this.processor = new IdempotentEventProcessor({ dataSource, handlers: handlers.handlers, listeners: handlers.listeners });
    if (!settings.EVENTS_CONSUMER_ENABLED) return;
    const connect = (role: string) =>
      new Redis({ ...redisOptionsFromEnv(settings), connectionName: `${group}:events:${role}`, maxRetriesPerRequest: 1 });
    this.consumer = new StreamConsumer({
      connect,
      streamKey: this.streamKey,
      group,
      process: (event) => this.processor.process(event),
      batchSize: settings.EVENTS_BATCH_SIZE,
      blockMs: settings.EVENTS_BLOCK_MS,
      claimIdleMs: settings.EVENTS_CLAIM_IDLE_MS,
      maxDeliveries: settings.EVENTS_MAX_DELIVERIES,
      metricsRegistry: metricsRegistry ?? undefined,
      logger: this.logger,
    });
    const broadcast = handlers.broadcastListeners ?? [];
    if (broadcast.length) {
      this.tail = new StreamTail({
        connect: () => connect('tail'),
        streamKey: this.streamKey,
        blockMs: settings.EVENTS_BLOCK_MS,
        listener: async (event) => {
          for (const listener of broadcast) await listener(event);
        },
        logger: this.logger,
      });
    }
  }

  onApplicationBootstrap(): void {
    this.consumer?.start();
    this.tail?.start();
    const retentionMs = this.options.settings.EVENTS_PROCESSED_RETENTION_DAYS * 24 * 3600_000;
    if (this.consumer && retentionMs > 0) {
      this.pruneTimer = setInterval(() => {
        this.processor.prune(retentionMs).catch((error: Error) => this.logger.warn(`pruning processed_events failed: ${error.message}`));
      }, 3600_000);
      this.pruneTimer.unref();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pruneTimer);
    await Promise.all([this.consumer?.stop(), this.tail?.stop()]);
  }
}

export interface AuthEventsConsumerModuleOptions {
  /** The consumer group: the service's app name (`web-service`, `forms-service`). */
  group: string;
  /** The service's validated config: REDIS_URL / REDIS_HOST / REDIS_PORT, REDIS_KEY_PREFIX, EVENTS_* (consumerEnvVars). */
  settings: ConsumerConfig;
  /** The stream to consume, without the key prefix; default `events:auth` (web's is `events:web`). */
  stream?: string;
  imports?: ModuleMetadata['imports'];
  /** Providers the handlers need (handler classes, for instance). */
  providers?: Provider[];
  /** What `handlers` receives; `{ token, optional: true }` for a provider the application may not have. */
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** Builds the handler set from the injected providers. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handlers: (...deps: any[]) => AuthEventHandlers;
}

/**
 * web-service and forms-service side: consumes auth's events with the service's consumer group and
 * applies them through its handlers, recording each event id in `processed_events` (a table the
 * service's migrations create). Needs TypeORM's DataSource.
 */
@Module({})
export class AuthEventsConsumerModule {
  static forRoot(options: AuthEventsConsumerModuleOptions): DynamicModule {
    return {
      module: AuthEventsConsumerModule,
      imports: options.imports ?? [],
      providers: [
        ...(options.providers ?? []),
        {
          provide: CONSUMER_OPTIONS,
          useFactory: (): ConsumerModuleOptions => ({
            group: options.group,
            stream: options.stream ?? AUTH_EVENT_STREAM,
            settings: options.settings,
          }),
        },
        { provide: AUTH_EVENT_HANDLERS, inject: options.inject ?? [], useFactory: options.handlers },
        AuthEventsConsumerService,
      ],
      exports: [AuthEventsConsumerService],
    };
  }
}
