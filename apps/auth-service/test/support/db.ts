import { randomBytes, randomUUID } from 'node:crypto';

import { hashSync } from 'bcrypt';
import { Client } from 'pg';

import { sha256Hex } from '../../src/api-tokens/api-token-verifier';

/** A pg client on the test service's own database, for arranging rows and checking effects. */
export async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

export async function count(db: Client, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
  return rows[0].n;
}

/** Hashes are cheap (cost 4) in arranged rows; verification does not depend on the cost. */
export const cheapHash = (plaintext: string) => hashSync(plaintext, 4);

export interface UserSeed {
  id?: string;
  email?: string;
  password?: string;
  firstName?: string;
  lastName?: string;
  role?: string | null;
  tenantId?: string | null;
  isActive?: boolean | null;
}

export async function insertUser(db: Client, seed: UserSeed = {}): Promise<{ id: string; email: string; password: string }> {
  const id = seed.id ?? randomUUID();
  const email = seed.email ?? `u${randomBytes(4).toString('hex')}@example.com`;
  const password = seed.password ?? 'Secret123!';
  await db.query(
    `INSERT INTO users (id, email, password_hash, first_name, last_name, role, tenant_id, is_active)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      id,
      email,
      cheapHash(password),
      seed.firstName ?? 'Test',
      seed.lastName ?? 'User',
      seed.role === undefined ? 'user' : seed.role,
      seed.tenantId ?? null,
      seed.isActive === undefined ? true : seed.isActive,
    ],
  );
  return { id, email, password };
}

export const TENANT_SETTINGS = {
  branding: {},
  features: { apiAccess: true, sso: false },
  isolation: { level: 'row' },
  limits: { maxStorage: 500 },
  security: {},
};

export async function insertTenant(
  db: Client,
  seed: { id?: string; slug?: string; isActive?: boolean | null; status?: string | null; plan?: string | null } = {},
): Promise<string> {
  const id = seed.id ?? randomUUID();
  await db.query(`INSERT INTO tenants (id, name, slug, settings, is_active, status, plan) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
    id,
    `Tenant ${id.slice(0, 8)}`,
    seed.slug ?? `t-${id.slice(0, 8)}`,
    TENANT_SETTINGS,
    seed.isActive === undefined ? true : seed.isActive,
    seed.status === undefined ? 'active' : seed.status,
    seed.plan === undefined ? 'starter' : seed.plan,
  ]);
  return id;
}

export interface TokenSeed {
  userId: string;
  tenantId?: string | null;
  scopes?: string[];
  isActive?: boolean;
  expiresAt?: string;
  /** Legacy rows carry only the bcrypt hash; new ones also the sha256 lookup column. */
  legacy?: boolean;
  name?: string;
}

export async function insertApiToken(db: Client, seed: TokenSeed): Promise<{ id: string; token: string }> {
  const id = randomUUID();
  const token = randomBytes(32).toString('hex');
  await db.query(
    `INSERT INTO api_tokens (id, user_id, tenant_id, token_hash, token_sha256, name, scopes, expires_at, is_active)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      seed.userId,
      seed.tenantId ?? null,
      cheapHash(token),
      seed.legacy ? null : sha256Hex(token),
      seed.name ?? `token ${id.slice(0, 8)}`,
      seed.scopes ?? ['read'],
      seed.expiresAt ?? '2099-01-01T00:00:00Z',
      seed.isActive ?? true,
    ],
  );
  return { id, token };
}
