/**
 * Message patterns answered by auth-service over the NestJS Redis transport. Only idempotent
 * reads travel this way: Redis pub/sub hands each request to every auth replica (the first reply
 * wins), so nothing with a side effect may be sent as a request. Failures are thrown as an
 * `RpcErrorEnvelope` (errors.ts): NOT_FOUND, INACTIVE, INVALID_ARGUMENT, ...
 */
export const AUTH_PATTERNS = {
  ping: 'auth.ping',
  /** `ValidateUserRequest` → `UserIdentity`; NOT_FOUND when absent, INACTIVE when deactivated. */
  validateUser: 'auth.user.validate',
  /** `ValidateTenantRequest` → `TenantIdentity`; NOT_FOUND / INACTIVE likewise. */
  validateTenant: 'auth.tenant.validate',
  /** `GetUsersByIdsRequest` → `GetUsersByIdsResponse` (inactive users included, flagged). */
  getUsersByIds: 'auth.users.by-ids',
  /** `VerifyApiTokenRequest` → `ApiTokenIdentity`; NOT_FOUND for an unknown, expired or revoked token. */
  verifyApiToken: 'auth.api-token.verify',
} as const;

export type AuthPattern = (typeof AUTH_PATTERNS)[keyof typeof AUTH_PATTERNS];

export const USER_ROLES = ['admin', 'user', 'readonly'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const API_TOKEN_SCOPES = ['read', 'write'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

export interface PingResponse {
  service: 'auth-service';
  /** Process uptime of the replica that answered, in seconds. */
  uptime: number;
  timestamp: string;
}

/** What web and forms may know about a user: no profile data crosses the boundary. */
export interface UserIdentity {
  id: string;
  email: string;
  role: UserRole;
  tenantId: string | null;
  isActive: boolean;
  /** null when the user has no tenant. */
  tenantActive: boolean | null;
}

export interface TenantIdentity {
  id: string;
  slug: string;
  name: string;
  isActive: boolean;
  status: string;
  plan: string;
}

export interface ApiTokenIdentity {
  tokenId: string;
  scopes: ApiTokenScope[];
  /** The token's own tenant, which may differ from its owner's (legacy hazard A25). */
  tenantId: string | null;
  user: UserIdentity;
}

export interface ValidateUserRequest {
  userId: string;
}

export interface ValidateTenantRequest {
  tenantId: string;
}

export interface GetUsersByIdsRequest {
  ids: string[];
}

export interface GetUsersByIdsResponse {
  users: UserIdentity[];
  /** Requested ids that match no user. */
  missing: string[];
}

export interface VerifyApiTokenRequest {
  /** The presented 64-hex plaintext token. Only auth ever sees it; caches key on its sha256. */
  token: string;
  /** The client that presented it, for auth's per-IP limit on failed legacy lookups. */
  clientIp?: string;
}
