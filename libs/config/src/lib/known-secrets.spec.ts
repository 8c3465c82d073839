import { z } from 'zod';

import { isKnownDevSecret, refuseKnownSecretsInProduction } from './known-secrets';

describe('known development secrets (issue 17.7)', () => {
  const schema = z.object({ NODE_ENV: z.string(), SECRET: z.string() }).superRefine(refuseKnownSecretsInProduction(['SECRET']));

  it('refuses them in production and allows them elsewhere', () => {
    expect(schema.safeParse({ NODE_ENV: 'production', SECRET: 'dev-only-jwt-secret-change-me-0123456789abcdef' }).success).toBe(false);
    expect(schema.safeParse({ NODE_ENV: 'production', SECRET: 'a-real-secret-nobody-has-seen-0123456789' }).success).toBe(true);
    expect(schema.safeParse({ NODE_ENV: 'development', SECRET: 'dev-only-jwt-secret-change-me-0123456789abcdef' }).success).toBe(true);
    expect(isKnownDevSecret('please-changeme-now')).toBe(true);
  });
});
