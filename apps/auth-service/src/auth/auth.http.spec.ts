import { randomUUID } from 'node:crypto';

import { JWT_AUDIENCE, JWT_ISSUER } from '@nafs/contracts';
import type { RunningTestService } from '@nafs/runtime/testing';
import { sign } from 'jsonwebtoken';
import type { Client } from 'pg';

import { connect, count, insertApiToken, insertTenant, insertUser } from '../../test/support/db';
import { api, claimsOf, ISO, startAuth, TEST_ENV } from '../../test/support/http';

const USER_DTO = {
  id: expect.any(String),
  tenantId: null,
  email: expect.any(String),
  firstName: expect.any(String),
  lastName: expect.any(String),
  role: expect.any(String),
  avatarUrl: null,
  createdAt: ISO,
  updatedAt: ISO,
  lastLogin: null,
  isActive: true,
  emailVerified: false,
};

describe('/api/v1/auth over HTTP (real PostgreSQL and Redis)', () => {
  let auth: RunningTestService;
  let db: Client;
  const post = (path: string, body?: unknown, options: { token?: string; headers?: Record<string, string> } = {}) =>
    api(auth.url, 'POST', `/api/v1/auth${path}`, { body, ...options });
  const get = (path: string, token?: string) => api(auth.url, 'GET', `/api/v1/auth${path}`, { token });
  const register = (overrides: Record<string, unknown> = {}) =>
    post('/register', {
      email: `r${randomUUID().slice(0, 8)}@example.com`,
      password: 'Passw0rd!',
      firstName: 'Ann',
      lastName: "O'Neil-Smith",
      ...overrides,
    });

  beforeAll(async () => {
    auth = await startAuth({ REFRESH_REUSE_GRACE_SECONDS: '0' });
    db = await connect(auth.database.url);
  });
  afterAll(async () => {
    await db?.end();
    await auth?.close();
  });

  describe('POST /register (A1)', () => {
    it('creates the user and a session and answers 201 with tokens in the legacy format', async () => {
      const res = await register({ email: '  New.User@Example.COM ', confirmPassword: 'x', acceptTerms: true });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        message: 'User registered successfully',
        data: {
          accessToken: expect.any(String),
          refreshToken: expect.any(String),
          user: { ...USER_DTO, email: 'new.user@example.com', role: 'user', firstName: 'Ann' },
        },
        timestamp: ISO,
      });
      const access = claimsOf(res.body.data.accessToken);
      expect(access).toEqual({
        userId: res.body.data.user.id,
        email: 'new.user@example.com',
        role: 'user',
        tenantId: null,
        type: 'access',
        iss: JWT_ISSUER,
        aud: JWT_AUDIENCE,
        iat: expect.any(Number),
        exp: expect.any(Number),
      });
      expect(access.exp - access.iat).toBe(3600);
      const refresh = claimsOf(res.body.data.refreshToken);
      expect(refresh).toMatchObject({
        userId: res.body.data.user.id,
        sessionId: expect.any(String),
        type: 'refresh',
        iss: JWT_ISSUER,
        aud: JWT_AUDIENCE,
      });
      expect(refresh.exp - refresh.iat).toBe(7 * 24 * 3600);
      expect(await count(db, 'sessions', 'user_id = $1 AND refresh_token = $2', [res.body.data.user.id, res.body.data.refreshToken])).toBe(
        1,
      );
      const [row] = (await db.query('SELECT password_hash, role FROM users WHERE id = $1', [res.body.data.user.id])).rows;
      expect(row.password_hash).toMatch(/^\$2[ab]\$10\$/);
      expect(await count(db, 'audit_logs', `action = 'REGISTER' AND user_id = $1`, [res.body.data.user.id])).toBe(1);
    });

    it('answers 409 for an email already registered (any case) and writes nothing', async () => {
      const email = `dup${randomUUID().slice(0, 6)}@example.com`;
      expect((await register({ email })).status).toBe(201);
      const before = await count(db, 'users');
      const res = await register({ email: email.toUpperCase() });
      expect(res).toMatchObject({ status: 409, body: { error: 'Conflict', message: 'Email already registered', timestamp: ISO } });
      expect(await count(db, 'users')).toBe(before);
    });

    it.each([
      ['missing everything', {}, ['email', 'password', 'firstName', 'lastName']],
      ['wrong types', { email: 42, password: ['x'], firstName: {}, lastName: null }, ['email', 'password', 'firstName', 'lastName']],
      ['a bad email', { email: 'not-an-email', password: 'Passw0rd!', firstName: 'A', lastName: 'B' }, ['email']],
      ['an SQL injection as email', { email: "x' OR 1=1 --@example.com", password: 'Passw0rd!', firstName: 'A', lastName: 'B' }, ['email']],
      ['digits in a name', { email: 'ok@example.com', password: 'Passw0rd!', firstName: 'R2D2', lastName: 'B' }, ['firstName']],
      [
        'a script tag as name',
        { email: 'ok@example.com', password: 'Passw0rd!', firstName: '<script>alert(1)</script>', lastName: 'B' },
        ['firstName'],
      ],
      [
        'a 101-character name',
        { email: 'ok@example.com', password: 'Passw0rd!', firstName: 'a'.repeat(101), lastName: 'B' },
        ['firstName'],
      ],
      [
        'a bad tenant id',
        { email: 'ok@example.com', password: 'Passw0rd!', firstName: 'A', lastName: 'B', tenantId: 'default' },
        ['tenantId'],
      ],
    ])('answers 400 V1 for %s and writes nothing', async (_label, body, fields) => {
      const before = await count(db, 'users');
      const res = await post('/register', body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'Validation Error',
        message: 'Invalid input data provided',
        details: expect.any(Array),
        timestamp: ISO,
      });
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual([...fields].sort());
      for (const detail of res.body.details)
        expect(detail).toEqual({ field: expect.any(String), message: expect.any(String), value: detail.value });
      expect(await count(db, 'users')).toBe(before);
    });

    it('lists every failed password rule in one message (policy P1)', async () => {
      const res = await register({ password: 'abc' });
      expect(res.status).toBe(400);
      expect(res.body.details[0]).toEqual({
        field: 'password',
        message:
          'Password must be at least 8 characters long, Password must contain at least one uppercase letter, Password must contain at least one number, Password must contain at least one special character',
        value: 'abc',
      });
    });

    it('answers 415 for a valid form-encoded body and 413 for more than 10 KB, writing nothing', async () => {
      const before = await count(db, 'users');
      const form = await fetch(`${auth.url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: 'form@example.com', password: 'Passw0rd!', firstName: 'A', lastName: 'B' }),
      });
      expect(form.status).toBe(415);
      expect(await form.json()).toEqual({
        error: 'Unsupported Media Type',
        message: 'Content-Type must be one of: application/json',
        timestamp: ISO,
      });
      const big = await register({ padding: 'x'.repeat(11 * 1024) });
      expect(big).toMatchObject({ status: 413, body: { error: 'Payload Too Large', timestamp: ISO } });
      const huge = await post('/register', { padding: 'x'.repeat(200 * 1024) });
      expect(huge).toMatchObject({ status: 413, body: { error: 'Payload Too Large' } });
      const malformed = await post('/register', '{"email": ');
      expect(malformed).toMatchObject({ status: 400, body: { error: 'Bad Request', message: 'Malformed JSON in request body' } });
      expect(await count(db, 'users')).toBe(before);
    });

    it('ignores tenantId in single-tenant mode (the user could never log in otherwise)', async () => {
      const tenantId = await insertTenant(db);
      const res = await register({ tenantId });
      expect(res.status).toBe(201);
      expect(res.body.data.user.tenantId).toBeNull();
    });
  });

  describe('POST /login (A2)', () => {
    it('logs in, sets lastLogin, records the session with the forwarded client IP and an audit row', async () => {
      const user = await insertUser(db, { email: 'login.ok@example.com', password: 'Secret123!' });
      const res = await post(
        '/login',
        { email: ' LOGIN.OK@example.com', password: 'Secret123!' },
        { headers: { 'x-forwarded-for': '203.0.113.7', 'user-agent': 'jest-agent' } },
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        message: 'Login successful',
        data: {
          accessToken: expect.any(String),
          refreshToken: expect.any(String),
          user: { ...USER_DTO, id: user.id, email: user.email, lastLogin: ISO },
        },
        timestamp: ISO,
      });
      const [session] = (
        await db.query('SELECT host(ip_address) AS ip, user_agent FROM sessions WHERE refresh_token = $1', [res.body.data.refreshToken])
      ).rows;
      expect(session).toEqual({ ip: '203.0.113.7', user_agent: 'jest-agent' });
      expect(await count(db, 'audit_logs', `action = 'LOGIN' AND user_id = $1 AND host(ip_address) = '203.0.113.7'`, [user.id])).toBe(1);
    });

    it('answers the same 401 for a wrong password, an unknown email and an inactive user, and audits the failure', async () => {
      await insertUser(db, { email: 'login.wrong@example.com', password: 'Secret123!' });
      await insertUser(db, { email: 'login.inactive@example.com', password: 'Secret123!', isActive: false });
      for (const body of [
        { email: 'login.wrong@example.com', password: 'Wrong123!' },
        { email: 'nobody@example.com', password: 'Secret123!' },
        { email: 'login.inactive@example.com', password: 'Secret123!' },
      ]) {
        const res = await post('/login', body);
        expect(res).toMatchObject({ status: 401, body: { error: 'Unauthorized', message: 'Invalid email or password', timestamp: ISO } });
      }
      expect(await count(db, 'audit_logs', `action = 'LOGIN_FAILED' AND changes->>'attemptedEmail' = 'nobody@example.com'`)).toBe(1);
    });

    it('applies the legacy input sanitising on register and login alike (passwords with < > still work)', async () => {
      const email = `san${randomUUID().slice(0, 6)}@example.com`;
      expect((await register({ email, password: ' Ab<c1!xyz>9 ' })).status).toBe(201);
      // Stored as the hash of "Abc1!xyz9": the typed password and its sanitised form both log in.
      expect((await post('/login', { email, password: ' Ab<c1!xyz>9 ' })).status).toBe(200);
      expect((await post('/login', { email, password: 'Abc1!xyz9' })).status).toBe(200);
      expect((await post('/login', { email, password: 'Ab<c1!xyz>9X' })).status).toBe(401);
    });

    it('answers 400 V1 for bad bodies and 415 for a non-JSON body', async () => {
      for (const body of [
        {},
        { email: 'a@example.com' },
        { email: ['a@example.com'], password: 'x' },
        { email: 'a@example.com', password: 'x'.repeat(129) },
      ]) {
        const res = await post('/login', body);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ error: 'Validation Error', message: 'Invalid input data provided' });
      }
      const form = await fetch(`${auth.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=a%40example.com&password=Secret123!',
      });
      expect(form.status).toBe(415);
    });
  });

  describe('POST /refresh (A3)', () => {
    const loginFresh = async () => {
      const user = await insertUser(db, { password: 'Secret123!' });
      const res = await post('/login', { email: user.email, password: 'Secret123!' });
      return { user, ...(res.body.data as { accessToken: string; refreshToken: string }) };
    };

    it('rotates the refresh token and answers with the tokens under data and at the top level', async () => {
      const session = await loginFresh();
      const res = await post('/refresh', { refreshToken: session.refreshToken });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        message: 'Token refreshed successfully',
        data: { accessToken: expect.any(String), refreshToken: expect.any(String) },
        accessToken: res.body.data.accessToken,
        refreshToken: res.body.data.refreshToken,
        timestamp: ISO,
      });
      expect(res.body.refreshToken).not.toBe(session.refreshToken);
      expect(claimsOf(res.body.refreshToken).sessionId).toBe(claimsOf(session.refreshToken).sessionId);
      expect(await count(db, 'sessions', 'user_id = $1', [session.user.id])).toBe(1);
      expect((await get('/me', res.body.accessToken)).status).toBe(200);
    });

    it('revokes the session when an already-rotated refresh token is presented again (reuse detection)', async () => {
      const session = await loginFresh();
      const rotated = await post('/refresh', { refreshToken: session.refreshToken });
      expect(rotated.status).toBe(200);
      const replay = await post('/refresh', { refreshToken: session.refreshToken });
      expect(replay).toMatchObject({
        status: 401,
        body: { error: 'Unauthorized', message: 'Refresh token was already used; the session has been revoked' },
      });
      expect(await count(db, 'sessions', 'user_id = $1', [session.user.id])).toBe(0);
      // The thief's (or the user's) newer token died with the session.
      expect(await post('/refresh', { refreshToken: rotated.body.refreshToken })).toMatchObject({
        status: 401,
        body: { message: 'Invalid refresh token' },
      });
    });

    it('answers 401 (not 500) for a deactivated user and deletes the session', async () => {
      const session = await loginFresh();
      await db.query('UPDATE users SET is_active = false WHERE id = $1', [session.user.id]);
      expect(await post('/refresh', { refreshToken: session.refreshToken })).toMatchObject({
        status: 401,
        body: { error: 'Unauthorized', message: 'User not found or inactive' },
      });
      expect(await count(db, 'sessions', 'user_id = $1', [session.user.id])).toBe(0);
    });

    it('answers 401 for an expired session and deletes it', async () => {
      const session = await loginFresh();
      await db.query(
        `UPDATE sessions SET created_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE user_id = $1`,
        [session.user.id],
      );
      expect(await post('/refresh', { refreshToken: session.refreshToken })).toMatchObject({
        status: 401,
        body: { message: 'Refresh token expired' },
      });
      expect(await count(db, 'sessions', 'user_id = $1', [session.user.id])).toBe(0);
    });

    it('accepts a refresh token issued by the legacy API (random sessionId) and rotates it', async () => {
      const user = await insertUser(db);
      const legacyToken = sign({ userId: user.id, sessionId: randomUUID(), type: 'refresh' }, TEST_ENV.JWT_REFRESH_SECRET, {
        expiresIn: '7d',
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
      await db.query(`INSERT INTO sessions (user_id, refresh_token, expires_at) VALUES ($1, $2, now() + interval '7 days')`, [
        user.id,
        legacyToken,
      ]);
      const res = await post('/refresh', { refreshToken: legacyToken });
      expect(res.status).toBe(200);
      expect(await count(db, 'sessions', 'user_id = $1 AND refresh_token = $2', [user.id, res.body.refreshToken])).toBe(1);
    });

    it('answers 401 for garbage, an access token or a foreign signature, and 400 V1 without a token', async () => {
      const session = await loginFresh();
      const forged = sign({ userId: session.user.id, sessionId: randomUUID(), type: 'refresh' }, 'x'.repeat(40), {
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
      for (const refreshToken of ['garbage', session.accessToken, forged]) {
        expect(await post('/refresh', { refreshToken })).toMatchObject({
          status: 401,
          body: { message: 'Invalid or expired refresh token' },
        });
      }
      expect(await post('/refresh', {})).toMatchObject({
        status: 400,
        body: { error: 'Validation Error', details: [{ field: 'refreshToken', message: 'Refresh token is required' }] },
      });
      expect(await post('/refresh', { refreshToken: 12 })).toMatchObject({ status: 400 });
      expect(await count(db, 'sessions', 'user_id = $1', [session.user.id])).toBe(1);
    });
  });

  describe('POST /logout and /logout-all (A4, A5)', () => {
    it('deletes the session of the given refresh token and always answers 200', async () => {
      const user = await insertUser(db, { password: 'Secret123!' });
      const { body } = await post('/login', { email: user.email, password: 'Secret123!' });
      expect(await post('/logout', { refreshToken: body.data.refreshToken })).toMatchObject({
        status: 200,
        body: { message: 'Logged out successfully', timestamp: ISO },
      });
      expect(await count(db, 'sessions', 'user_id = $1', [user.id])).toBe(0);
      expect(await count(db, 'audit_logs', `action = 'LOGOUT' AND user_id = $1`, [user.id])).toBe(1);
      for (const payload of [{}, { refreshToken: 'unknown' }, { refreshToken: 42 }, { refreshToken: 'x'.repeat(600) }]) {
        expect((await post('/logout', payload)).status).toBe(200);
      }
      // Issue 16.1: a NUL byte never reaches PostgreSQL (it was a 500).
      expect(await post('/logout', { refreshToken: 'abc\u0000def' })).toMatchObject({
        status: 400,
        body: { error: 'Validation Error', details: [{ field: 'refreshToken', message: 'must not contain NUL bytes' }] },
      });
      expect(await post('/password-reset/confirm', { token: 't\u0000', newPassword: 'Secret123!x' })).toMatchObject({
        status: 400,
        body: { error: 'Validation Error' },
      });
      const noJson = await fetch(`${auth.url}/api/v1/auth/logout`, { method: 'POST' });
      expect(noJson.status).toBe(415);
    });

    it('logout-all needs a caller and deletes every session of that user only', async () => {
      const user = await insertUser(db, { password: 'Secret123!' });
      const other = await insertUser(db, { password: 'Secret123!' });
      const first = await post('/login', { email: user.email, password: 'Secret123!' });
      await post('/login', { email: user.email, password: 'Secret123!' });
      await post('/login', { email: other.email, password: 'Secret123!' });
      expect(await post('/logout-all')).toMatchObject({
        status: 401,
        body: { error: 'Unauthorized', message: 'Authorization header is required' },
      });
      const res = await post('/logout-all', undefined, { token: first.body.data.accessToken });
      expect(res).toMatchObject({
        status: 200,
        body: { message: 'Logged out from all devices successfully', data: { sessionsDeleted: 2 } },
      });
      expect(await count(db, 'sessions', 'user_id = $1', [other.id])).toBe(1);
    });
  });

  describe('profile and me (A6, A7, A13)', () => {
    const session = async () => {
      const user = await insertUser(db, { password: 'Secret123!' });
      const { body } = await post('/login', { email: user.email, password: 'Secret123!' });
      return { user, token: body.data.accessToken as string };
    };

    it('GET /profile and /me describe the caller', async () => {
      const { user, token } = await session();
      expect(await get('/profile', token)).toMatchObject({
        status: 200,
        body: { message: 'Profile retrieved successfully', data: { id: user.id, email: user.email } },
      });
      expect(await get('/me', token)).toEqual(
        expect.objectContaining({
          status: 200,
          body: {
            message: 'User information retrieved successfully',
            data: { id: user.id, email: user.email, role: 'user', tenantId: null },
            timestamp: ISO,
          },
        }),
      );
    });

    it('PATCH /profile changes names and email, and an email change leaves an outbox event', async () => {
      const { user, token } = await session();
      const email = `changed${randomUUID().slice(0, 6)}@example.com`;
      const res = await api(auth.url, 'PATCH', '/api/v1/auth/profile', { token, body: { firstName: ' Zoë ', email: email.toUpperCase() } });
      expect(res).toMatchObject({
        status: 200,
        body: { message: 'Profile updated successfully', data: { firstName: 'Zoë', lastName: 'User', email } },
      });
      const events = (await db.query(`SELECT type, payload FROM event_outbox WHERE payload->>'userId' = $1`, [user.id])).rows;
      expect(events).toEqual([
        {
          type: 'auth.user.updated',
          payload: { userId: user.id, email, role: 'user', tenantId: null, isActive: true, changed: ['email'] },
        },
      ]);
    });

    it('PATCH /profile answers 409, 400 and 415 without changing anything', async () => {
      const { user, token } = await session();
      const taken = await insertUser(db);
      const patch = (body: unknown, headers?: Record<string, string>) =>
        api(auth.url, 'PATCH', '/api/v1/auth/profile', { token, body, headers });
      expect(await patch({ email: taken.email })).toMatchObject({
        status: 409,
        body: { error: 'Conflict', message: 'Email already registered' },
      });
      expect(await patch({})).toMatchObject({ status: 400, body: { error: 'Bad Request', message: 'No valid fields to update' } });
      expect(await patch({ firstName: 'x'.repeat(101) })).toMatchObject({ status: 400, body: { error: 'Validation Error' } });
      expect(await patch({ email: 'nope' })).toMatchObject({ status: 400, body: { error: 'Validation Error' } });
      expect(await patch('firstName=Bob', { 'content-type': 'text/plain' })).toMatchObject({
        status: 415,
        body: { error: 'Unsupported Media Type' },
      });
      const [row] = (await db.query('SELECT email, first_name FROM users WHERE id = $1', [user.id])).rows;
      expect(row).toEqual({ email: user.email, first_name: 'Test' });
    });
  });

  describe('authentication of auth routes (legacy 2.4)', () => {
    it('refuses access and refresh tokens signed without exp (issue 16.2)', async () => {
      const user = await insertUser(db);
      const access = sign({ userId: user.id, email: user.email, role: 'user', tenantId: null, type: 'access' }, TEST_ENV.JWT_SECRET, {
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
      expect(await get('/me', access)).toMatchObject({ status: 401, body: { error: 'Unauthorized', message: 'Invalid or expired token' } });
      const withExp = sign({ userId: user.id, email: user.email, role: 'user', tenantId: null, type: 'access' }, TEST_ENV.JWT_SECRET, {
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
        expiresIn: '5m',
      });
      expect((await get('/me', withExp)).status).toBe(200);
      const refresh = sign({ userId: user.id, sessionId: randomUUID(), type: 'refresh' }, TEST_ENV.JWT_REFRESH_SECRET, {
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
      await db.query(`INSERT INTO sessions (user_id, refresh_token, expires_at) VALUES ($1, $2, now() + interval '7 days')`, [
        user.id,
        refresh,
      ]);
      expect((await post('/refresh', { refreshToken: refresh })).status).toBe(401);
    });

    it('answers the legacy 401 messages', async () => {
      expect(await get('/me')).toMatchObject({
        status: 401,
        body: { error: 'Unauthorized', message: 'Authorization header is required', timestamp: ISO },
      });
      const basic = await api(auth.url, 'GET', '/api/v1/auth/me', { headers: { authorization: 'Basic abc' } });
      expect(basic).toMatchObject({ status: 401, body: { message: 'Authorization header must use Bearer scheme' } });
      for (const token of ['garbage', 'a'.repeat(64), "' OR 1=1 --"]) {
        expect(await get('/me', token)).toMatchObject({ status: 401, body: { message: 'Invalid or expired token' } });
      }
    });

    it('refuses the token of a user deactivated since it was issued', async () => {
      const user = await insertUser(db, { password: 'Secret123!' });
      const { body } = await post('/login', { email: user.email, password: 'Secret123!' });
      await db.query('UPDATE users SET is_active = false WHERE id = $1', [user.id]);
      expect(await get('/me', body.data.accessToken)).toMatchObject({ status: 401, body: { message: 'Invalid or expired token' } });
    });

    it('accepts an API token in the same header', async () => {
      const user = await insertUser(db, { role: 'admin' });
      const { token } = await insertApiToken(db, { userId: user.id });
      expect(await get('/me', token)).toMatchObject({ status: 200, body: { data: { id: user.id, role: 'admin' } } });
    });

    it('puts the tenant claim in tokens and refuses an inactive tenant (401) or a token for another tenant (403)', async () => {
      const tenantId = await insertTenant(db);
      const otherTenant = await insertTenant(db);
      const user = await insertUser(db, { tenantId, password: 'Secret123!' });
      // Single-tenant mode only logs in tenant-less users; sign the way login would for this one.
      const { token } = await insertApiToken(db, { userId: user.id, tenantId: otherTenant });
      expect(await get('/me', token)).toMatchObject({
        status: 403,
        body: { error: 'Forbidden', message: 'User no longer belongs to this tenant' },
      });
      const own = await insertApiToken(db, { userId: user.id, tenantId });
      expect(await get('/me', own.token)).toMatchObject({ status: 200, body: { data: { tenantId } } });
      await db.query('UPDATE tenants SET is_active = false WHERE id = $1', [tenantId]);
      expect(await get('/me', own.token)).toMatchObject({ status: 401, body: { message: 'Tenant account is inactive or not found' } });
    });
  });

  describe('development-only routes (A11, A12)', () => {
    it('answer 404 outside development', async () => {
      expect(await get('/test-credentials')).toMatchObject({
        status: 404,
        body: { error: 'Not Found', message: 'Test credentials are only available in development mode' },
      });
      expect(await post('/dev/unlock-account', { email: 'a@example.com' })).toMatchObject({ status: 404 });
    });
  });
});
