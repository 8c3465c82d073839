import { USER_ROLES, type UserIdentity, type UserRole } from '@nafs/contracts';

/** Columns of `users` (joined with the user's tenant) that identity answers are built from. */
export interface UserIdentityRow {
  id: string;
  email: string;
  role: string | null;
  tenant_id: string | null;
  is_active: boolean | null;
  tenant_is_active: boolean | null;
}

export const USER_IDENTITY_SELECT = `u.id, u.email, u.role, u.tenant_id, u.is_active, t.is_active AS tenant_is_active`;
export const USER_IDENTITY_FROM = `users u LEFT JOIN tenants t ON t.id = u.tenant_id`;

/**
 * Legacy rows may hold NULL in `role` and `is_active` (fixture hazard A10). The legacy middleware
 * treated a NULL `is_active` as inactive and a NULL role as "not admin", which is what `user` means.
 */
export function toRole(role: string | null): UserRole {
  return (USER_ROLES as readonly string[]).includes(role ?? '') ? (role as UserRole) : 'user';
}

export function toUserIdentity(row: UserIdentityRow): UserIdentity {
  return {
    id: row.id,
    email: row.email,
    role: toRole(row.role),
    tenantId: row.tenant_id,
    isActive: row.is_active === true,
    tenantActive: row.tenant_id === null ? null : row.tenant_is_active === true,
  };
}
