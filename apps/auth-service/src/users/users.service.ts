import { AUTH_EVENTS } from '@nafs/contracts';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { OutboxWriter } from '../outbox/outbox.writer';
import type { UserEntity } from './user.entity';
import { toRole } from './user-identity';
import { type UserListFilter, UsersRepository } from './users.repository';

/** Fields whose change other services must learn about (AUTH_EVENTS.userUpdated). */
const WATCHED = ['email', 'role', 'tenantId', 'isActive'] as const;

export type UserChanges = Partial<
  Pick<UserEntity, 'email' | 'firstName' | 'lastName' | 'role' | 'isActive' | 'emailVerified' | 'avatarUrl' | 'tenantId'>
>;

export type UserListQuery = UserListFilter;

/** The rules around `users` (its SQL is UsersRepository's). Every change other services care about leaves an outbox event in its transaction. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly outbox: OutboxWriter,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  findById(id: string, manager?: EntityManager): Promise<UserEntity | null> {
    return this.users.findById(id, manager);
  }

  /**
   * Users a login or reset for `email` may mean (legacy-api.md 1.8): in single-tenant mode only
   * tenant-less users, otherwise any. Active ones first, oldest first, so duplicates (fixture
   * hazards A07, A09) resolve the same way every time.
   */
  findByEmail(email: string): Promise<UserEntity[]> {
    return this.users.findByEmail(email, !this.config.ENABLE_MULTI_TENANCY);
  }

  /** Legacy uniqueness: `(email, tenant_id)`, where two NULL tenants count as the same. */
  emailTaken(email: string, tenantId: string | null, exceptUserId?: string, manager?: EntityManager): Promise<boolean> {
    return this.users.emailTaken(email, tenantId, exceptUserId, manager);
  }

  insert(
    manager: EntityManager,
    user: Pick<UserEntity, 'email' | 'passwordHash' | 'firstName' | 'lastName' | 'role' | 'tenantId'>,
  ): Promise<UserEntity> {
    return this.users.insert(manager, user);
  }

  /** The new password's hash (sessions are the caller's business). */
  setPasswordHash(manager: EntityManager, userId: string, passwordHash: string): Promise<void> {
    return this.users.update(manager, userId, { passwordHash });
  }

  /**
   * Applies `changes` to the user inside `manager`'s transaction, and writes `auth.user.updated`
   * (and `auth.user.deactivated`) when email, role, tenant or active state changed.
   */
  async apply(manager: EntityManager, before: UserEntity, changes: UserChanges): Promise<{ user: UserEntity; changed: string[] }> {
    const effective = Object.fromEntries(
      Object.entries(changes).filter(([key, value]) => value !== undefined && before[key as keyof UserEntity] !== value),
    ) as UserChanges;
    if (Object.keys(effective).length) await this.users.update(manager, before.id, effective);
    const user = (await this.users.findById(before.id, manager)) as UserEntity;
    const changed = Object.keys(effective);
    const watched = WATCHED.filter((field) => field in effective);
    if (watched.length) {
      await this.outbox.write(manager, AUTH_EVENTS.userUpdated, {
        userId: user.id,
        email: user.email,
        role: toRole(user.role),
        tenantId: user.tenantId,
        isActive: user.isActive === true,
        changed: [...watched],
      });
    }
    if (before.isActive === true && effective.isActive === false) {
      await this.outbox.write(manager, AUTH_EVENTS.userDeactivated, { userId: user.id, tenantId: user.tenantId });
    }
    return { user, changed };
  }

  /**
   * Deletes the user row for good inside `manager`'s transaction and writes `auth.user.deleted`, on
   * which web and forms replay the legacy ON DELETE rules. Sessions, password resets and API tokens
   * (with their usage) go with it through auth's own foreign keys. Audit rows stay as the trail of
   * what happened but no longer name the person: legacy's NO ACTION foreign key on
   * audit_logs.user_id would otherwise block the delete (fixture hazard A28).
   */
  async erase(manager: EntityManager, user: UserEntity): Promise<void> {
    await this.users.delete(manager, user.id);
    await this.outbox.write(manager, AUTH_EVENTS.userDeleted, { userId: user.id, tenantId: user.tenantId });
  }

  list(tenantId: string | null, query: UserListQuery): Promise<{ users: UserEntity[]; total: number }> {
    return this.users.list(tenantId, query);
  }
}
