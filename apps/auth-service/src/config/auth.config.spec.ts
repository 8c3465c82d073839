import { ConfigValidationError } from '@nafs/config';

import { loadAuthConfig } from './auth.config';

const SECRET = 's'.repeat(32);

describe('auth-service configuration', () => {
  it('has the legacy defaults', () => {
    const config = loadAuthConfig({});
    expect(config).toMatchObject({
      PORT: 3001,
      JWT_ACCESS_EXPIRES_IN: '1h',
      JWT_REFRESH_EXPIRES_IN: '7d',
      FRONTEND_URL: 'http://localhost:4200',
      ENABLE_MULTI_TENANCY: false,
      TENANT_TOKEN_ISOLATION: true,
      RATE_LIMIT_MAX: 1000,
      LOCKOUT_MAX_ATTEMPTS: 5,
      LOCKOUT_BASE_MINUTES: 15,
      BCRYPT_ROUNDS: 12,
    });
    expect(config.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses JWT secrets shorter than 32 characters, naming each', () => {
    expect(() => loadAuthConfig({ JWT_SECRET: 'short', JWT_REFRESH_SECRET: 'also-short' })).toThrow(ConfigValidationError);
    try {
      loadAuthConfig({ JWT_SECRET: 'short', JWT_REFRESH_SECRET: 'also-short' });
    } catch (error) {
      expect((error as Error).message).toContain('JWT_SECRET: must be at least 32 characters');
      expect((error as Error).message).toContain('JWT_REFRESH_SECRET: must be at least 32 characters');
    }
  });

  it('requires both secrets in production and uses the production rate limit', () => {
    expect(() => loadAuthConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: is required in production/);
    const config = loadAuthConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, JWT_REFRESH_SECRET: SECRET });
    expect(config.RATE_LIMIT_MAX).toBe(100);
  });

  it('refuses, in production only, any secret published in the repository (issue 17.7)', () => {
    for (const published of [
      'dev-only-jwt-secret-change-me-0123456789abcdef',
      'test-jwt-secret-0123456789abcdef0123456789',
      'my-dev-only-secret-0123456789abcdefghijkl',
    ]) {
      expect(() => loadAuthConfig({ NODE_ENV: 'production', JWT_SECRET: published, JWT_REFRESH_SECRET: SECRET })).toThrow(
        /JWT_SECRET: is a development secret/,
      );
      expect(() => loadAuthConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, JWT_REFRESH_SECRET: published })).toThrow(
        /JWT_REFRESH_SECRET: is a development secret/,
      );
      expect(loadAuthConfig({ NODE_ENV: 'development', JWT_SECRET: published, JWT_REFRESH_SECRET: published }).JWT_SECRET).toBe(published);
    }
  });

  it('accepts the legacy mail and storage names and refuses malformed values', () => {
    const config = loadAuthConfig({
      EMAIL_FROM: 'noreply@example.com',
      DO_SPACES_BUCKET: 'b',
      DO_SPACES_ENDPOINT: 'https://fra1.digitaloceanspaces.com',
    });
    expect(config.MAIL_FROM).toBe('noreply@example.com');
    let message = '';
    try {
      loadAuthConfig({
        JWT_ACCESS_EXPIRES_IN: 'forever',
        S3_ENDPOINT: 'not a url',
        MAIL_FROM: 'x',
        BCRYPT_ROUNDS: '4',
        TRUST_PROXY_HOPS: '-1',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of ['JWT_ACCESS_EXPIRES_IN', 'S3_ENDPOINT', 'MAIL_FROM', 'BCRYPT_ROUNDS', 'TRUST_PROXY_HOPS'])
      expect(message).toContain(`${name}:`);
  });

  it('validates the legacy API-token scan window and bounds (issue 17.1)', () => {
    expect(loadAuthConfig({})).toMatchObject({
      LEGACY_API_TOKEN_SCAN_CONCURRENCY: 2,
      LEGACY_API_TOKEN_SCAN_QUEUE: 16,
      LEGACY_API_TOKEN_MISS_TTL_SECONDS: 600,
      LEGACY_API_TOKEN_FAILED_SCANS_PER_IP: 20,
    });
    expect(loadAuthConfig({}).LEGACY_API_TOKEN_SCAN_UNTIL).toBeUndefined();
    expect(loadAuthConfig({ LEGACY_API_TOKEN_SCAN_UNTIL: '2027-01-31' }).LEGACY_API_TOKEN_SCAN_UNTIL).toBe('2027-01-31');
    expect(loadAuthConfig({ LEGACY_API_TOKEN_SCAN_UNTIL: '2027-01-31T12:00:00Z' }).LEGACY_API_TOKEN_SCAN_UNTIL).toBe(
      '2027-01-31T12:00:00Z',
    );
    for (const bad of ['next year', '2027-13-45', '31/01/2027'])
      expect(() => loadAuthConfig({ LEGACY_API_TOKEN_SCAN_UNTIL: bad })).toThrow(/LEGACY_API_TOKEN_SCAN_UNTIL: must be an ISO 8601 date/);
    expect(() => loadAuthConfig({ LEGACY_API_TOKEN_SCAN_CONCURRENCY: '0' })).toThrow(/LEGACY_API_TOKEN_SCAN_CONCURRENCY/);
  });
});
