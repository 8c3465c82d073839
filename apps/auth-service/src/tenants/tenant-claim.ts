import type { TenantClaim } from '@nafs/contracts';

import type { TenantEntity } from './tenant.entity';

type Settings = { features?: Record<string, unknown>; limits?: Record<string, unknown> } | null;

const numberOr = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

/** The JWT `tenant` claim, with the legacy defaults for missing fields (legacy-api.md 2.2). */
export function tenantClaim(tenant: TenantEntity): TenantClaim {
  const settings = (tenant.settings ?? {}) as Settings;
  const features = settings?.features && typeof settings.features === 'object' ? settings.features : {};
  const limits = settings?.limits && typeof settings.limits === 'object' ? settings.limits : {};
  return {
    id: tenant.id,
    slug: tenant.slug,
    plan: tenant.plan ?? 'free',
    features: Object.entries(features)
      .filter(([, enabled]) => enabled === true)
      .map(([name]) => name),
    limits: {
      maxUsers: tenant.maxUsers ?? numberOr(limits.maxUsers, 5),
      maxStorage: numberOr(limits.maxStorage, 1000),
      maxApiCalls: numberOr(limits.maxApiCalls, 10000),
    },
    status: tenant.status ?? 'active',
  };
}
