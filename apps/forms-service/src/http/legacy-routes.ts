import type { LegacyRoute } from '@nafs/http';

/**
 * forms-service's legacy mounts and their families (legacy-api.md 1.1, 3.3; forms-extras.md 0.1).
 * Features only add handlers; a handler that answers otherwise says so with `@LegacyFamily`
 * (for example F1/F9's V6 schema checks or the XSS/E2 answers of forms).
 */
export const FORMS_LEGACY_ROUTES: LegacyRoute[] = [
  // F1–F12: ApiError through the global handler (E3); express-validator failures V5.
  { prefix: '/api/v1/forms', errors: 'E3', validation: 'V5' },
  // F13–F20: E2 errors, V2 validation with the themes' message.
  { prefix: '/api/v1/themes', errors: 'E2', validation: 'V2', validationMessage: 'Validation failed' },
  // F21–F23, X13, X14: E3; the submission's field errors are V7.
  { prefix: '/api/v1/public', errors: 'E3', validation: 'V7' },
  // F24–F28: E2 errors, V2 validation.
  { prefix: '/api/v1/tools/short-links', errors: 'E2', validation: 'V2' },
  // F29 redirect.
  { prefix: '/s', errors: 'E3', validation: 'V5' },
  // Local-disk uploads (development), as the legacy's static /uploads.
  { prefix: '/uploads', errors: 'E3', validation: 'V5' },
  // forms-api routes (forms-extras.md): envelope G, template create/update validation VT.
  { prefix: '/api/v1/templates', errors: 'G', validation: 'VT' },
  { prefix: '/api/v1/analytics', errors: 'G', validation: 'VT' },
  { prefix: '/api/analytics', errors: 'G', validation: 'VT' },
  { prefix: '/api/v1/inventory', errors: 'G', validation: 'VT' },
];
