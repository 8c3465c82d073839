import type { ApiTokenIdentity, GetUsersByIdsResponse, TenantIdentity, UserIdentity } from '@nafs/contracts';
import { isUuid } from '@nafs/contracts';
import { Inject, Injectable } from '@nestjs/common';

import { ApiTokenRejected, ApiTokenVerifier } from '../api-tokens/api-token-verifier';
import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { toUserIdentity } from '../users/user-identity';
import { IdentityRepository } from './identity.repository';
import { rpcError } from './rpc-error';

/** The most ids one getUsersByIds call may ask for (one query, bounded reply size). */
export const MAX_IDS_PER_CALL = 1000;

/** Answers the identity questions of AUTH_PATTERNS; errors are RpcErrorEnvelopes. */
@Injectable()
export class IdentityService {
  constructor(
    private readonly repository: IdentityRepository,
    private readonly apiTokens: ApiTokenVerifier,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async validateUser(userId: unknown): Promise<UserIdentity> {
    if (!isUuid(userId)) throw rpcError('INVALID_ARGUMENT', 'userId must be a uuid', { field: 'userId' });
    const row = await this.repository.user(userId);
    if (!row) throw rpcError('NOT_FOUND', 'User not found', { userId });
    const user = toUserIdentity(row);
    if (!user.isActive) throw rpcError('INACTIVE', 'User is inactive', { userId });
    return user;
  }

  async validateTenant(tenantId: unknown): Promise<TenantIdentity> {
    if (!isUuid(tenantId)) throw rpcError('INVALID_ARGUMENT', 'tenantId must be a uuid', { field: 'tenantId' });
    const row = await this.repository.tenant(tenantId);
    if (!row) throw rpcError('NOT_FOUND', 'Tenant not found', { tenantId });
    if (row.is_active !== true) throw rpcError('INACTIVE', 'Tenant is inactive', { tenantId });
    // Defaults as the legacy tenant claim fills them (legacy-api.md 2.2).
    return { id: row.id, slug: row.slug, name: row.name, isActive: true, status: row.status ?? 'active', plan: row.plan ?? 'free' };
  }

  async getUsersByIds(ids: unknown): Promise<GetUsersByIdsResponse> {
    if (!Array.isArray(ids)) throw rpcError('INVALID_ARGUMENT', 'ids must be an array of uuids', { field: 'ids' });
    if (ids.length > MAX_IDS_PER_CALL) throw rpcError('INVALID_ARGUMENT', `at most ${MAX_IDS_PER_CALL} ids per call`, { field: 'ids' });
    const invalid = ids.filter((id) => !isUuid(id));
    if (invalid.length) throw rpcError('INVALID_ARGUMENT', 'every id must be a uuid', { field: 'ids', invalid: invalid.slice(0, 10) });
    const wanted = [...new Set((ids as string[]).map((id) => id.toLowerCase()))];
    if (!wanted.length) return { users: [], missing: [] };
    const rows = await this.repository.users(wanted);
    const found = new Set(rows.map((row) => row.id));
    return { users: rows.map(toUserIdentity), missing: wanted.filter((id) => !found.has(id)) };
  }

  async verifyApiToken(token: unknown, clientIp?: string): Promise<ApiTokenIdentity> {
    try {
      const verified = await this.apiTokens.verify(token, { clientIp, answerWithinMs: this.config.LEGACY_API_TOKEN_SCAN_RPC_ANSWER_MS });
      return { tokenId: verified.tokenId, scopes: verified.scopes, tenantId: verified.tenantId, user: verified.user };
    } catch (error) {
      if (error instanceof ApiTokenRejected) throw rpcError(error.reason, error.message);
      throw error;
    }
  }
}
