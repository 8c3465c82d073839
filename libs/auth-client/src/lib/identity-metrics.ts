import { counter, gauge, histogram, METRICS_REGISTRY } from '@nafs/observability';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { Registry } from 'prom-client';

export type CacheLevel = 'local' | 'redis';
export type IdentityKind = 'user' | 'tenant' | 'api_token';

/**
 * What the identity client reports: RPC latency per pattern and outcome, cache hits and misses per
 * level, authentication failures per reason, the breaker state and app-layer foreign-key failures.
 * Registered on the service's `METRICS_REGISTRY` (MetricsModule), or a private registry without it.
 */
@Injectable()
export class IdentityMetrics {
  readonly registry: Registry;
  readonly rpcDuration;
  readonly cacheLookups;
  readonly validationFailures;
  readonly breakerState;
  readonly referenceFailures;

  constructor(@Optional() @Inject(METRICS_REGISTRY) registry?: Registry) {
    this.registry = registry ?? new Registry();
    this.rpcDuration = histogram(this.registry, {
      name: 'identity_rpc_duration_seconds',
      help: 'Latency of one identity RPC attempt to auth-service, per pattern and outcome',
      labelNames: ['pattern', 'outcome'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
    this.cacheLookups = counter(this.registry, {
      name: 'identity_cache_lookups_total',
      help: 'Identity cache lookups per kind, level and result (hit or miss)',
      labelNames: ['kind', 'level', 'result'],
    });
    this.validationFailures = counter(this.registry, {
      name: 'identity_validation_failures_total',
      help: 'Requests refused while authenticating, per reason',
      labelNames: ['reason'],
    });
    this.breakerState = gauge(this.registry, {
      name: 'identity_rpc_breaker_state',
      help: 'Circuit breaker of the identity RPC: 0 closed, 1 open, 2 half-open, 3 isolated',
      labelNames: ['breaker'],
    });
    this.referenceFailures = counter(this.registry, {
      name: 'identity_reference_check_failures_total',
      help: 'App-layer foreign-key checks that refused a write, per referenced kind and reason',
      labelNames: ['kind', 'reason'],
    });
    this.breakerState.set({ breaker: 'auth-rpc' }, 0);
  }

  hit(kind: IdentityKind, level: CacheLevel): void {
    this.cacheLookups.inc({ kind, level, result: 'hit' });
  }

  miss(kind: IdentityKind, level: CacheLevel): void {
    this.cacheLookups.inc({ kind, level, result: 'miss' });
  }
}
