import type { LegacyDetailedHealthResponse, LegacyLivenessResponse, LegacyReadinessResponse } from '@nafs/contracts';
import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';

import { HEALTH_OPTIONS, type HealthModuleOptions } from './health.options';

interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

/**
 * The legacy health router, mounted twice (at /health and /api/v1), with its response shapes
 * (legacy-api.md section 4). `GET /health` is liveness there, because the router's `/` matched.
 */
@Controller()
export class LegacyHealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthModuleOptions,
  ) {}

  @Get(['health', 'health/health/liveness', 'api/v1/health/liveness', 'api/v1'])
  liveness(): LegacyLivenessResponse {
    return { status: 'alive', timestamp: new Date().toISOString(), uptime: Math.floor(process.uptime()) };
  }

  @Get(['health/health/readiness', 'api/v1/health/readiness'])
  readiness(@Res({ passthrough: true }) res: Response): LegacyReadinessResponse {
    const ready = this.dataSource.isInitialized;
    if (!ready) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ready ? 'ready' : 'not ready',
      timestamp: new Date().toISOString(),
      services: { database: ready ? 'ready' : 'not ready' },
    };
  }

  @Get(['health/health', 'api/v1/health'])
  async detailed(@Res({ passthrough: true }) res: Response): Promise<LegacyDetailedHealthResponse> {
    const started = Date.now();
    let database: LegacyDetailedHealthResponse['services']['database'];
    try {
      await this.dataSource.query('SELECT 1');
      const pool = (this.dataSource.driver as unknown as { master?: PoolStats }).master;
      database = {
        status: 'connected',
        latency: Date.now() - started,
        connections: pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined,
      };
    } catch (error) {
      database = { status: this.dataSource.isInitialized ? 'error' : 'disconnected', error: (error as Error).message };
    }
    const healthy = database.status === 'connected';
    if (!healthy) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    const heap = process.memoryUsage();
    const usedMb = Math.round(heap.heapUsed / 1024 / 1024);
    const totalMb = Math.round(heap.heapTotal / 1024 / 1024);
    return {
      status: healthy ? 'healthy' : 'unhealthy',
      timestamp: new Date().toISOString(),
      uptime: Math.floor(process.uptime()),
      environment: this.options.environment,
      version: '1.0.0',
      services: {
        database,
        memory: { used: usedMb, total: totalMb, percentage: totalMb ? Math.round((usedMb / totalMb) * 100) : 0 },
      },
    };
  }
}
