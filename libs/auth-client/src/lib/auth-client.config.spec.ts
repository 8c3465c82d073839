import { z } from 'zod';

import { DEV_ONLY_JWT_SECRET, identityClientEnvShape, requireJwtSecretInProduction } from './auth-client.config';

describe('requireJwtSecretInProduction (issue 17.7)', () => {
  it('refuses the published dev secret for web and forms in production', () => {
    const webLike = z
      .object({ NODE_ENV: z.string(), JWT_SECRET: identityClientEnvShape.JWT_SECRET })
      .superRefine(requireJwtSecretInProduction);
    const result = webLike.safeParse({ NODE_ENV: 'production', JWT_SECRET: DEV_ONLY_JWT_SECRET });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['JWT_SECRET'], message: expect.stringContaining('development secret') });
  });
});
