import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

import { gauge } from './metric-helpers';
import { METRICS_REGISTRY } from './metrics.tokens';

/** What node-postgres' Pool exposes (TypeORM's postgres driver keeps it as `driver.master`). */
interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number };
}

/**
 * The service's database pool, sampled at scrape time: `nafs_db_pool_connections{database,state}`
 * (in_use, idle, waiting) and `nafs_db_pool_max{database}`, so the pool-utilisation alert is
 * in_use / max. Registered when the application has a MetricsModule (HealthModule provides it).
 */
@Injectable()
export class DatabasePoolMetrics {
  constructor(@InjectDataSource() dataSource: DataSource, @Optional() @Inject(METRICS_REGISTRY) registry?: Registry) {
    if (!registry) return;
    const pool = () => (dataSource.isInitialized ? ((dataSource.driver as unknown as { master?: PgPool }).master ?? null) : null);
    const database = () => String(dataSource.options.database ?? 'unknown');
    gauge(registry, {
      name: 'nafs_db_pool_connections',
      help: 'Database pool connections per state: in_use (checked out), idle, waiting (callers queued for a connection)',
      labelNames: ['database', 'state'],
      collect() {
        this.reset();
        const current = pool();
        if (!current) return;
        this.set({ database: database(), state: 'in_use' }, current.totalCount - current.idleCount);
        this.set({ database: database(), state: 'idle' }, current.idleCount);
        this.set({ database: database(), state: 'waiting' }, current.waitingCount);
      },
    });
    gauge(registry, {
      name: 'nafs_db_pool_max',
      help: 'Size limit of the database pool (<P>_DB_POOL_SIZE)',
      labelNames: ['database'],
      collect() {
        this.reset();
        const current = pool();
        if (current) this.set({ database: database() }, current.options?.max ?? 10);
      },
    });
  }
}
