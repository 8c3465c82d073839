import { randomUUID } from 'node:crypto';

import { findByPrimaryKey } from '@nafs/database';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';

import { UserEntity } from './user.entity';

export interface UserListFilter {
  page: number;
  limit: number;
  search?: string;
  role?: string;
  status: 'active' | 'inactive' | 'all';
}

/** The SQL of `users`. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** On every authenticated profile read: without TypeORM's per-call query building (libs/database). */
  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<UserEntity | null> {
    return findByPrimaryKey(manager, UserEntity, id);
  }

  /** Active ones first, oldest first; `tenantLessOnly` keeps the users without a tenant. */
  findByEmail(email: string, tenantLessOnly: boolean): Promise<UserEntity[]> {
    const qb = this.dataSource.getRepository(UserEntity).createQueryBuilder('u').where('u.email = :email', { email });
    if (tenantLessOnly) qb.andWhere('u.tenant_id IS NULL');
    return qb.orderBy('u.is_active', 'DESC', 'NULLS LAST').addOrderBy('u.created_at', 'ASC', 'NULLS LAST').addOrderBy('u.id').getMany();
  }

  /** Two NULL tenants count as the same (raw SQL: IS NOT DISTINCT FROM has no find-options form). */
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

  async update(manager: EntityManager, id: string, changes: Partial<UserEntity>): Promise<void> {
    await manager.update(UserEntity, { id }, changes);
  }

  /** Deletes the row; its audit rows stay but no longer name the user (legacy's NO ACTION foreign key would block the delete). */
  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.query('UPDATE audit_logs SET user_id = NULL WHERE user_id = $1', [id]);
    await manager.delete(UserEntity, { id });
  }

  /** `tenantId` null means the tenant-less users; newest first. */
  async list(tenantId: string | null, filter: UserListFilter): Promise<{ users: UserEntity[]; total: number }> {
    const qb = this.dataSource.getRepository(UserEntity).createQueryBuilder('u');
    if (tenantId) qb.where('u.tenant_id = :tenantId', { tenantId });
    else qb.where('u.tenant_id IS NULL');
    if (filter.status === 'active') qb.andWhere('u.is_active = true');
    if (filter.status === 'inactive') qb.andWhere('u.is_active IS NOT TRUE');
    if (filter.role) qb.andWhere('u.role = :role', { role: filter.role });
    if (filter.search) {
      const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(
        `(u.email ILIKE :pattern OR u.first_name ILIKE :pattern OR u.last_name ILIKE :pattern OR (u.first_name || ' ' || u.last_name) ILIKE :pattern)`,
        { pattern },
      );
    }
    const [users, total] = await qb
      .orderBy('u.created_at', 'DESC', 'NULLS LAST')
      .addOrderBy('u.id')
      .skip((filter.page - 1) * filter.limit)
      .take(filter.limit)
      .getManyAndCount();
    return { users, total };
  }
}
