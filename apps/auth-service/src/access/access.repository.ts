import { findByPrimaryKey } from '@nafs/database';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { TenantEntity } from '../tenants/tenant.entity';

export interface AccessUserRow {
  id: string;
  email: string;
  role: string | null;
  tenant_id: string | null;
  is_active: boolean | null;
}

/** SQL of authentication on auth's own routes. */
@Injectable()
export class AccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  async user(id: string): Promise<AccessUserRow | undefined> {
    const rows: AccessUserRow[] = await this.dataSource.query(`SELECT id, email, role, tenant_id, is_active FROM users WHERE id = $1`, [
      id,
    ]);
    return rows[0];
  }

  /** On every request of a tenant user when tenant isolation is on. */
  tenant(id: string): Promise<TenantEntity | null> {
    return findByPrimaryKey(this.dataSource.manager, TenantEntity, id);
  }
}
