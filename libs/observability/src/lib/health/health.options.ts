import type { HealthIndicatorFunction } from '@nestjs/terminus';

export interface HealthModuleOptions {
  /** Reported as `environment` by the legacy detailed health route. */
  environment: string;
}

export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

/**
 * Extra readiness checks a service adds to its database and Redis (web and forms: the auth RPC).
 * Provide them with `{ provide: READINESS_CHECKS, useFactory: (...) => [...] }`.
 */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
export type ReadinessChecks = HealthIndicatorFunction[];
