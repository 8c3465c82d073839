import { randomUUID } from 'node:crypto';

import { type ApiTokenIdentity, AUTH_PATTERNS, type GetUsersByIdsResponse, type TenantIdentity, type UserIdentity } from '@nafs/contracts';
import { createRpcClient, rpcCall } from '@nafs/rpc';
import { type RunningTestService, startTestService } from '@nafs/runtime/testing';
import type { ClientProxy } from '@nestjs/microservices';
import type { Client } from 'pg';

import { connect, insertApiToken, insertTenant, insertUser } from '../../test/support/db';
import { sha256Hex } from '../api-tokens/api-token-verifier';
import { AUTH_SERVICE } from '../service';

describe('identity RPC over a real ClientProxy (Redis transport)', () => {
  let auth: RunningTestService;
  let client: ClientProxy;
  let db: Client;

  const call = <T>(pattern: string, data: unknown) => rpcCall<T>(client, pattern, data, 5000);
  const failure = (pattern: string, data: unknown) =>
    call(pattern, data).then(
      () => {
        throw new Error('expected the call to fail');
      },
      (error) => error,
    );

  beforeAll(async () => {
    auth = await startTestService(AUTH_SERVICE);
    client = createRpcClient(auth.env);
    db = await connect(auth.database.url);
  });
  afterAll(async () => {
    await client?.close();
    await db?.end();
    await auth?.close();
  });

  describe('validateUser', () => {
    it('returns the identity of an active user, with the tenant state', async () => {
      const tenantId = await insertTenant(db);
      const user = await insertUser(db, { role: 'admin', tenantId });
      await expect(call<UserIdentity>(AUTH_PATTERNS.validateUser, { userId: user.id })).resolves.toEqual({
        id: user.id,
        email: user.email,
        role: 'admin',
        tenantId,
        isActive: true,
        tenantActive: true,
      });
    });

    it('reports tenantActive false for a user of an inactive tenant, null without tenant', async () => {
      const tenantId = await insertTenant(db, { isActive: false, status: 'suspended' });
      const inTenant = await insertUser(db, { tenantId });
      const noTenant = await insertUser(db, { role: null });
      expect(await call<UserIdentity>(AUTH_PATTERNS.validateUser, { userId: inTenant.id })).toMatchObject({ tenantActive: false });
      // A legacy NULL role has the rights of a plain user.
      expect(await call<UserIdentity>(AUTH_PATTERNS.validateUser, { userId: noTenant.id })).toMatchObject({
        tenantActive: null,
        role: 'user',
      });
    });

    it('answers NOT_FOUND, INACTIVE and INVALID_ARGUMENT as typed envelopes', async () => {
      const inactive = await insertUser(db, { isActive: false });
      const nullActive = await insertUser(db, { isActive: null });
      expect(await failure(AUTH_PATTERNS.validateUser, { userId: randomUUID() })).toMatchObject({
        code: 'NOT_FOUND',
        message: 'User not found',
      });
      expect(await failure(AUTH_PATTERNS.validateUser, { userId: inactive.id })).toMatchObject({ code: 'INACTIVE' });
      expect(await failure(AUTH_PATTERNS.validateUser, { userId: nullActive.id })).toMatchObject({ code: 'INACTIVE' });
      for (const payload of [{ userId: 'not-a-uuid' }, { userId: "1' OR '1'='1" }, { userId: 42 }, {}, 'x', [1]]) {
        expect(await failure(AUTH_PATTERNS.validateUser, payload)).toMatchObject({
          code: 'INVALID_ARGUMENT',
          message: 'userId must be a uuid',
        });
      }
    });
  });

  describe('validateTenant', () => {
    it('returns an active tenant and fills legacy defaults for NULL plan and status', async () => {
      const tenantId = await insertTenant(db, { plan: null, status: null, slug: 'acme-rpc' });
      await expect(call<TenantIdentity>(AUTH_PATTERNS.validateTenant, { tenantId })).resolves.toEqual({
        id: tenantId,
        slug: 'acme-rpc',
        name: expect.any(String),
        isActive: true,
        status: 'active',
        plan: 'free',
      });
    });

    it('answers INACTIVE, NOT_FOUND and INVALID_ARGUMENT', async () => {
      const inactive = await insertTenant(db, { isActive: false });
      expect(await failure(AUTH_PATTERNS.validateTenant, { tenantId: inactive })).toMatchObject({ code: 'INACTIVE' });
      expect(await failure(AUTH_PATTERNS.validateTenant, { tenantId: randomUUID() })).toMatchObject({ code: 'NOT_FOUND' });
      expect(await failure(AUTH_PATTERNS.validateTenant, { tenantId: 'default' })).toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });

  describe('getUsersByIds', () => {
    it('returns found users (inactive ones flagged) and lists the missing ids', async () => {
      const a = await insertUser(db);
      const b = await insertUser(db, { isActive: false });
      const ghost = randomUUID();
      const result = await call<GetUsersByIdsResponse>(AUTH_PATTERNS.getUsersByIds, { ids: [a.id, b.id, ghost, a.id.toUpperCase()] });
      expect(result.missing).toEqual([ghost]);
      expect(result.users.map((u) => [u.id, u.isActive]).sort()).toEqual(
        [
          [a.id, true],
          [b.id, false],
        ].sort(),
      );
    });

    it('accepts an empty list and refuses bad input', async () => {
      await expect(call(AUTH_PATTERNS.getUsersByIds, { ids: [] })).resolves.toEqual({ users: [], missing: [] });
      expect(await failure(AUTH_PATTERNS.getUsersByIds, { ids: 'x' })).toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await failure(AUTH_PATTERNS.getUsersByIds, { ids: [randomUUID(), 'nope'] })).toMatchObject({
        code: 'INVALID_ARGUMENT',
        details: { invalid: ['nope'] },
      });
      expect(await failure(AUTH_PATTERNS.getUsersByIds, { ids: Array.from({ length: 1001 }, () => randomUUID()) })).toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    });
  });

  describe('verifyApiToken', () => {
    it('resolves a token by its sha256 and returns the owner and the deduplicated scopes', async () => {
      const tenantId = await insertTenant(db);
      const owner = await insertUser(db, { role: 'admin' });
      const { id, token } = await insertApiToken(db, { userId: owner.id, tenantId, scopes: ['write', 'read', 'read'] });
      const identity = await call<ApiTokenIdentity>(AUTH_PATTERNS.verifyApiToken, { token });
      expect(identity).toEqual({
        tokenId: id,
        scopes: ['write', 'read'],
        tenantId,
        user: { id: owner.id, email: owner.email, role: 'admin', tenantId: null, isActive: true, tenantActive: null },
      });
    });

    it('finds a legacy (bcrypt-only) token once, then fills its sha256 for constant-time lookups', async () => {
      const owner = await insertUser(db);
      const { id, token } = await insertApiToken(db, { userId: owner.id, legacy: true });
      await expect(call<ApiTokenIdentity>(AUTH_PATTERNS.verifyApiToken, { token })).resolves.toMatchObject({ tokenId: id });
      const { rows } = await db.query('SELECT token_sha256 FROM api_tokens WHERE id = $1', [id]);
      expect(rows[0].token_sha256).toBe(sha256Hex(token));
      await expect(call<ApiTokenIdentity>(AUTH_PATTERNS.verifyApiToken, { token })).resolves.toMatchObject({ tokenId: id });
    });

    it('answers NOT_FOUND for unknown, revoked and expired tokens and INACTIVE for an inactive owner', async () => {
      const owner = await insertUser(db);
      const inactiveOwner = await insertUser(db, { isActive: false });
      const revoked = await insertApiToken(db, { userId: owner.id, isActive: false });
      const expired = await db
        .query(`SELECT 1`)
        .then(() => insertApiToken(db, { userId: owner.id, expiresAt: '2099-01-01T00:00:00Z' }))
        .then(async (t) => {
          await db.query(`UPDATE api_tokens SET created_at = '2000-01-01', expires_at = '2001-01-01' WHERE id = $1`, [t.id]);
          return t;
        });
      const ownerGone = await insertApiToken(db, { userId: inactiveOwner.id });
      expect(await failure(AUTH_PATTERNS.verifyApiToken, { token: 'f'.repeat(64) })).toMatchObject({
        code: 'NOT_FOUND',
        message: 'API token not found',
      });
      expect(await failure(AUTH_PATTERNS.verifyApiToken, { token: revoked.token })).toMatchObject({
        code: 'NOT_FOUND',
        message: 'API token has been revoked',
      });
      expect(await failure(AUTH_PATTERNS.verifyApiToken, { token: expired.token })).toMatchObject({
        code: 'NOT_FOUND',
        message: 'API token has expired',
      });
      expect(await failure(AUTH_PATTERNS.verifyApiToken, { token: ownerGone.token })).toMatchObject({ code: 'INACTIVE' });
    });

    it('refuses anything that is not a 64-hex token with INVALID_ARGUMENT', async () => {
      for (const token of ['', 'abc', 'F'.repeat(64), 'g'.repeat(64), `${'a'.repeat(64)}' OR 1=1 --`, 123, null]) {
        expect(await failure(AUTH_PATTERNS.verifyApiToken, { token })).toMatchObject({ code: 'INVALID_ARGUMENT' });
      }
    });
  });
});

describe('verifyApiToken with the legacy fallback switched off', () => {
  it('no longer finds bcrypt-only rows, but still finds tokens with a sha256', async () => {
    const auth = await startTestService(AUTH_SERVICE, { API_TOKEN_LEGACY_FALLBACK: 'false' });
    const client = createRpcClient(auth.env);
    const db = await connect(auth.database.url);
    try {
      const owner = await insertUser(db);
      const legacy = await insertApiToken(db, { userId: owner.id, legacy: true });
      const modern = await insertApiToken(db, { userId: owner.id });
      await expect(rpcCall(client, AUTH_PATTERNS.verifyApiToken, { token: legacy.token }, 5000)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(rpcCall(client, AUTH_PATTERNS.verifyApiToken, { token: modern.token }, 5000)).resolves.toMatchObject({
        tokenId: modern.id,
      });
    } finally {
      await client.close();
      await db.end();
      await auth.close();
    }
  });
});
