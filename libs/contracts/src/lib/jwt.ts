import type { UserRole } from './rpc';

/**
 * The legacy token format (legacy-api.md 2.2, 2.3), kept so tokens issued before the cut-over and
 * the form builder's client-side decoding keep working. HS256 with `JWT_SECRET` (access) and
 * `JWT_REFRESH_SECRET` (refresh), both at least 32 characters.
 */
export const JWT_ALGORITHM = 'HS256';
export const JWT_ISSUER = 'nodeangularfullstack-api';
export const JWT_AUDIENCE = 'nodeangularfullstack-client';
export const JWT_SECRET_MIN_LENGTH = 32;

export interface TenantClaim {
  id: string;
  slug: string;
  plan: string;
  features: string[];
  limits: { maxUsers: number; maxStorage: number; maxApiCalls: number };
  status: string;
}

export interface AccessTokenClaims {
  userId: string;
  email: string;
  role: UserRole;
  tenantId: string | null;
  tenant?: TenantClaim;
  type: 'access';
  iss: string;
  aud: string;
  iat: number;
  exp: number;
}

export interface RefreshTokenClaims {
  userId: string;
  sessionId: string;
  type: 'refresh';
  iss: string;
  aud: string;
  iat: number;
  exp: number;
}

/** What web and forms put on `request.user` once the caller is authenticated. */
export interface AuthenticatedUser {
  id: string;
  email: string;
  role: UserRole;
  tenantId: string | null;
  authType: 'jwt' | 'api_token';
  /** API tokens carry their scopes; a JWT user has every scope. */
  scopes: ('read' | 'write')[];
  apiTokenId?: string;
}
