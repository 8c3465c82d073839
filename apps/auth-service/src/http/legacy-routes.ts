import type { LegacyRoute } from '@nafs/http';

/** auth-service's legacy mounts and their families (legacy-api.md 1.1, 1.3, 1.4, 3.1). */
export const AUTH_LEGACY_ROUTES: LegacyRoute[] = [
  // A1-A13: E1 errors, V1 validation.
  { prefix: '/api/v1/auth', errors: 'E1', validation: 'V1' },
  // U1-U9, T1-T8 and the new audit-log read: E2 errors, V2 validation.
  { prefix: '/api/v1/users', errors: 'E2', validation: 'V2' },
  { prefix: '/api/v1/tokens', errors: 'E2', validation: 'V2' },
  { prefix: '/api/v1/audit-logs', errors: 'E2', validation: 'V2' },
];
