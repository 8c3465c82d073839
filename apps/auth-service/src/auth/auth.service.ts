import { randomBytes } from 'node:crypto';

import { BadRequestError, ConflictError, NotFoundError, UnauthorizedError } from '@nafs/http';
import { Inject, Injectable } from '@nestjs/common';
import { compare, hash } from 'bcrypt';
import { DataSource } from 'typeorm';

import type { RequestIdentity } from '../access/request-identity';
import { TokenService } from '../access/token.service';
import { AuditLogsService } from '../audit-logs/audit-logs.service';
import { sanitizeLegacyInput } from '../common/sanitize';
import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { LockoutService } from '../lockout/lockout.service';
import { type ClientMeta, SessionsService } from '../sessions/sessions.service';
import { TenantsService } from '../tenants/tenants.service';
import { toUserDto, type UserDto } from '../users/user.dto';
import { UserEntity } from '../users/user.entity';
import { toRole } from '../users/user-identity';
import { UsersService } from '../users/users.service';
import type { LoginInput, RegisterInput, UpdateProfileInput } from './auth.schemas';

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  user: UserDto;
}

const REFRESH_FAILURES = {
  invalid: 'Invalid or expired refresh token',
  unknown: 'Invalid refresh token',
  expired: 'Refresh token expired',
  user: 'User not found or inactive',
  reused: 'Refresh token was already used; the session has been revoked',
} as const;

const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === '23505';

