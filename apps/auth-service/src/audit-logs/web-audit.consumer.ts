import { redisOptionsFromEnv } from '@nafs/cache';
import { type AuditRecordedPayload, SERVICES, WEB_EVENTS, type WebEvent } from '@nafs/contracts';
import { type ProcessOutcome, StreamConsumer, webEventStreamKey } from '@nafs/events';
import { METRICS_REGISTRY } from '@nafs/observability';
import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Redis from 'ioredis';
import type { Registry } from 'prom-client';
import { DataSource } from 'typeorm';

import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';

/**
 * Writes web-service's audit records (`web.audit.recorded` on `<REDIS_KEY_PREFIX>events:web`, the
 * admin tool changes W13–W15) into audit_logs, with auth's consumer group `auth-service`. The
 * audit row's id is the event id, so a redelivered event is stored once (ON CONFLICT DO NOTHING)
 * without a processed-ids table. Records written while auth was down wait in the stream.
 * user_id and tenant_id keep their foreign keys: an id auth does not know (deleted since) is
 * stored as NULL rather than losing the record.
 */
@Injectable()
export class WebAuditConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebAuditConsumer.name);
  readonly consumer?: StreamConsumer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AUTH_CONFIG) config: AuthConfig,
    @Optional() @Inject(METRICS_REGISTRY) metricsRegistry?: Registry,
  ) {
    const settings = config;
    if (!settings.EVENTS_CONSUMER_ENABLED) return;
    this.consumer = new StreamConsumer({
      connect: (role) =>
        new Redis({ ...redisOptionsFromEnv(config), connectionName: `${SERVICES.auth.app}:web-events:${role}`, maxRetriesPerRequest: 1 }),
      streamKey: webEventStreamKey(settings.REDIS_KEY_PREFIX),
      group: SERVICES.auth.app,
      process: (event) => this.apply(event as unknown as WebEvent),
      batchSize: settings.EVENTS_BATCH_SIZE,
      blockMs: settings.EVENTS_BLOCK_MS,
      claimIdleMs: settings.EVENTS_CLAIM_IDLE_MS,
      maxDeliveries: settings.EVENTS_MAX_DELIVERIES,
      metricsRegistry: metricsRegistry ?? undefined,
      logger: this.logger,
    });
  }

  /** Stores one audit record; every other web event type is not auth's business (acknowledged). */
  async apply(event: WebEvent): Promise<ProcessOutcome> {
    if (event.type !== WEB_EVENTS.auditRecorded) return 'applied';
    const audit = event.payload as AuditRecordedPayload;
    // Raw SQL: the FK-safe subselects and ON CONFLICT on the event id have no query-builder form.
    const rows = (await this.dataSource.query(
      `INSERT INTO audit_logs (id, tenant_id, user_id, action, resource_type, resource_id, changes, ip_address, user_agent, created_at)
       VALUES ($1, (SELECT id FROM tenants WHERE id = $2::uuid), (SELECT id FROM users WHERE id = $3::uuid), $4, $5, $6::uuid, $7::jsonb, $8::inet, $9, $10::timestamptz)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        event.id,
        audit.tenantId,
        audit.userId,
        String(audit.action).slice(0, 100),
        String(audit.resourceType).slice(0, 50),
        audit.resourceId,
        audit.details === null || audit.details === undefined ? null : JSON.stringify(audit.details),
        audit.ipAddress,
        audit.userAgent,
        audit.occurredAt ?? event.occurredAt,
      ],
    )) as unknown[];
    return rows.length ? 'applied' : 'duplicate';
  }

  onApplicationBootstrap(): void {
    this.consumer?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }
}
