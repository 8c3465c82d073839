import type { UserEntity } from './user.entity';

/** The legacy UserDTO (legacy-api.md 2.1): no password hash, no deleted_at, nulls as null. */
export interface UserDto {
  id: string;
  tenantId: string | null;
  email: string;
  firstName: string;
  lastName: string;
  role: string | null;
  avatarUrl: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
  lastLogin: Date | null;
  isActive: boolean | null;
  emailVerified: boolean | null;
}

export function toUserDto(user: UserEntity): UserDto {
  return {
    id: user.id,
    tenantId: user.tenantId,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    role: user.role,
    avatarUrl: user.avatarUrl,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    lastLogin: user.lastLogin,
    isActive: user.isActive,
    emailVerified: user.emailVerified,
  };
}