/** Register, login, refresh, logout and the caller's own profile (legacy-api.md 3.1 A1-A7, A13). */
@Injectable()
export class AuthService {
  /** Compared against when no active user matches, so unknown emails take as long as wrong passwords. */
  private dummyHash?: Promise<string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokenService,
    private readonly tenants: TenantsService,
    private readonly lockout: LockoutService,
    private readonly audit: AuditLogsService,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async register(input: RegisterInput, meta: ClientMeta): Promise<AuthResult> {
    // Legacy trusted any tenantId; here it counts only in multi-tenant mode and must name an active tenant.
    const tenantId = this.config.ENABLE_MULTI_TENANCY ? (input.tenantId ?? null) : null;
    if (tenantId) {
      const tenant = await this.tenants.findById(tenantId);
      if (!tenant || tenant.isActive !== true) throw new BadRequestError('BAD_REQUEST', 'Invalid tenant');
    }
    const clean = sanitizeLegacyInput({
      email: input.email,
      password: input.password,
      firstName: input.firstName,
      lastName: input.lastName,
    });
    const passwordHash = await hash(clean.password, this.config.BCRYPT_ROUNDS);
    let result: { user: UserEntity; refreshToken: string };
    try {
      result = await this.dataSource.transaction(async (manager) => {
        if (await this.users.emailTaken(clean.email, tenantId, undefined, manager))
          throw new ConflictError('CONFLICT', 'Email already registered');
        const user = await this.users.insert(manager, {
          email: clean.email,
          passwordHash,
          firstName: clean.firstName,
          lastName: clean.lastName,
          role: 'user',
          tenantId,
        });
        const refreshToken = await this.sessions.create(manager, user.id, meta);
        await this.audit.record(
          {
            userId: user.id,
            tenantId,
            action: 'REGISTER',
            resourceType: 'auth',
            resourceId: user.id,
            changes: { success: true, email: user.email },
            meta,
          },
          manager,
        );
        return { user, refreshToken };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('CONFLICT', 'Email already registered');
      throw error;
    }
    return { accessToken: await this.accessTokenFor(result.user), refreshToken: result.refreshToken, user: toUserDto(result.user) };
  }

  async login(input: LoginInput, meta: ClientMeta): Promise<AuthResult> {
    const clean = sanitizeLegacyInput({ email: input.email, password: input.password });
    const user = await this.matchCredentials(clean.email, clean.password);
    if (!user) {
      await this.lockout.recordFailure(clean.email, clean.password);
      await this.audit.record({
        userId: null,
        tenantId: null,
        action: 'LOGIN_FAILED',
        resourceType: 'auth',
        changes: { success: false, attemptedEmail: clean.email },
        meta,
      });
      throw new UnauthorizedError('UNAUTHORIZED', 'Invalid email or password');
    }
    await this.lockout.clear(clean.email);
    const lastLogin = new Date();
    const refreshToken = await this.dataSource.transaction(async (manager) => {
      await manager.update(UserEntity, { id: user.id }, { lastLogin });
      return this.sessions.create(manager, user.id, meta);
    });
    await this.audit.record({
      userId: user.id,
      tenantId: user.tenantId,
      action: 'LOGIN',
      resourceType: 'auth',
      resourceId: user.id,
      changes: { success: true, email: user.email },
      meta,
    });
    const fresh = (await this.users.findById(user.id)) ?? { ...user, lastLogin };
    return { accessToken: await this.accessTokenFor(fresh), refreshToken, user: toUserDto(fresh) };
  }

  async refresh(presented: string): Promise<{ accessToken: string; refreshToken: string }> {
    const outcome = await this.sessions.rotate(
      presented,
      async (manager, userId) => (await this.users.findById(userId, manager))?.isActive === true,
    );
    if (!outcome.ok) throw new UnauthorizedError('UNAUTHORIZED', REFRESH_FAILURES[outcome.reason]);
    const user = await this.users.findById(outcome.userId);
    // Deactivated between the rotation and now: legacy answered 500 here (6.21); this is a 401.
    if (!user || user.isActive !== true) throw new UnauthorizedError('UNAUTHORIZED', REFRESH_FAILURES.user);
    return { accessToken: await this.accessTokenFor(user), refreshToken: outcome.refreshToken };
  }

  async logout(refreshToken: unknown, meta: ClientMeta): Promise<void> {
    if (typeof refreshToken !== 'string' || !refreshToken) return;
    const userId = await this.sessions.deleteByToken(refreshToken);
    if (userId)
      await this.audit.record({
        userId,
        tenantId: null,
        action: 'LOGOUT',
        resourceType: 'auth',
        resourceId: userId,
        changes: { success: true },
        meta,
      });
  }

  async logoutAll(identity: RequestIdentity, meta: ClientMeta): Promise<number> {
    const deleted = await this.sessions.deleteAllOf(identity.id);
    await this.audit.record({
      userId: identity.id,
      tenantId: identity.tenantId,
      action: 'LOGOUT_ALL',
      resourceType: 'auth',
      resourceId: identity.id,
      changes: { sessionsDeleted: deleted },
      meta,
    });
    return deleted;
  }

  async profile(identity: RequestIdentity): Promise<UserDto> {
    const user = await this.users.findById(identity.id);
    if (!user || user.isActive !== true) throw new NotFoundError('NOT_FOUND', 'User not found');
    return toUserDto(user);
  }

  async updateProfile(identity: RequestIdentity, input: UpdateProfileInput): Promise<UserDto> {
    const changes = sanitizeLegacyInput(
      Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as UpdateProfileInput,
    );
    if (!Object.keys(changes).length) throw new BadRequestError('BAD_REQUEST', 'No valid fields to update');
    try {
      const user = await this.dataSource.transaction(async (manager) => {
        const before = await this.users.findById(identity.id, manager);
        if (!before || before.isActive !== true) throw new NotFoundError('NOT_FOUND', 'User not found');
        if (
          changes.email &&
          changes.email !== before.email &&
          (await this.users.emailTaken(changes.email, before.tenantId, before.id, manager))
        ) {
          throw new ConflictError('CONFLICT', 'Email already registered');
        }
        return (await this.users.apply(manager, before, changes)).user;
      });
      return toUserDto(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('CONFLICT', 'Email already registered');
      throw error;
    }
  }

  async accessTokenFor(user: Pick<UserEntity, 'id' | 'email' | 'role' | 'tenantId'>): Promise<string> {
    return this.tokens.signAccess(
      { id: user.id, email: user.email, role: toRole(user.role), tenantId: user.tenantId },
      await this.tenants.claimFor(user.tenantId),
    );
  }

  /** The active user `email` names whose password matches, trying duplicates in a fixed order. */
  private async matchCredentials(email: string, password: string): Promise<UserEntity | null> {
    const candidates = (await this.users.findByEmail(email)).filter((user) => user.isActive === true);
    for (const user of candidates) {
      if (await compare(password, user.passwordHash).catch(() => false)) return user;
    }
    if (!candidates.length) {
      this.dummyHash ??= hash(randomBytes(16).toString('hex'), this.config.BCRYPT_ROUNDS);
      await compare(password, await this.dummyHash);
    }
    return null;
  }
}
