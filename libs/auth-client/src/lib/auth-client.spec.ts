import { REDIS_CLIENT, RedisModule } from '@nafs/cache';
import {
  type ApiTokenIdentity,
  AUTH_EVENTS,
  AUTH_PATTERNS,
  type AuthenticatedUser,
  JWT_AUDIENCE,
  JWT_ISSUER,
  type TenantIdentity,
  type UserIdentity,
} from '@nafs/contracts';
import { testInfra, uniqueRedisPrefix } from '@nafs/database/testing';
import { MetricsModule } from '@nafs/observability';
import { AuthRpcModule, createRpcServer } from '@nafs/rpc';
import { Controller, Get, type INestApplication, type INestMicroservice, Post, UseGuards } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import type Redis from 'ioredis';
import request from 'supertest';

import { AuthGuard } from './auth.guard';
import { identityClientOptionsFromEnv } from './auth-client.config';
import { AuthClientModule } from './auth-client.module';
import { CurrentUser, Public, Roles } from './decorators';
import { IdentityCacheInvalidator } from './identity-cache-invalidator';
import { sha256Hex } from './identity-client';
import { IdentityReferences } from './identity-reference';

const SECRET = 'test-secret-that-is-at-least-32-characters-long';
const jwtService = new JwtService();

/** What a fake auth-service knows; tests mutate it and count the calls. */
class FakeAuthState {
  users = new Map<string, UserIdentity>();
  tenants = new Map<string, TenantIdentity>();
  tokens = new Map<string, Omit<ApiTokenIdentity, 'user'> & { userId: string }>();
  calls: string[] = [];
  delayMs = 0;
}

function fakeAuthController(state: FakeAuthState, label: string) {
  @Controller()
  class FakeIdentityController {
    private async pause() {
      if (state.delayMs) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    }

    @MessagePattern(AUTH_PATTERNS.ping)
    ping() {
      return { service: 'auth-service', uptime: 1, timestamp: new Date().toISOString(), label };
    }

    @MessagePattern(AUTH_PATTERNS.validateUser)
    async validateUser(@Payload() data: { userId: string }) {
      state.calls.push(`${label}:user:${data.userId}`);
      await this.pause();
      const user = state.users.get(data.userId);
      if (!user) throw new RpcException({ code: 'NOT_FOUND', message: 'User not found' });
      if (!user.isActive) throw new RpcException({ code: 'INACTIVE', message: 'User is inactive' });
      return user;
    }

    @MessagePattern(AUTH_PATTERNS.validateTenant)
    async validateTenant(@Payload() data: { tenantId: string }) {
      state.calls.push(`${label}:tenant:${data.tenantId}`);
      const tenant = state.tenants.get(data.tenantId);
      if (!tenant) throw new RpcException({ code: 'NOT_FOUND', message: 'Tenant not found' });
      if (!tenant.isActive) throw new RpcException({ code: 'INACTIVE', message: 'Tenant is inactive' });
      return tenant;
    }

    @MessagePattern(AUTH_PATTERNS.verifyApiToken)
    async verifyApiToken(@Payload() data: { token: string }) {
      state.calls.push(`${label}:token`);
      const token = state.tokens.get(data.token);
      const user = token && state.users.get(token.userId);
      if (!token || !user) throw new RpcException({ code: 'NOT_FOUND', message: 'Invalid API token' });
      return { tokenId: token.tokenId, scopes: token.scopes, tenantId: token.tenantId, user };
    }
  }
  return FakeIdentityController;
}

async function startFakeAuth(env: Record<string, string>, state: FakeAuthState, label = 'auth'): Promise<INestMicroservice> {
  const moduleRef = await Test.createTestingModule({ controllers: [fakeAuthController(state, label)] }).compile();
  const app = moduleRef.createNestMicroservice({ strategy: createRpcServer(env) });
  app.useLogger(false);
  await app.listen();
  return app;
}

@Controller('things')
@UseGuards(AuthGuard)
class ThingsController {
  @Get()
  list(@CurrentUser() user: AuthenticatedUser) {
    return { user };
  }

