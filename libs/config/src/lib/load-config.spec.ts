import { z } from 'zod';

import { commonEnvShape, databaseEnvShape, port } from './env-schemas';
import { ConfigValidationError, loadConfig } from './load-config';

const schema = z.object({ PORT: port(3001), ...commonEnvShape, ...databaseEnvShape('AUTH') });

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    const config = loadConfig('auth-service', schema, {});
    expect(config.PORT).toBe(3001);
    expect(config.AUTH_DB_POOL_SIZE).toBe(10);
    expect(config.DB_MIGRATE_ON_START).toBe(false);
    expect(config.NODE_ENV).toBe('development');
  });

  it('names every bad variable in one error', () => {
    const attempt = () =>
      loadConfig('auth-service', schema, {
        PORT: 'abc',
        AUTH_DB_URL: 'mysql://nope',
        AUTH_DB_POOL_SIZE: '-1',
        DB_MIGRATE_ON_START: 'maybe',
      });
    expect(attempt).toThrow(ConfigValidationError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('Invalid configuration for auth-service');
      for (const name of ['PORT', 'AUTH_DB_URL', 'AUTH_DB_POOL_SIZE', 'DB_MIGRATE_ON_START']) {
        expect(message).toContain(`${name}:`);
      }
      expect(message).toContain('got "abc"');
    }
  });

  it('coerces numbers and flags from strings', () => {
    const config = loadConfig('auth-service', schema, { PORT: '4000', DB_MIGRATE_ON_START: 'true' });
    expect(config.PORT).toBe(4000);
    expect(config.DB_MIGRATE_ON_START).toBe(true);
  });
});
