import table from './legacy-routes.json';
import type { ServiceName } from './services';

/**
 * One route of the legacy API: its id in legacy-api.md §3.0 (A, U, T, W, F; `I` and `H` for the
 * infrastructure and health routes of §3.4 and §4), and the service and feature folder that serve
 * it here. `node scripts/routes-doc.js` renders docs/routes.md from this table and the gateway's
 * merged OpenAPI document (which says whether each route is built).
 */
export interface LegacyRoute {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Express-style, `:param` for parameters. */
  path: string;
  service: ServiceName | 'gateway';
  folder: string;
  access: string;
}

export const LEGACY_ROUTES = table as readonly LegacyRoute[];
