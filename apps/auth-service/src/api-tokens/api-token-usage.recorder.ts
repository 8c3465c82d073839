import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';

export interface ApiTokenUsageRecord {
  tokenId: string;
  endpoint: string;
  method: string;
  timestamp: Date;
  processingTime: number;
  responseStatus: number;
  ipAddress: string | null;
  userAgent: string | null;
  tenantId: string | null;
}

const MAX_BUFFERED = 5000;

/**
 * Records API-token use off the request path: requests only append to a buffer, which a timer
 * writes in one statement per flush (usage rows, then `last_used_at`). Losing a second of usage on
 * a crash is acceptable; slowing every API-token request down by a write is not.
 */
@Injectable()
export class ApiTokenUsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ApiTokenUsageRecorder.name);
  private records: ApiTokenUsageRecord[] = [];
  private lastUsed = new Map<string, Date>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.API_TOKEN_USAGE_FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** The token was used now (legacy: `last_used_at` on every successful validation). */
  touch(tokenId: string): void {
    this.lastUsed.set(tokenId, new Date());
  }

  record(record: ApiTokenUsageRecord): void {
    if (this.records.length >= MAX_BUFFERED) return;
    this.records.push(record);
  }

  /** Writes what is buffered; concurrent callers wait for the same write. */
  flush(): Promise<void> {
    this.flushing = this.flushing
      .then(() => this.write())
      .catch((error) => this.logger.warn(`API-token usage not recorded: ${(error as Error).message}`));
    return this.flushing;
  }

  private async write(): Promise<void> {
    const records = this.records;
    const lastUsed = this.lastUsed;
    this.records = [];
    this.lastUsed = new Map();
    if (records.length) {
      const column = <K extends keyof ApiTokenUsageRecord>(key: K) => records.map((r) => r[key]);
      // Rows of a token deleted since the request are dropped instead of failing the batch.
      await this.dataSource.query(
        `INSERT INTO api_token_usage (token_id, endpoint, method, "timestamp", processing_time, response_status, ip_address, user_agent, tenant_id)
         SELECT u.* FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::timestamptz[], $5::int[], $6::int[], $7::inet[], $8::text[], $9::uuid[])
           AS u(token_id, endpoint, method, ts, processing_time, response_status, ip_address, user_agent, tenant_id)
          WHERE EXISTS (SELECT 1 FROM api_tokens t WHERE t.id = u.token_id)`,
        [
          column('tokenId'),
          records.map((r) => r.endpoint.slice(0, 512)),
          records.map((r) => r.method.slice(0, 10)),
          column('timestamp'),
          column('processingTime'),
          column('responseStatus'),
          column('ipAddress'),
          records.map((r) => r.userAgent?.slice(0, 1000) ?? null),
          column('tenantId'),
        ],
      );
    }
    if (lastUsed.size) {
      await this.dataSource.query(
        `UPDATE api_tokens t SET last_used_at = v.ts
           FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, ts)
          WHERE t.id = v.id AND (t.last_used_at IS NULL OR t.last_used_at < v.ts)`,
        [[...lastUsed.keys()], [...lastUsed.values()]],
      );
    }
  }
}