  @Post()
  create(@CurrentUser() user: AuthenticatedUser) {
    return { created: true, by: user.id };
  }

  @Get('admin')
  @Roles('admin')
  admin() {
    return { ok: true };
  }

  @Get('public')
  @Public()
  open(@CurrentUser() user?: AuthenticatedUser) {
    return { user: user ?? null };
  }
}

async function startWebApp(env: Record<string, string>): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      RedisModule.forRoot(env, 'auth-client-test'),
      AuthRpcModule.forRoot(env),
      MetricsModule.forRoot({ service: 'auth-client-test', defaultMetrics: false }),
      AuthClientModule.forRoot(identityClientOptionsFromEnv(env)),
    ],
    controllers: [ThingsController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function user(n: number, extra: Partial<UserIdentity> = {}): UserIdentity {
  return { id: uuid(n), email: `u${n}@example.com`, role: 'user', tenantId: null, isActive: true, tenantActive: null, ...extra };
}

function accessToken(u: UserIdentity, extra: Record<string, unknown> = {}, secret = SECRET) {
  return jwtService.sign(
    { userId: u.id, email: u.email, role: u.role, tenantId: u.tenantId, type: 'access', ...extra },
    { secret, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, expiresIn: '1h', algorithm: 'HS256' },
  );
}

function metricValue(text: string, name: string, labels: string[]): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('auth-client against a fake auth-service over the real Redis transport', () => {
  let env: Record<string, string>;
  let state: FakeAuthState;
  let auth: INestMicroservice | undefined;
  let app: INestApplication;
  let http: ReturnType<typeof request>;

  beforeEach(async () => {
    const prefix = uniqueRedisPrefix('authclient');
    env = {
      REDIS_URL: testInfra().redisUrl,
      REDIS_KEY_PREFIX: prefix,
      RPC_CHANNEL_PREFIX: prefix,
      JWT_SECRET: SECRET,
      AUTH_RPC_TIMEOUT_MS: '200',
      AUTH_RPC_DEADLINE_MS: '800',
      AUTH_RPC_RETRIES: '1',
      AUTH_RPC_BREAKER_THRESHOLD: '3',
      AUTH_RPC_BREAKER_HALF_OPEN_MS: '300',
    };
    state = new FakeAuthState();
    auth = await startFakeAuth(env, state);
    app = await startWebApp(env);
    http = request(app.getHttpServer());
  });

  afterEach(async () => {
    await app?.close();
    await auth?.close();
  });

  it('authenticates a JWT user, puts the current identity on the request, and caches it', async () => {
    const u = user(1, { role: 'admin' });
    state.users.set(u.id, u);
    const token = accessToken({ ...u, role: 'user' });
    const res = await http.get('/things').set('Authorization', `Bearer ${token}`).expect(200);
    // The role comes from auth (current), not from the token's claim.
    expect(res.body.user).toEqual({ id: u.id, email: u.email, role: 'admin', tenantId: null, authType: 'jwt', scopes: ['read', 'write'] });
    await http.get('/things').set('Authorization', `Bearer ${token}`).expect(200);
    expect(state.calls).toEqual([`auth:user:${u.id}`]);
    const redis = app.get<Redis>(REDIS_CLIENT);
    expect(JSON.parse((await redis.get(`${env.REDIS_KEY_PREFIX}identity:user:${u.id}`)) ?? 'null')).toMatchObject({
      ok: true,
      value: { id: u.id },
    });
    expect(await redis.ttl(`${env.REDIS_KEY_PREFIX}identity:user:${u.id}`)).toBeGreaterThan(290);
  });

  it('makes one RPC for a burst of concurrent requests for one uncached user (single flight)', async () => {
    const u = user(2);
    state.users.set(u.id, u);
    state.delayMs = 50;
    const token = accessToken(u);
    const server = app.getHttpServer();
    const responses = await Promise.all(
      Array.from({ length: 40 }, () => request(server).get('/things').set('Authorization', `Bearer ${token}`)),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(state.calls).toEqual([`auth:user:${u.id}`]);
  });

  it('refuses in the legacy E1 shape with the legacy messages', async () => {
    const u = user(3);
    state.users.set(u.id, u);
    const cases: [Record<string, string>, number, string][] = [
      [{}, 401, 'Authorization header is required'],
      [{ Authorization: 'Basic abc' }, 401, 'Authorization header must use Bearer scheme'],
      [{ Authorization: 'Bearer not-a-jwt' }, 401, 'Invalid or expired token'],
      [{ Authorization: `Bearer ${accessToken(u, {}, 'another-secret-that-is-at-least-32-chars-long')}` }, 401, 'Invalid or expired token'],
      [{ Authorization: `Bearer ${accessToken(u, { type: 'refresh' })}` }, 401, 'Invalid or expired token'],
      [{ Authorization: `Bearer ${accessToken(user(99))}` }, 401, 'Invalid or expired token'],
      [{ Authorization: `Bearer ${'a'.repeat(64)}` }, 401, 'Invalid or expired token'],
      // Signed with the right secret but without `exp` (issue 16.2): it would never expire.
      [
        {
          Authorization: `Bearer ${jwtService.sign({ userId: u.id, email: u.email, role: u.role, tenantId: u.tenantId, type: 'access' }, { secret: SECRET, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, algorithm: 'HS256' })}`,
        },
        401,
        'Invalid or expired token',
      ],
      [
        {
          Authorization: `Bearer ${accessToken(u, { tenant: { id: uuid(7), slug: 's', plan: 'free', features: [], limits: {}, status: 'suspended' } })}`,
        },
        401,
        'Invalid or expired token',
      ],
    ];
    for (const [headers, status, message] of cases) {
      const res = await http.get('/things').set(headers).expect(status);
      expect(res.body).toEqual({ error: 'Unauthorized', message, timestamp: expect.any(String) });
    }
    const expired = jwtService.sign(
      { userId: u.id, type: 'access' },
      { secret: SECRET, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, expiresIn: -10 },
    );
    await http.get('/things').set('Authorization', `Bearer ${expired}`).expect(401);
    const wrongAudience = jwtService.sign(
      { userId: u.id, type: 'access' },
      { secret: SECRET, issuer: JWT_ISSUER, audience: 'other', expiresIn: 60 },
    );
    await http.get('/things').set('Authorization', `Bearer ${wrongAudience}`).expect(401);
    const forbiddenRes = await http
      .get('/things/admin')
      .set('Authorization', `Bearer ${accessToken(u)}`)
      .expect(403);
    expect(forbiddenRes.body).toEqual({ error: 'Forbidden', message: 'Insufficient permissions', timestamp: expect.any(String) });
    const metrics = await http.get('/metrics').expect(200);
    expect(metricValue(metrics.text, 'identity_validation_failures_total', ['reason="invalid_jwt"'])).toBeGreaterThanOrEqual(5);
    expect(metricValue(metrics.text, 'identity_validation_failures_total', ['reason="forbidden_role"'])).toBe(1);
  });

  it('refuses a deactivated user once invalidated, on every replica (pub/sub)', async () => {
    const u = user(4);
    state.users.set(u.id, u);
    const token = accessToken(u);
    const replica = await startWebApp(env);
    try {
      await http.get('/things').set('Authorization', `Bearer ${token}`).expect(200);
      await request(replica.getHttpServer()).get('/things').set('Authorization', `Bearer ${token}`).expect(200);
      state.users.set(u.id, { ...u, isActive: false });
      // Still cached: the change is not seen until the invalidation.
      await http.get('/things').set('Authorization', `Bearer ${token}`).expect(200);
      await app.get(IdentityCacheInvalidator).handleAuthEventForIdentityCache({
        id: 'e1',
        type: AUTH_EVENTS.userDeactivated,
        occurredAt: new Date().toISOString(),
        payload: { userId: u.id, tenantId: null },
      });
      await http.get('/things').set('Authorization', `Bearer ${token}`).expect(401);
      const deadline = Date.now() + 2000;
      let status = 200;
      while (Date.now() < deadline && status === 200) {
        status = (await request(replica.getHttpServer()).get('/things').set('Authorization', `Bearer ${token}`)).status;
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toBe(401);
    } finally {
      await replica.close();
    }
  });

  it('resolves API tokens through auth, caches them by sha256 only, and enforces scopes', async () => {
    const u = user(5);
    state.users.set(u.id, u);
    const readToken = 'ab'.repeat(32);
    const writeToken = 'cd'.repeat(32);
    state.tokens.set(readToken, { tokenId: uuid(50), scopes: ['read'], tenantId: null, userId: u.id });
    state.tokens.set(writeToken, { tokenId: uuid(51), scopes: ['read', 'write'], tenantId: null, userId: u.id });
    const res = await http.get('/things').set('Authorization', `Bearer ${readToken}`).expect(200);
    expect(res.body.user).toEqual({
      id: u.id,
      email: u.email,
      role: 'user',
      tenantId: null,
      authType: 'api_token',
      scopes: ['read'],
      apiTokenId: uuid(50),
    });
    const refused = await http.post('/things').set('Authorization', `Bearer ${readToken}`).expect(403);
    expect(refused.body).toEqual({ error: 'Forbidden', message: expect.stringContaining('scope'), timestamp: expect.any(String) });
    await http.post('/things').set('Authorization', `Bearer ${writeToken}`).expect(201);
    await http
      .post('/things')
      .set('Authorization', `Bearer ${accessToken(u)}`)
      .expect(201);
    const redis = app.get<Redis>(REDIS_CLIENT);
    const keys = await redis.keys(`${env.REDIS_KEY_PREFIX}*`);
    expect(keys).toContain(`${env.REDIS_KEY_PREFIX}identity:api-token:${sha256Hex(readToken)}`);
    for (const key of keys) {
      expect(key).not.toContain(readToken);
      expect(await redis.get(key)).not.toContain(readToken);
    }
    // Revocation event: the token stops working.
    state.tokens.delete(readToken);
    await app.get(IdentityCacheInvalidator).handleAuthEventForIdentityCache({
      id: 'e2',
      type: AUTH_EVENTS.apiTokenRevoked,
      occurredAt: new Date().toISOString(),
      payload: { tokenId: uuid(50), userId: u.id, tokenSha256: sha256Hex(readToken) },
    });
    await http.get('/things').set('Authorization', `Bearer ${readToken}`).expect(401);
  });

  it('ignores a stale or invalid token on public routes instead of answering 401', async () => {
    const u = user(6);
    state.users.set(u.id, u);
    expect((await http.get('/things/public').set('Authorization', 'Bearer garbage').expect(200)).body).toEqual({ user: null });
    expect(
      (
        await http
          .get('/things/public')
          .set('Authorization', `Bearer ${accessToken(user(98))}`)
          .expect(200)
      ).body,
    ).toEqual({ user: null });
    expect((await http.get('/things/public').expect(200)).body).toEqual({ user: null });
    expect(
      (
        await http
          .get('/things/public')
          .set('Authorization', `Bearer ${accessToken(u)}`)
          .expect(200)
      ).body.user.id,
    ).toBe(u.id);
  });

  it("requires an active tenant that is the user's own", async () => {
    const tenantId = uuid(70);
    const u = user(7, { tenantId, tenantActive: true });
    state.users.set(u.id, u);
    state.tenants.set(tenantId, { id: tenantId, slug: 't', name: 'T', isActive: true, status: 'active', plan: 'free' });
    const token = accessToken(u);
    await http.get('/things').set('Authorization', `Bearer ${token}`).expect(200);
    state.tenants.set(tenantId, { id: tenantId, slug: 't', name: 'T', isActive: false, status: 'suspended', plan: 'free' });
    await app.get(IdentityCacheInvalidator).invalidateTenant(tenantId);
    const res = await http.get('/things').set('Authorization', `Bearer ${token}`).expect(401);
    expect(res.body.message).toBe('Tenant account is inactive or not found');
    const other = uuid(71);
    state.tenants.set(other, { id: other, slug: 'o', name: 'O', isActive: true, status: 'active', plan: 'free' });
    const mismatch = accessToken(u, { tenant: { id: other, slug: 'o', plan: 'free', features: [], limits: {}, status: 'active' } });
    expect((await http.get('/things').set('Authorization', `Bearer ${mismatch}`).expect(403)).body.message).toBe(
      'User no longer belongs to this tenant',
    );
  });

  it('keeps cached users working while auth is down, answers 503 fast for others, and recovers by itself', async () => {
    const cached = user(8);
    const uncached = user(9);
    state.users.set(cached.id, cached);
    state.users.set(uncached.id, uncached);
    await http
      .get('/things')
      .set('Authorization', `Bearer ${accessToken(cached)}`)
      .expect(200);
    await auth?.close();
    auth = undefined;

    await http
      .get('/things')
      .set('Authorization', `Bearer ${accessToken(cached)}`)
      .expect(200);
    for (let i = 0; i < 4; i++) {
      const started = Date.now();
      const res = await http.get('/things').set('Authorization', `Bearer ${accessToken(uncached)}`);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: 'Service Unavailable',
        message: expect.stringContaining('unavailable'),
        timestamp: expect.any(String),
      });
      expect(Date.now() - started).toBeLessThan(1200);
    }
    // The breaker is open now: refusals are immediate.
    const started = Date.now();
    await http
      .get('/things')
      .set('Authorization', `Bearer ${accessToken(uncached)}`)
      .expect(503);
    expect(Date.now() - started).toBeLessThan(100);
    expect(metricValue((await http.get('/metrics')).text, 'identity_rpc_breaker_state', [])).toBe(1);

    auth = await startFakeAuth(env, state);
    const deadline = Date.now() + 5000;
    let status = 503;
    while (Date.now() < deadline && status !== 200) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (await http.get('/things').set('Authorization', `Bearer ${accessToken(uncached)}`)).status;
    }
    expect(status).toBe(200);
    expect(metricValue((await http.get('/metrics')).text, 'identity_rpc_breaker_state', [])).toBe(0);
  });

  it('stays correct with two auth replicas answering the same patterns', async () => {
    const second = await startFakeAuth(env, state, 'auth2');
    try {
      for (let n = 20; n < 40; n++) state.users.set(uuid(n), user(n, { role: n % 2 ? 'admin' : 'user' }));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => http.get('/things').set('Authorization', `Bearer ${accessToken(user(20 + i))}`)),
      );
      results.forEach((res, i) => {
        expect(res.status).toBe(200);
        expect(res.body.user.id).toBe(uuid(20 + i));
        expect(res.body.user.role).toBe((20 + i) % 2 ? 'admin' : 'user');
      });
      // Both replicas answered each request; the client kept the first reply of each.
      expect(state.calls.filter((c) => c.startsWith('auth:user')).length).toBe(20);
      expect(state.calls.filter((c) => c.startsWith('auth2:user')).length).toBe(20);
    } finally {
      await second.close();
    }
  });

  it('checks app-layer foreign keys and counts the failures', async () => {
    const active = user(10);
    state.users.set(active.id, active);
    state.users.set(uuid(11), user(11, { isActive: false }));
    const refs = app.get(IdentityReferences);
    await expect(refs.requireActiveUser(active.id)).resolves.toMatchObject({ id: active.id });
    await expect(refs.requireActiveUser(uuid(11), 'ownerId')).rejects.toMatchObject({ status: 400, reason: 'inactive', field: 'ownerId' });
    await expect(refs.requireActiveUser(uuid(12))).rejects.toMatchObject({ status: 404, reason: 'not_found' });
    await expect(refs.requireActiveTenant(uuid(13))).rejects.toMatchObject({ status: 404, subject: 'tenant', code: 'INVALID_REFERENCE' });
    const text = (await http.get('/metrics')).text;
    expect(metricValue(text, 'identity_reference_check_failures_total', ['kind="user"'])).toBe(2);
    expect(metricValue(text, 'identity_reference_check_failures_total', ['kind="tenant"'])).toBe(1);
    expect(metricValue(text, 'identity_cache_lookups_total', ['level="local"', 'result="miss"'])).toBeGreaterThan(0);
    expect(text).toContain('identity_rpc_duration_seconds_bucket');
  });
});
