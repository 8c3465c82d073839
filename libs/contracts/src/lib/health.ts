/** Response shapes of the legacy health router (legacy-api.md section 4), served by every service. */
export interface LegacyLivenessResponse {
  status: 'alive';
  timestamp: string;
  uptime: number;
}

export interface LegacyReadinessResponse {
  status: 'ready' | 'not ready';
  timestamp: string;
  services?: { database: 'ready' | 'not ready' };
  error?: string;
}

export interface LegacyDetailedHealthResponse {
  status: 'healthy' | 'unhealthy';
  timestamp: string;
  uptime: number;
  environment: string;
  version: '1.0.0';
  services: {
    database: {
      status: 'connected' | 'error' | 'disconnected';
      latency?: number;
      connections?: { total: number; idle: number; waiting: number };
      error?: string;
    };
    memory: { used: number; total: number; percentage: number };
  };
}

/** Paths every service serves: the new probes and the legacy router's two mounts. */
export const HEALTH_PATHS = {
  live: '/health/live',
  ready: '/health/ready',
  legacyLiveness: ['/health', '/api/v1/health/liveness', '/health/health/liveness'],
  legacyDetailed: ['/api/v1/health', '/health/health'],
  legacyReadiness: ['/api/v1/health/readiness', '/health/health/readiness'],
} as const;
