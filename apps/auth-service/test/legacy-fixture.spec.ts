import { type ApiTokenIdentity, AUTH_PATTERNS, tablesOwnedBy } from '@nafs/contracts';
import { copyLegacyTables, createSeededLegacyDatabase, type TestDatabase } from '@nafs/database/testing';
import { createRpcClient, rpcCall } from '@nafs/rpc';
import type { RunningTestService } from '@nafs/runtime/testing';
import type { ClientProxy } from '@nestjs/microservices';
import type { Client } from 'pg';

import { sha256Hex } from '../src/api-tokens/api-token-verifier';
import { connect, count } from './support/db';
import { api, claimsOf, startAuth } from './support/http';

const KNOWN_TOKEN_1 = 'c98fe38ec31527e230020423e62004e29d56f3189ab2313ea3127c596e755d4f';
const KNOWN_TOKEN_2 = '68107de523ba2ccc779e84d60c422bbe8fc4ed0451e25c82ba3fde10b71336c0';
const PASSWORD = 'User123!@#';

describe('the legacy fixture migrated into the auth database', () => {
  let legacy: TestDatabase;
  let auth: RunningTestService;
  let source: Client;
  let target: Client;
  let rpc: ClientProxy;
  const tables = tablesOwnedBy('auth');

  beforeAll(async () => {
    legacy = await createSeededLegacyDatabase('auth_fixture');
    auth = await startAuth();
    await copyLegacyTables(legacy.url, auth.database.url, 'auth');
    source = await connect(legacy.url);
    target = await connect(auth.database.url);
    rpc = createRpcClient(auth.env);
  });
  afterAll(async () => {
    await rpc?.close();
    await source?.end();
    await target?.end();
    await auth?.close();
    await legacy?.drop();
  });

  it('holds every legacy row of the 7 auth tables', async () => {
    for (const table of tables) expect({ table, rows: await count(target, table) }).toEqual({ table, rows: await count(source, table) });
    expect(await count(target, 'users')).toBe(50);
  });

  it('logs in the known users with their legacy $2a$ cost-12 hashes; the inactive one is refused', async () => {
    for (const [email, role] of [
      ['admin@example.com', 'admin'],
      ['user@example.com', 'user'],
      ['readonly@example.com', 'readonly'],
    ] as const) {
      const res = await api(auth.url, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
      expect({ email, status: res.status }).toEqual({ email, status: 200 });
      expect(claimsOf(res.body.data.accessToken)).toMatchObject({ email, role, tenantId: null, type: 'access' });
    }
    expect(
      (await api(auth.url, 'POST', '/api/v1/auth/login', { body: { email: 'unverified@example.com', password: 'Unverified123!@#' } }))
        .status,
    ).toBe(200);
    expect(
      await api(auth.url, 'POST', '/api/v1/auth/login', { body: { email: 'inactive@example.com', password: 'Inactive123!@#' } }),
    ).toMatchObject({ status: 401, body: { message: 'Invalid email or password' } });
  });

  it('authenticates the two known legacy API tokens, fills their sha256, and enforces their scopes', async () => {
    const list = await api(auth.url, 'GET', '/api/v1/tokens', { token: KNOWN_TOKEN_1 });
    expect(list.status).toBe(200);
    expect(list.body.data.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['Known token 1', 'Known token 2']));
    expect(await api(auth.url, 'POST', '/api/v1/tokens', { token: KNOWN_TOKEN_1, body: { name: 'nope', scopes: ['read'] } })).toMatchObject(
      { status: 403 },
    );
    expect((await api(auth.url, 'GET', '/api/v1/auth/me', { token: KNOWN_TOKEN_2 })).body.data).toMatchObject({
      email: 'admin@example.com',
      role: 'admin',
    });
    const filled = (await target.query(`SELECT name, token_sha256 FROM api_tokens WHERE name LIKE 'Known token %' ORDER BY name`)).rows;
    expect(filled).toEqual([
      { name: 'Known token 1', token_sha256: sha256Hex(KNOWN_TOKEN_1) },
      { name: 'Known token 2', token_sha256: sha256Hex(KNOWN_TOKEN_2) },
    ]);
    const identity = await rpcCall<ApiTokenIdentity>(rpc, AUTH_PATTERNS.verifyApiToken, { token: KNOWN_TOKEN_2 }, 5000);
    expect(identity).toMatchObject({
      scopes: ['read', 'write'],
      tenantId: null,
      user: { email: 'admin@example.com', role: 'admin', isActive: true },
    });
  });

  it('serves the awkward legacy rows without a single 5xx', async () => {
    const adminToken = (await api(auth.url, 'POST', '/api/v1/auth/login', { body: { email: 'admin@example.com', password: PASSWORD } }))
      .body.data.accessToken;
    const userToken = (await api(auth.url, 'POST', '/api/v1/auth/login', { body: { email: 'user@example.com', password: PASSWORD } })).body
      .data.accessToken;
    const statuses: string[] = [];
    const check = async (path: string, token: string) => {
      const res = await api(auth.url, 'GET', path, { token });
      if (res.status >= 500) statuses.push(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res;
    };
    const users = await check('/api/v1/users?status=all&limit=100', adminToken);
    expect(users.status).toBe(200);
    for (const { id } of (await target.query('SELECT id FROM users')).rows) await check(`/api/v1/users/${id}`, adminToken);
    // user@example.com owns the token that never expires (hazard A17).
    const tokens = await check('/api/v1/tokens', userToken);
    expect(tokens.body.data.find((t: { name: string }) => t.name === 'never expires')).toMatchObject({ expiresAt: 'infinity' });
    for (const { id } of (
      await target.query(
        `SELECT id FROM api_tokens WHERE user_id = (SELECT id FROM users WHERE email = 'admin@example.com' AND tenant_id IS NULL)`,
      )
    ).rows) {
      await check(`/api/v1/tokens/${id}`, adminToken);
      await check(`/api/v1/tokens/${id}/usage?limit=100`, adminToken);
      await check(`/api/v1/tokens/${id}/usage/stats`, adminToken);
      await check(`/api/v1/tokens/${id}/usage/timeseries?period=hour`, adminToken);
    }
    await check('/api/v1/audit-logs?limit=100', adminToken);
    await check('/api/v1/users/me/tenants', adminToken);
    await check('/api/v1/auth/profile', userToken);
    expect(statuses).toEqual([]);
  });
});
