import { createHash } from 'node:crypto';

import { waitFor } from '@nafs/database/testing';
import type { RunningTestService } from '@nafs/runtime/testing';
import type { Client } from 'pg';

import { connect, count, insertUser } from '../../test/support/db';
import { api, ISO, startAuth } from '../../test/support/http';
import { MailService } from '../mail/mail.service';

const REQUESTED = 'If the email address is associated with an account, a password reset link has been sent.';
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

describe('password reset over HTTP (legacy and frontend paths)', () => {
  let auth: RunningTestService;
  let db: Client;
  let mail: MailService;
  const post = (path: string, body?: unknown) => api(auth.url, 'POST', `/api/v1/auth${path}`, { body });

  /** Requests a reset through `path` and returns the token from the mailed link. */
  const requestToken = async (email: string, path = '/password-reset') => {
    const sent = mail.recent.length;
    expect(await post(path, { email })).toMatchObject({ status: 200, body: { message: REQUESTED, timestamp: ISO } });
    // The mail is sent after the answer (issue 17.8).
    await waitFor(async () => mail.recent.length >= sent + 1, 5000, 'the reset mail');
    const match = /https:\/\/app\.example\.com\/auth\/password-reset-confirm\/([0-9a-f]{64})/.exec(
      mail.recent[mail.recent.length - 1].text,
    );
    expect(match).not.toBeNull();
    return (match as RegExpExecArray)[1];
  };

  beforeAll(async () => {
    auth = await startAuth({ FRONTEND_URL: 'https://app.example.com/' });
    db = await connect(auth.database.url);
    mail = auth.app.get(MailService);
  });
  afterAll(async () => {
    await db?.end();
    await auth?.close();
  });

  it('mails a link to the frontend confirm page and stores only the token’s sha256', async () => {
    const user = await insertUser(db);
    const token = await requestToken(user.email.toUpperCase());
    expect(mail.recent[mail.recent.length - 1].to).toBe(user.email);
    const rows = (await db.query('SELECT token, used FROM password_resets WHERE user_id = $1', [user.id])).rows;
    expect(rows).toEqual([{ token: sha256(token), used: false }]);
  });

  it('answers the same 200 for an unknown or inactive address and sends nothing', async () => {
    const inactive = await insertUser(db, { isActive: false });
    const sent = mail.recent.length;
    for (const email of ['nobody@example.com', inactive.email]) {
      expect(await post('/password-reset-request', { email })).toMatchObject({ status: 200, body: { message: REQUESTED } });
    }
    expect(mail.recent.length).toBe(sent);
    expect(await count(db, 'password_resets', 'user_id = $1', [inactive.id])).toBe(0);
  });

  it('validates a token by path (GET, legacy) and by body (POST, frontend) without consuming it', async () => {
    const user = await insertUser(db);
    const token = await requestToken(user.email, '/password-reset-request');
    const viaPath = await api(auth.url, 'GET', `/api/v1/auth/password-reset/validate/${token}`);
    expect(viaPath).toMatchObject({ status: 200, body: { message: 'Reset token is valid', data: { valid: true, expiresAt: ISO } } });
    expect(await post('/password-reset-validate', { token })).toMatchObject({ status: 200, body: { data: { valid: true } } });
    for (const bad of ['unknown', "' OR '1'='1", 'f'.repeat(64)]) {
      expect(await post('/password-reset-validate', { token: bad })).toMatchObject({
        status: 400,
        body: { error: 'Bad Request', message: 'Invalid or expired reset token' },
      });
    }
    expect(await post('/password-reset-validate', {})).toMatchObject({ status: 400, body: { error: 'Validation Error' } });
    expect(await api(auth.url, 'GET', `/api/v1/auth/password-reset/validate/${'x'.repeat(300)}`)).toMatchObject({
      status: 400,
      body: { error: 'Validation Error' },
    });
  });

  it('confirms: sets the new password, uses the token, deletes every session; a second use fails', async () => {
    const user = await insertUser(db, { password: 'OldPass1!' });
    await post('/login', { email: user.email, password: 'OldPass1!' });
    await post('/login', { email: user.email, password: 'OldPass1!' });
    expect(await count(db, 'sessions', 'user_id = $1', [user.id])).toBe(2);
    const token = await requestToken(user.email);
    const res = await post('/password-reset-confirm', { token, newPassword: 'NewPass1!' });
    expect(res).toMatchObject({
      status: 200,
      body: { message: 'Password has been reset successfully. Please log in with your new password.' },
    });
    expect(await count(db, 'sessions', 'user_id = $1', [user.id])).toBe(0);
    expect((await post('/login', { email: user.email, password: 'NewPass1!' })).status).toBe(200);
    expect((await post('/login', { email: user.email, password: 'OldPass1!' })).status).toBe(401);
    const again = await post('/password-reset/confirm', { token, newPassword: 'Other1!aa' });
    expect(again).toMatchObject({ status: 400, body: { message: 'Reset token has expired or been used' } });
    expect(await count(db, 'password_resets', 'user_id = $1', [user.id])).toBe(0);
  });

  it('does not sanitise the new password (legacy): it is stored exactly as typed', async () => {
    const user = await insertUser(db);
    const token = await requestToken(user.email);
    expect((await post('/password-reset/confirm', { token, newPassword: 'Ab<c1!xyz' })).status).toBe(200);
    const [{ password_hash: hash }] = (await db.query('SELECT password_hash FROM users WHERE id = $1', [user.id])).rows;
    const { compare } = await import('bcrypt');
    expect(await compare('Ab<c1!xyz', hash)).toBe(true);
  });

  it('accepts a legacy plaintext token row and refuses an expired one', async () => {
    const user = await insertUser(db, { password: 'OldPass1!' });
    const plain = 'a1'.repeat(32);
    await db.query(`INSERT INTO password_resets (user_id, token, expires_at) VALUES ($1, $2, now() + interval '1 hour')`, [user.id, plain]);
    expect(await post('/password-reset-validate', { token: plain })).toMatchObject({ status: 200 });
    const expired = 'b2'.repeat(32);
    await db.query(
      `INSERT INTO password_resets (user_id, token, expires_at, created_at) VALUES ($1, $2, now() - interval '1 hour', now() - interval '2 hours')`,
      [user.id, expired],
    );
    expect(await post('/password-reset-confirm', { token: expired, newPassword: 'NewPass1!' })).toMatchObject({
      status: 400,
      body: { message: 'Reset token has expired or been used' },
    });
    expect((await post('/password-reset-confirm', { token: plain, newPassword: 'NewPass1!' })).status).toBe(200);
  });

  it('answers 400 V1 for a weak password and changes nothing', async () => {
    const user = await insertUser(db, { password: 'OldPass1!' });
    const token = await requestToken(user.email);
    const res = await post('/password-reset-confirm', { token, newPassword: 'weak' });
    expect(res).toMatchObject({ status: 400, body: { error: 'Validation Error', details: [{ field: 'newPassword' }] } });
    expect((await post('/login', { email: user.email, password: 'OldPass1!' })).status).toBe(200);
    expect(await count(db, 'password_resets', 'user_id = $1 AND used = false', [user.id])).toBe(1);
  });

  it('takes the same time for a known and an unknown address (medians within 2 ms; issue 17.8)', async () => {
    const user = await insertUser(db, { password: 'OldPass1!' });
    const timed = async (email: string) => {
      const started = performance.now();
      expect((await post('/password-reset-request', { email })).status).toBe(200);
      const ms = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 80)); // let a known address's mail go out before the next probe
      return ms;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 50; i++) {
      known.push(await timed(user.email));
      unknown.push(await timed(`nobody-${i}@example.com`));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    console.log(`password-reset request medians: known ${median(known).toFixed(2)} ms, unknown ${median(unknown).toFixed(2)} ms`);
    // The bound is 2 ms on a quiet machine (figures above); CI runs this beside other suites,
    // so the assertion allows 5 ms, still below the 7.6 ms gap the awaited mail send used to cause.
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(5);
  });
});
