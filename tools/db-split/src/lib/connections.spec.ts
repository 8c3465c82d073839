import { adminSettings, redactUrl, serviceLoginSettings, serviceRole, settingsFromUrl } from './connections';
import { classifyDatabaseError, ExitCode } from './errors';
import { migrationEnv } from './schema';

// The tool reads the services' own variables through libs/database, so both resolve the same database.
describe('target settings from the services environment', () => {
  it('uses <PREFIX>_DB_* parts, with the default role from libs/contracts when no user is set', () => {
    const env = { WEB_DB_HOST: 'db.internal', WEB_DB_PORT: '6543', WEB_DB_NAME: 'web_prod', WEB_DB_PASSWORD: 's3cret' };
    expect(serviceRole('web', env)).toEqual({ role: 'web_service', password: 's3cret', fromEnv: false });
    expect(serviceLoginSettings('web', env)).toMatchObject({
      host: 'db.internal',
      port: 6543,
      database: 'web_prod',
      user: 'web_service',
      password: 's3cret',
    });
    expect(serviceLoginSettings('auth', {})).toMatchObject({ database: 'nodeangularfullstack_auth', user: 'auth_service' });
  });

  it('lets <PREFIX>_DB_URL win, role and password included', () => {
    const env = { FORMS_DB_URL: 'postgres://forms_rw:p%40ss@pg:5433/forms_db', FORMS_DB_USER: 'ignored' };
    expect(serviceLoginSettings('forms', env)).toMatchObject({
      host: 'pg',
      port: 5433,
      database: 'forms_db',
      user: 'forms_rw',
      password: 'p@ss',
    });
    expect(serviceRole('forms', env).fromEnv).toBe(true);
  });

  it('connects as the admin login to the service host and database', () => {
    const env = { AUTH_DB_URL: 'postgres://auth_rw:x@pg:5433/auth_db', DB_SPLIT_ADMIN_USER: 'migrator', DB_SPLIT_ADMIN_PASSWORD: 'm' };
    expect(adminSettings('auth', env)).toMatchObject({ host: 'pg', port: 5433, database: 'auth_db', user: 'migrator', password: 'm' });
    expect(adminSettings('auth', {})).toMatchObject({ user: 'postgres' });
  });

  it('hands the migration process the resolved URL of the service role', () => {
    const env = { AUTH_DB_HOST: 'pg', AUTH_DB_NAME: 'a', AUTH_DB_USER: 'auth_rw', AUTH_DB_PASSWORD: 'pw', LOG_LEVEL: 'warn' };
    expect(migrationEnv('auth', env)).toMatchObject({ AUTH_DB_URL: 'postgres://auth_rw:pw@pg:5432/a', LOG_LEVEL: 'warn' });
  });

  it('validates URLs and never prints passwords', () => {
    expect(() => settingsFromUrl('pg://x', '--source')).toThrow('--source must be a postgres:// URL');
    expect(redactUrl('postgres://u:secret@h/db')).toBe('postgres://u:***@h/db');
    expect(settingsFromUrl('postgresql://u@h:1/db?sslmode=require', '--source')).toMatchObject({
      host: 'h',
      port: 1,
      database: 'db',
      ssl: true,
    });
  });
});

describe('exit codes for database errors', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, ExitCode.UNREACHABLE],
    [{ code: '3D000', message: 'database "x" does not exist' }, ExitCode.UNREACHABLE],
    [{ code: '28P01', message: 'password authentication failed' }, ExitCode.PRIVILEGE],
    [{ code: '42501', message: 'query would be affected by row-level security policy for table "users"' }, ExitCode.PRIVILEGE],
    [{ code: '23505', message: 'duplicate key' }, ExitCode.FAILED],
  ])('%j -> %i', (error, code) => {
    const wrapped = classifyDatabaseError(Object.assign(new Error(error.message), error), 'auth target');
    expect(wrapped.exitCode).toBe(code);
    expect(wrapped.message).toContain('auth target');
  });
});
