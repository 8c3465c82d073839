import { REDIS_CLIENT } from '@nafs/cache';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import type Redis from 'ioredis';
import type { Client } from 'pg';

import { connect, insertUser } from '../../test/support/db';
import { api, ISO, startAuth, TEST_ENV } from '../../test/support/http';
import { AUTH_SERVICE } from '../service';

describe('login lockout in Redis (legacy 2.8, fixed)', () => {
  let auth: RunningTestService;
  let replica: RunningTestService;
  let db: Client;
  let redis: Redis;
  const login = (service: RunningTestService, email: string, password: string) =>
    api(service.url, 'POST', '/api/v1/auth/login', { body: { email, password } });
  const minutesLeft = (lockedUntil: string) => (new Date(lockedUntil).getTime() - Date.now()) / 60_000;

  beforeAll(async () => {
    auth = await startAuth({ LOCKOUT_DUPLICATE_SECONDS: '30' });
    // A second replica on the same Redis namespace (but its own database copy is irrelevant here).
    replica = await startTestService(AUTH_SERVICE, {
      ...TEST_ENV,
      REDIS_KEY_PREFIX: auth.env.REDIS_KEY_PREFIX,
      AUTH_DB_URL: auth.env.AUTH_DB_URL,
    });
    db = await connect(auth.database.url);
    redis = auth.app.get(REDIS_CLIENT);
  });
  afterAll(async () => {
    await db?.end();
    await replica?.app.close();
    await auth?.close();
  });

  it('counts an identical failed attempt resent by the web app (4 requests) once', async () => {
    const user = await insertUser(db, { password: 'Right123!' });
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      for (let resend = 0; resend < 4; resend += 1) {
        expect((await login(auth, user.email, `Wrong${attempt}!`)).status).toBe(401);
      }
    }
    // 4 distinct failures, each sent 4 times: not locked, and the right password works.
    expect((await login(auth, user.email, 'Right123!')).status).toBe(200);
  });

  it('locks after the 5th distinct failure for 15 minutes, on every replica, even for the right password', async () => {
    const user = await insertUser(db, { password: 'Right123!' });
    for (let attempt = 1; attempt <= 5; attempt += 1) expect((await login(auth, user.email, `Wrong${attempt}!`)).status).toBe(401);
    const locked = await login(replica, user.email.toUpperCase(), 'Right123!');
    expect(locked.status).toBe(423);
    expect(locked.body).toEqual({
      error: 'Locked',
      message: expect.stringMatching(/^Account is temporarily locked .* try again in 15 minutes\.$/),
      lockedUntil: ISO,
      timestamp: ISO,
    });
    expect(minutesLeft(locked.body.lockedUntil)).toBeGreaterThan(14.9);
    expect(minutesLeft(locked.body.lockedUntil)).toBeLessThanOrEqual(15);
    // Checked before validation, as in legacy.
    expect((await api(auth.url, 'POST', '/api/v1/auth/login', { body: { email: user.email } })).status).toBe(423);
  });

  it('escalates: the next lock after one expires lasts twice as long, capped', async () => {
    const user = await insertUser(db, { password: 'Right123!' });
    const expireLock = () => redis.del(`${auth.env.REDIS_KEY_PREFIX}lockout:lock:${user.email}`);
    const durations: number[] = [];
    for (let round = 0; round < 7; round += 1) {
      for (let attempt = 1; attempt <= 5; attempt += 1) await login(auth, user.email, `R${round}wrong${attempt}!`);
      const res = await login(auth, user.email, 'Right123!');
      expect(res.status).toBe(423);
      durations.push(Math.round(minutesLeft(res.body.lockedUntil)));
      await expireLock();
    }
    expect(durations).toEqual([15, 30, 60, 120, 240, 240, 240]);
  });

  it('a successful login clears the failures and the escalation', async () => {
    const user = await insertUser(db, { password: 'Right123!' });
    for (let attempt = 1; attempt <= 4; attempt += 1) await login(auth, user.email, `Wrong${attempt}!`);
    expect((await login(auth, user.email, 'Right123!')).status).toBe(200);
    for (let attempt = 1; attempt <= 4; attempt += 1) await login(auth, user.email, `Again${attempt}!`);
    expect((await login(auth, user.email, 'Right123!')).status).toBe(200);
  });
});

describe('development unlock (A12)', () => {
  let auth: RunningTestService;
  let db: Client;

  beforeAll(async () => {
    auth = await startAuth({ NODE_ENV: 'development' });
    db = await connect(auth.database.url);
  });
  afterAll(async () => {
    await db?.end();
    await auth?.close();
  });

  it('unlocks a locked account and reports what it cleared; test-credentials are served', async () => {
    const user = await insertUser(db, { password: 'Right123!' });
    for (let attempt = 1; attempt <= 5; attempt += 1)
      await api(auth.url, 'POST', '/api/v1/auth/login', { body: { email: user.email, password: `Wrong${attempt}!` } });
    const res = await api(auth.url, 'POST', '/api/v1/auth/dev/unlock-account', { body: { email: user.email } });
    expect(res).toMatchObject({
      status: 200,
      body: {
        message: 'Account unlocked successfully',
        data: { email: user.email, wasLocked: true, previousAttempts: 0, lockedUntil: ISO },
      },
    });
    expect((await api(auth.url, 'POST', '/api/v1/auth/login', { body: { email: user.email, password: 'Right123!' } })).status).toBe(200);
    expect(await api(auth.url, 'POST', '/api/v1/auth/dev/unlock-account', { body: {} })).toMatchObject({
      status: 400,
      body: { error: 'Validation Error' },
    });
    const credentials = await api(auth.url, 'GET', '/api/v1/auth/test-credentials');
    expect(credentials).toMatchObject({
      status: 200,
      body: {
        data: {
          environment: 'development',
          credentials: expect.arrayContaining([expect.objectContaining({ email: 'admin@example.com' })]),
        },
      },
    });
  });
});
