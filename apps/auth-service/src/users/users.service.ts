import { randomUUID } from 'node:crypto';

import { AUTH_EVENTS } from '@nafs/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { OutboxWriter } from '../outbox/outbox.writer';
import { UserEntity } from './user.entity';
import { toRole } from './user-identity';

/** Fields whose change other services must learn about (AUTH_EVENTS.userUpdated). */
const WATCHED = ['email', 'role', 'tenantId', 'isActive'] as const;

export type UserChanges = Partial<
  Pick<UserEntity, 'email' | 'firstName' | 'lastName' | 'role' | 'isActive' | 'emailVerified' | 'avatarUrl' | 'tenantId'>
>;

export interface UserListQuery {
  page: number;
  limit: number;
  search?: string;
  role?: string;
  status: 'active' | 'inactive' | 'all';
}

/** Reads and writes `users`. Every change other services care about leaves an outbox event in its transaction. */
@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<UserEntity | null> {
    return manager.findOneBy(UserEntity, { id });
  }

  /**
   * Users a login or reset for `email` may mean (legacy-api.md 1.8): in single-tenant mode only
   * tenant-less users, otherwise any. Active ones first, oldest first, so duplicates (fixture
   * hazards A07, A09) resolve the same way every time.
   */
  findByEmail(email: string): Promise<UserEntity[]> {
    const qb = this.dataSource.getRepository(UserEntity).createQueryBuilder('u').where('u.email = :email', { email });
    if (!this.config.ENABLE_MULTI_TENANCY) qb.andWhere('u.tenant_id IS NULL');
    return qb.orderBy('u.is_active', 'DESC', 'NULLS LAST').addOrderBy('u.created_at', 'ASC', 'NULLS LAST').addOrderBy('u.id').getMany();
  }

  /** Legacy uniqueness: `(email, tenant_id)`, where two NULL tenants count as the same. */
  async emailTaken(
    email: string,
    tenantId: string | null,
    exceptUserId?: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    const rows = await manager.query(
      `SELECT 1 FROM users WHERE email = $1 AND tenant_id IS NOT DISTINCT FROM $2 AND ($3::uuid IS NULL OR id <> $3::uuid) LIMIT 1`,
      [email, tenantId, exceptUserId ?? null],
    );
    return rows.length > 0;
  }

  async insert(
    manager: EntityManager,
    user: Pick<UserEntity, 'email' | 'passwordHash' | 'firstName' | 'lastName' | 'role' | 'tenantId'>,
  ): Promise<UserEntity> {
    const id = randomUUID();
    await manager.insert(UserEntity, { id, ...user });
    return manager.findOneByOrFail(UserEntity, { id });
  }

  /**
   * Applies `changes` to the user inside `manager`'s transaction, and writes `auth.user.updated`
   * (and `auth.user.deactivated`) when email, role, tenant or active state changed.
   */
  async apply(manager: EntityManager, before: UserEntity, changes: UserChanges): Promise<{ user: UserEntity; changed: string[] }> {
    const effective = Object.fromEntries(
      Object.entries(changes).filter(([key, value]) => value !== undefined && before[key as keyof UserEntity] !== value),
    ) as UserChanges;
    if (Object.keys(effective).length) await manager.update(UserEntity, { id: before.id }, effective);
    const user = (await manager.findOneBy(UserEntity, { id: before.id })) as UserEntity;
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
    await manager.query('UPDATE audit_logs SET user_id = NULL WHERE user_id = $1', [user.id]);
    await manager.delete(UserEntity, { id: user.id });
    await this.outbox.write(manager, AUTH_EVENTS.userDeleted, { userId: user.id, tenantId: user.tenantId });
  }

  async list(tenantId: string | null, query: UserListQuery): Promise<{ users: UserEntity[]; total: number }> {
    const qb = this.dataSource.getRepository(UserEntity).createQueryBuilder('u');
    if (tenantId) qb.where('u.tenant_id = :tenantId', { tenantId });
    else qb.where('u.tenant_id IS NULL');
    if (query.status === 'active') qb.andWhere('u.is_active = true');
    if (query.status === 'inactive') qb.andWhere('u.is_active IS NOT TRUE');
    if (query.role) qb.andWhere('u.role = :role', { role: query.role });
    if (query.search) {
      const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(
        `(u.email ILIKE :pattern OR u.first_name ILIKE :pattern OR u.last_name ILIKE :pattern OR (u.first_name || ' ' || u.last_name) ILIKE :pattern)`,
        { pattern },
      );
    }
    const [users, total] = await qb
      .orderBy('u.created_at', 'DESC', 'NULLS LAST')
      .addOrderBy('u.id')
      .skip((query.page - 1) * query.limit)
      .take(query.limit)
      .getManyAndCount();
    return { users, total };
  }
}
