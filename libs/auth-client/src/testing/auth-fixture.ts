// The real auth-service for web and forms tests: its built bundle as a child process (module
// boundaries forbid importing its code), on a database it creates and migrates itself, sharing
// the Redis prefixes and JWT_SECRET of the service under test. Identity rows are written into
// auth's database with pg, the way auth stores them, so tests do not depend on auth's HTTP API.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

import { JWT_AUDIENCE, JWT_ISSUER, type UserRole } from '@nafs/contracts';
import { testInfra } from '@nafs/database/testing';
import { builtEntryPoint, ServiceProcess } from '@nafs/runtime/testing';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';

export const AUTH_BUNDLE = builtEntryPoint('auth-service');
export const TEST_JWT_SECRET = 'identity-test-secret-0123456789abcdefghijklmnop';

/** One auth-service replica, ready when its database and Redis answer. */
export class AuthProcess extends ServiceProcess {
  constructor(env: Record<string, string>) {
    super('auth-service', env, '/health/ready');
  }
}

export interface TestUser {
  id: string;
  email: string;
  role: UserRole;
  tenantId: string | null;
}

/**
 * auth-service (one or more replicas) on its own database, plus helpers that write identity rows
 * the way auth stores them and sign access tokens with the shared secret.
 */
export class AuthFixture {
  readonly replicas: AuthProcess[] = [];
  readonly dbName: string;
  readonly dbUrl: string;
  private readonly jwt = new JwtService();

  constructor(readonly shared: { REDIS_URL: string; REDIS_KEY_PREFIX: string; RPC_CHANNEL_PREFIX: string }) {
    const { pgUrl, runId } = testInfra();
    this.dbName = `nafs_t_${runId}_auth_${randomBytes(4).toString('hex')}`;
    const url = new URL(pgUrl);
    url.pathname = `/${this.dbName}`;
    this.dbUrl = url.toString();
  }

  private env(migrate: boolean): Record<string, string> {
    return {
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      AUTH_DB_URL: this.dbUrl,
      DB_MIGRATE_ON_START: String(migrate),
      JWT_SECRET: TEST_JWT_SECRET,
      JWT_REFRESH_SECRET: `${TEST_JWT_SECRET}-refresh`,
      BCRYPT_ROUNDS: '10',
      ...this.shared,
    };
  }

  /** Starts one more replica (the first creates and migrates the database). */
  async addReplica(): Promise<AuthProcess> {
    const replica = new AuthProcess(this.env(this.replicas.length === 0));
    await replica.start();
    this.replicas.push(replica);
    return replica;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.stop()));
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.dbUrl });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async createTenant(isActive = true): Promise<string> {
    const id = randomUUID();
    await this.query(`INSERT INTO tenants (id, name, slug, is_active, status) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      `Tenant ${id.slice(0, 8)}`,
      `t-${id.slice(0, 8)}`,
      isActive,
      isActive ? 'active' : 'suspended',
    ]);
    return id;
  }

  async createUser(options: { role?: UserRole; tenantId?: string | null; isActive?: boolean } = {}): Promise<TestUser> {
    const id = randomUUID();
    const email = `u-${id.slice(0, 8)}@example.com`;
    const role = options.role ?? 'user';
    const tenantId = options.tenantId ?? null;
    await this.query(
      `INSERT INTO users (id, tenant_id, email, password_hash, first_name, last_name, role, is_active) VALUES ($1, $2, $3, 'x', 'Test', 'User', $4, $5)`,
      [id, tenantId, email, role, options.isActive ?? true],
    );
    return { id, email, role, tenantId };
  }

  async setUserActive(userId: string, isActive: boolean): Promise<void> {
    await this.query(`UPDATE users SET is_active = $2 WHERE id = $1`, [userId, isActive]);
  }

  /** An API token row as auth stores it (sha256 for the constant-time lookup); returns the plaintext. */
  async createApiToken(user: TestUser, scopes: ('read' | 'write')[]): Promise<string> {
    const token = randomBytes(32).toString('hex');
    await this.query(
      `INSERT INTO api_tokens (user_id, tenant_id, token_hash, token_sha256, name, scopes, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + interval '1 day')`,
      [
        user.id,
        user.tenantId,
        `sha256-only:${token.slice(0, 16)}`,
        createHash('sha256').update(token).digest('hex'),
        `t-${token.slice(0, 8)}`,
        scopes,
      ],
    );
    return token;
  }

  accessToken(user: TestUser): string {
    return this.jwt.sign(
      { userId: user.id, email: user.email, role: user.role, tenantId: user.tenantId, type: 'access' },
      { secret: TEST_JWT_SECRET, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, expiresIn: '1h', algorithm: 'HS256' },
    );
  }
}
