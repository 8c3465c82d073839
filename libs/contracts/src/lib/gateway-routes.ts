import type { ServiceName } from './services';

export interface GatewayRoute {
  prefix: string;
  service: ServiceName;
}

/**
 * The legacy mount map (legacy-api.md 1.1) plus the forms routes the Angular apps call on the
 * former forms-api (frontend-contract.md 6.1), as routing rules. Matching is longest prefix first, so
 * `/api/v1/tools/short-links` reaches forms before `/api/v1/tools` reaches web.
 */
export const GATEWAY_ROUTES: readonly GatewayRoute[] = [
  { prefix: '/api/v1/auth', service: 'auth' },
  { prefix: '/api/v1/users', service: 'auth' },
  { prefix: '/api/v1/tokens', service: 'auth' },
  // New (not legacy): the admin audit-log reader.
  { prefix: '/api/v1/audit-logs', service: 'auth' },
  { prefix: '/api/v1/forms', service: 'forms' },
  { prefix: '/api/v1/themes', service: 'forms' },
  { prefix: '/api/v1/public', service: 'forms' },
  { prefix: '/api/v1/templates', service: 'forms' },
  { prefix: '/api/v1/analytics', service: 'forms' },
  { prefix: '/api/analytics', service: 'forms' },
  { prefix: '/api/v1/inventory', service: 'forms' },
  { prefix: '/api/v1/tools/short-links', service: 'forms' },
  { prefix: '/s', service: 'forms' },
  // forms' local-disk uploads (theme thumbnails, form images, QR codes), as the legacy /uploads;
  // auth's avatars keep /api/v1/users/uploads.
  { prefix: '/uploads', service: 'forms' },
  { prefix: '/api/v1/drawing-projects', service: 'web' },
  { prefix: '/api/v1/admin/tools', service: 'web' },
  { prefix: '/api/v1/tools/registry', service: 'web' },
  { prefix: '/api/v1/tools', service: 'web' },
  { prefix: '/api/tools/test-tool', service: 'web' },
  { prefix: '/api/v1/tool-registry', service: 'web' },
];

export interface GatewayMicrocache {
  /** A path: exact, or with `:name` standing for one path segment (the query string is part of the cache key). */
  path: string;
  service: ServiceName;
  /** How long a 200 is served from the gateway before the service is asked again. */
  seconds: number;
  /**
   * Who shares a kept answer. `everyone`: one answer for every caller (a public route). `caller`:
   * kept per access token (Bearer JWT) and X-Tenant-Slug header, so nobody is served another
   * caller's answer; a request with an API token or without credentials always reaches the service.
   */
  sharedBy: 'everyone' | 'caller';
}

/**
 * GET responses the gateway keeps for a moment (nginx counts whole seconds, so "1 s" is 1-2 s);
 * concurrent misses wait for one request to the service.
 * - W16 is public, the same for every caller (a Bearer token is ignored), marked `public,
 *   max-age=300` by the service as in the legacy, and polled by every open dashboard tab; kept 1 s
 *   rather than 300, so a tool switched off leaves the list within 2 s.
 * - W28 is what the web app polls every 2 s while an export runs (legacy rate limit: 10/s). Kept
 *   1 s per caller, a poll sees progress at most 2 s old; the `no-store` headers web sets still
 *   reach the browser. A status the caller may no longer read (token revoked, job deleted) can be
 *   served for those 1-2 s, within the 5 s web's in-process identity cache already allows.
 */
export const GATEWAY_MICROCACHE: readonly GatewayMicrocache[] = [
  { path: '/api/v1/tools', service: 'web', seconds: 1, sharedBy: 'everyone' },
  { path: '/api/v1/tool-registry/export-jobs/:jobId', service: 'web', seconds: 1, sharedBy: 'caller' },
];

/** The service that serves `path`, or undefined when no prefix matches. */
export function routeFor(path: string): ServiceName | undefined {
  let best: GatewayRoute | undefined;
  for (const route of GATEWAY_ROUTES) {
    const matches = path === route.prefix || path.startsWith(`${route.prefix}/`);
    if (matches && (!best || route.prefix.length > best.prefix.length)) best = route;
  }
  return best?.service;
}
