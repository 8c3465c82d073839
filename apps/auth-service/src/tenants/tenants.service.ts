import { AUTH_EVENTS, type TenantClaim } from '@nafs/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { OutboxWriter } from '../outbox/outbox.writer';
import { TenantEntity } from './tenant.entity';
import { tenantClaim } from './tenant-claim';

export interface TenantMembership {
  tenant: TenantClaim & { name: string };
  role: string | null;
  joinedAt: Date | null;
  isDefault: true;
}

@Injectable()
export class TenantsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<TenantEntity | null> {
    return manager.findOneBy(TenantEntity, { id });
  }

  /** The `tenant` claim of a new access token: only with token isolation on and a tenant set. */
  async claimFor(tenantId: string | null): Promise<TenantClaim | undefined> {
    if (!tenantId || !this.config.TENANT_TOKEN_ISOLATION) return undefined;
    const tenant = await this.findById(tenantId);
    return tenant ? tenantClaim(tenant) : undefined;
  }

  /** U9: the caller's tenant as a one-element membership list (empty without a tenant). */
  async memberships(user: { tenantId: string | null; role: string | null; createdAt: Date | null }): Promise<TenantMembership[]> {
    if (!user.tenantId) return [];
    const tenant = await this.findById(user.tenantId);
    if (!tenant) return [];
    return [{ tenant: { ...tenantClaim(tenant), name: tenant.name }, role: user.role, joinedAt: user.createdAt, isDefault: true }];
  }

  /** Changes a tenant's state and tells web and forms (AUTH_EVENTS.tenantUpdated) in the same transaction. */
  async update(
    id: string,
    changes: Partial<Pick<TenantEntity, 'name' | 'isActive' | 'status' | 'plan' | 'maxUsers'>>,
  ): Promise<TenantEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      const before = await manager.findOne(TenantEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!before) return null;
      await manager.update(TenantEntity, { id }, changes);
      const tenant = (await manager.findOneBy(TenantEntity, { id })) as TenantEntity;
      await this.outbox.write(manager, AUTH_EVENTS.tenantUpdated, {
        tenantId: tenant.id,
        isActive: tenant.isActive === true,
        status: tenant.status ?? 'active',
        plan: tenant.plan ?? 'free',
      });
      return tenant;
    });
  }
}
