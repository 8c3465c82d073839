import { PrivateRedis } from '@nafs/database/testing';
import type { RunningTestService } from '@nafs/runtime/testing';
import type { Client } from 'pg';

import { connect, insertUser } from '../../test/support/db';
import { api, startAuth } from '../../test/support/http';

/** Issue 17.9: with Redis gone, the login guards (rate limits, lockout) fail open within their command timeout. */
describe('login while Redis is down (a Redis of its own, killed)', () => {
  let redis: PrivateRedis;
  let auth: RunningTestService;
  let db: Client;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    auth = await startAuth({ REDIS_URL: redis.url, AUTH_RATE_LIMIT_MAX: '3' });
    db = await connect(auth.database.url);
  });
  afterAll(async () => {
    await db?.end();
    // Redis back on its port first, so the service's clients reconnect and close instead of retrying forever.
    await redis?.start();
    await auth?.close();
    await redis?.kill();
  });

  it('answers logins within 1 s (rate limit and lockout skipped), as fast as with Redis up', async () => {
    const user = await insertUser(db, { password: 'Right123!' });
    const login = async (password: string, ip: string) => {
      const started = performance.now();
      const reply = await api(auth.url, 'POST', '/api/v1/auth/login', {
        body: { email: user.email, password },
        headers: { 'x-forwarded-for': ip },
      });
      return { status: reply.status, ms: performance.now() - started };
    };
    const up = [];
    for (let i = 0; i < 3; i++) up.push(await login('Right123!', `203.0.113.1${i}`));
    expect(up.map((a) => a.status)).toEqual([200, 200, 200]);

    await redis.kill();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await login('Right123!', '203.0.113.2'), await login(`Wrong${i}!`, '203.0.113.2'));
    // 10 logins from one IP over a limit of 3: the limit is skipped (fail-open), each answer normal.
    expect(answers.map((a) => a.status)).toEqual([200, 401, 200, 401, 200, 401, 200, 401, 200, 401]);
    const slowest = Math.max(...answers.map((a) => a.ms));
    console.log(
      `logins with Redis up: slowest ${Math.max(...up.map((a) => a.ms)).toFixed(0)} ms; with Redis down: ${answers.length}, slowest ${slowest.toFixed(0)} ms, median ${answers
        .map((a) => a.ms)
        .sort((a, b) => a - b)[5]
        .toFixed(0)} ms`,
    );
    expect(slowest).toBeLessThan(1000);
  });
});
