/** Injection token of the service's own prom-client Registry (never the global default one). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

export interface MetricsModuleOptions {
  /** Added as the `service` label of every metric, e.g. `web-service`. */
  service: string;
  /** Collect prom-client's default process metrics (CPU, memory, event loop lag, GC). */
  defaultMetrics?: boolean;
}
