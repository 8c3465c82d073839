// Starts the real auth-service from its built bundle (dist/apps/auth-service/main.js, built by the
// `test` target's dependsOn) as a child process, on a database of its own that it creates and
// migrates itself, sharing Redis prefixes and JWT_SECRET with the service under test. forms tests
// may not import auth-service code (module boundaries), so users and tokens are written into
// auth's test database with pg, the way auth stores them.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';
import { JWT_AUDIENCE, JWT_ISSUER, type UserRole } from '@nafs/contracts';
import { testInfra } from '@nafs/database/testing';

const workspaceRoot = join(__dirname, '..', '..', '..', '..');
export const AUTH_BUNDLE = join(workspaceRoot, 'dist', 'apps', 'auth-service', 'main.js');
export const TEST_JWT_SECRET = 'identity-test-secret-0123456789abcdefghijklmnop';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One auth-service process. `stop()` and `start()` again to simulate an outage. */
export class AuthProcess {
  private child?: ChildProcess;
  private output = '';
  url = '';

  constructor(private readonly env: Record<string, string>) {}

  async start(timeoutMs = 30000): Promise<void> {
    if (!existsSync(AUTH_BUNDLE)) throw new Error(`${AUTH_BUNDLE} is missing: run npx nx build auth-service`);
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.output = '';
    this.child = spawn(process.execPath, [AUTH_BUNDLE], { env: { PATH: process.env.PATH ?? '', ...this.env, PORT: String(port) } });
    this.child.stdout?.on('data', (chunk) => (this.output += chunk));
    this.child.stderr?.on('data', (chunk) => (this.output += chunk));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`auth-service exited with ${this.child.exitCode}:\n${this.output}`);
      try {
        const res = await fetch(`${this.url}/health/ready`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`auth-service did not become ready within ${timeoutMs} ms:\n${this.output}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
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
      [user.id, user.tenantId, `sha256-only:${token.slice(0, 16)}`, createHash('sha256').update(token).digest('hex'), `t-${token.slice(0, 8)}`, scopes],
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
