import type { LegacyDetailedHealthResponse, LegacyLivenessResponse, LegacyReadinessResponse, ServiceName } from '@nafs/contracts';
import { Controller, Get, HttpStatus, Inject, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';

import { GATEWAY_UPSTREAMS } from '../proxy/tokens';

type Upstreams = Record<ServiceName, string>;

const logger = new Logger('GatewayHealth');

/** What a probe found; failures are logged here and never put in a response (no internal address leaks). */
async function getJson<T>(service: string, url: string, timeoutMs = 2000): Promise<{ status: number; body?: T }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json()) as T;
    if (res.status !== 200)
      logger.warn(`${service}-service ${new URL(url).pathname} answered ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
    return { status: res.status, body };
  } catch (error) {
    logger.warn(`${service}-service ${new URL(url).pathname} did not answer: ${(error as Error).message}`);
    return { status: 0 };
  }
}

const liveness = (): LegacyLivenessResponse => ({
  status: 'alive',
  timestamp: new Date().toISOString(),
  uptime: Math.floor(process.uptime()),
});

/**
 * The gateway's own health: liveness without dependencies; readiness and the legacy detailed
 * route aggregate the three services and keep the legacy top-level shapes.
 */
@Controller()
export class GatewayHealthController {
  constructor(@Inject(GATEWAY_UPSTREAMS) private readonly upstreams: Upstreams) {}

  @Get(['health', 'health/live', 'api/v1', 'api/v1/health/liveness'])
  live(): LegacyLivenessResponse {
    return liveness();
  }

  /** Ready only when every service is ready (its own probe checks its database, Redis, ...). */
  @Get('health/ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const checks = await this.probeAll<{ status: string }>('/health/ready');
    const up = Object.values(checks).every((check) => check.status === 200);
    if (!up) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: up ? 'ok' : 'error',
      details: Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, { status: check.status === 200 ? 'up' : 'down' }])),
    };
  }

  @Get('api/v1/health/readiness')
  async readiness(@Res({ passthrough: true }) res: Response): Promise<LegacyReadinessResponse> {
    const checks = await this.probeAll<LegacyReadinessResponse>('/api/v1/health/readiness');
    const ready = Object.values(checks).every((check) => check.body?.status === 'ready');
    if (!ready) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ready ? 'ready' : 'not ready',
      timestamp: new Date().toISOString(),
      services: { database: ready ? 'ready' : 'not ready' },
    };
  }

  @Get('api/v1/health')
  async detailed(@Res({ passthrough: true }) res: Response): Promise<LegacyDetailedHealthResponse> {
    const checks = Object.values(await this.probeAll<LegacyDetailedHealthResponse>('/api/v1/health'));
    const databases = checks.map((check) => check.body?.services?.database);
    const healthy = databases.every((db) => db?.status === 'connected');
    if (!healthy) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    const heap = process.memoryUsage();
    const used = Math.round(heap.heapUsed / 1024 / 1024);
    const total = Math.round(heap.heapTotal / 1024 / 1024);
    const failing = databases.find((db) => db?.status !== 'connected');
    return {
      status: healthy ? 'healthy' : 'unhealthy',
      timestamp: new Date().toISOString(),
      uptime: Math.floor(process.uptime()),
      environment: process.env.NODE_ENV ?? 'development',
      version: '1.0.0',
      services: {
        database: healthy
          ? {
              status: 'connected',
              latency: Math.max(...databases.map((db) => db?.latency ?? 0)),
              connections: databases.reduce(
                (sum, db) => ({
                  total: sum.total + (db?.connections?.total ?? 0),
                  idle: sum.idle + (db?.connections?.idle ?? 0),
                  waiting: sum.waiting + (db?.connections?.waiting ?? 0),
                }),
                { total: 0, idle: 0, waiting: 0 },
              ),
            }
          : { status: failing?.status ?? 'disconnected', error: 'a service is unavailable' },
        memory: { used, total, percentage: total ? Math.round((used / total) * 100) : 0 },
      },
    };
  }

  private async probeAll<T>(path: string): Promise<Record<ServiceName, { status: number; body?: T }>> {
    const names = Object.keys(this.upstreams) as ServiceName[];
    const results = await Promise.all(names.map((name) => getJson<T>(name, `${this.upstreams[name]}${path}`)));
    return Object.fromEntries(names.map((name, i) => [name, results[i]])) as Record<ServiceName, { status: number; body?: T }>;
  }
}
