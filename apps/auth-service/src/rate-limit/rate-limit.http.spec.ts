import type { RunningTestService } from '@nafs/runtime/testing';

import { api, ISO, startAuth } from '../../test/support/http';

describe('rate limits per client IP in Redis', () => {
  let auth: RunningTestService;
  let replica: RunningTestService;
  const from = (service: RunningTestService, ip: string, path = '/api/v1/auth/me') =>
    api(service.url, 'GET', path, { headers: { 'x-forwarded-for': ip } });
  const loginFrom = (ip: string) =>
    api(auth.url, 'POST', '/api/v1/auth/login', {
      body: { email: 'x@example.com', password: 'Wrong1!' },
      headers: { 'x-forwarded-for': ip },
    });

  beforeAll(async () => {
    const limits = { RATE_LIMIT_MAX: '6', AUTH_RATE_LIMIT_MAX: '3' };
    auth = await startAuth(limits);
    // Same Redis namespace as the first instance: a second replica behind the same gateway.
    replica = await startAuth({ ...limits, REDIS_KEY_PREFIX: auth.env.REDIS_KEY_PREFIX });
  });
  afterAll(async () => {
    await replica?.close();
    await auth?.close();
  });

  it('limits every /api/ request per client IP across replicas, with the legacy 429 body and RateLimit headers', async () => {
    const ip = '203.0.113.50';
    const first = await from(auth, ip);
    expect(first.status).toBe(401);
    expect(first.headers.get('ratelimit-limit')).toBe('6');
    expect(first.headers.get('ratelimit-remaining')).toBe('5');
    for (let i = 0; i < 5; i += 1) expect((await from(i % 2 ? auth : replica, ip)).status).toBe(401);
    const limited = await from(replica, ip);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: 'Too many requests from this IP, please try again later.', retryAfter: '15 minutes' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another client behind the same gateway is not affected; health probes are never limited.
    expect((await from(auth, '203.0.113.51')).status).toBe(401);
    expect((await from(auth, ip, '/health/live')).status).toBe(200);
  });

  it('with TRUST_PROXY_HOPS=1 uses the address one hop back (the gateway’s) and nothing further: a client cannot pick its bucket', async () => {
    const real = '203.0.113.60';
    for (let i = 0; i < 6; i += 1) await from(auth, `10.0.0.${i}, ${real}`);
    expect((await from(auth, `10.9.9.9, ${real}`)).status).toBe(429);
  });

  it('trusts no X-Forwarded-For by default: a client reaching auth directly gets no fresh budget per spoofed address', async () => {
    // TRUST_PROXY_HOPS unset: the socket address (this test, 127.0.0.1) is the bucket.
    const direct = await startAuth({ RATE_LIMIT_MAX: '6', AUTH_RATE_LIMIT_MAX: '3', TRUST_PROXY_HOPS: '' });
    try {
      // The limiter's Redis connection comes up just after the listener (fail-open until then).
      let first = await from(direct, '203.0.113.100');
      for (let i = 0; i < 50 && !first.headers.get('ratelimit-remaining'); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        first = await from(direct, '203.0.113.100');
      }
      expect(first.headers.get('ratelimit-remaining')).toBe('5');
      const remaining: (string | null)[] = [];
      for (let i = 1; i <= 5; i += 1) remaining.push((await from(direct, `203.0.113.${100 + i}`)).headers.get('ratelimit-remaining'));
      expect(remaining).toEqual(['4', '3', '2', '1', '0']);
      expect((await from(direct, '198.18.7.7')).status).toBe(429);
    } finally {
      await direct.close();
    }
  });

  it('applies the stricter login/refresh/reset limit (legacy had none)', async () => {
    const ip = '203.0.113.70';
    for (let i = 0; i < 3; i += 1) expect((await loginFrom(ip)).status).toBe(401);
    expect(await loginFrom(ip)).toMatchObject({
      status: 429,
      body: { error: 'Too Many Requests', message: expect.stringContaining('Too many authentication requests'), timestamp: ISO },
    });
    expect((await loginFrom('203.0.113.71')).status).toBe(401);
  });
});
