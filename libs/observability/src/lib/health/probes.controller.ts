import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';

import { READINESS_CHECKS, type ReadinessChecks } from './health.options';
import { RedisHealthIndicator } from './redis.health';

/** Kubernetes probes. Liveness has no dependencies, so a database outage never restarts pods. */
@Controller('health')
export class ProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    @Optional() @Inject(READINESS_CHECKS) private readonly extraChecks: ReadinessChecks = [],
  ) {}

  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1500 }),
      () => this.redis.ping('redis'),
      ...this.extraChecks,
    ]);
  }
}
