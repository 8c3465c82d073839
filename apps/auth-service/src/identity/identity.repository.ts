import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { USER_IDENTITY_FROM, USER_IDENTITY_SELECT, type UserIdentityRow } from '../users/user-identity';

export interface TenantIdentityRow {
  id: string;
  slug: string;
  name: string;
  is_active: boolean | null;
  status: string | null;
  plan: string | null;
}

/** SQL of the identity RPC: users with their tenant's state, tenants. */
@Injectable()
export class IdentityRepository {
  constructor(private readonly dataSource: DataSource) {}

  async user(id: string): Promise<UserIdentityRow | undefined> {
    const rows: UserIdentityRow[] = await this.dataSource.query(
      `SELECT ${USER_IDENTITY_SELECT} FROM ${USER_IDENTITY_FROM} WHERE u.id = $1`,
      [id],
    );
    return rows[0];
  }

  users(ids: string[]): Promise<UserIdentityRow[]> {
    return this.dataSource.query(`SELECT ${USER_IDENTITY_SELECT} FROM ${USER_IDENTITY_FROM} WHERE u.id = ANY($1::uuid[])`, [ids]);
  }

  async tenant(id: string): Promise<TenantIdentityRow | undefined> {
    const rows: TenantIdentityRow[] = await this.dataSource.query(
      `SELECT id, slug, name, is_active, status, plan FROM tenants WHERE id = $1`,
      [id],
    );
    return rows[0];
  }
}
