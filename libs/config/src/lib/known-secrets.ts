import type { z } from 'zod';

/**
 * Secrets written in this repository (dev fallbacks, compose defaults, test fixtures). They are
 * public, so a production service must never run with one (issue 17.7).
 */
export const KNOWN_DEV_SECRETS: readonly string[] = [
  'dev-only-jwt-secret-change-me-0123456789abcdef',
  'dev-only-refresh-secret-change-me-0123456789',
  'dev-only-form-render-token-secret-change-me',
  'identity-test-secret-0123456789abcdefghijklmnop',
  'test-jwt-secret-0123456789abcdef0123456789',
  'test-refresh-secret-0123456789abcdef012345',
  'test-secret-that-is-at-least-32-characters-long',
];

/** A secret from the list, or one marked as a placeholder (`dev-only…`, `…change-me…`). */
export function isKnownDevSecret(value: string): boolean {
  return KNOWN_DEV_SECRETS.includes(value) || /dev-only|change-me|changeme/i.test(value);
}

/**
 * `schema.superRefine(refuseKnownSecretsInProduction(['JWT_SECRET']))`: with NODE_ENV=production,
 * a variable holding a known development secret is a config error naming it.
 */
export function refuseKnownSecretsInProduction<K extends string>(names: readonly K[]) {
  return (config: { NODE_ENV?: string } & Partial<Record<K, unknown>>, ctx: z.RefinementCtx): void => {
    if (config.NODE_ENV !== 'production') return;
    for (const name of names) {
      const value = config[name];
      if (typeof value === 'string' && isKnownDevSecret(value)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'is a development secret published in the repository; set a secret of your own in production',
        });
      }
    }
  };
}
