import type { LegacyRoute } from '@nafs/http';

/**
 * web-service's legacy mounts and their families (legacy-api.md 1.1, 3.2). Features only add
 * handlers; a handler that answers otherwise says so with `@LegacyFamily`.
 */
export const WEB_LEGACY_ROUTES: LegacyRoute[] = [
  // W1–W5, W12–W15: E2 errors, V2 validation; X-Frame-Options DENY is the feature's.
  { prefix: '/api/v1/admin/tools', errors: 'E2', validation: 'V2' },
  // W6–W11 tool configs: E5 errors, V3 validation.
  { prefix: '/api/v1/admin/tools/:toolKey/configs', errors: 'E5', validation: 'V3' },
  // W16–W18 public tools: E8 (no validators in the legacy; V2 is a choice).
  { prefix: '/api/v1/tools', errors: 'E8', validation: 'V2' },
  // W19–W24 tool registry: E6 errors, V4 validation.
  { prefix: '/api/v1/tools/registry', errors: 'E6', validation: 'V4' },
  // W25–W31 export jobs: E4 errors, V1 for the jobId/toolId params.
  { prefix: '/api/v1/tool-registry', errors: 'E4', validation: 'V1' },
  // W32–W36 drawing projects: E7 errors, V1 validation.
  { prefix: '/api/v1/drawing-projects', errors: 'E7', validation: 'V1' },
  // W37–W41 generated test tool: E6 successes, errors through the global handler (E3).
  { prefix: '/api/tools/test-tool', errors: 'E3', validation: 'V5' },
];
