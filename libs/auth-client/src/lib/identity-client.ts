import { createHash } from 'node:crypto';

import { REDIS_CLIENT } from '@nafs/cache';
import {
  type ApiTokenIdentity,
  type ApiTokenScope,
  AUTH_PATTERNS,
  isUuid,
  type TenantIdentity,
  type UserIdentity,
  type ValidateTenantRequest,
  type ValidateUserRequest,
  type VerifyApiTokenRequest,
} from '@nafs/contracts';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';

import { IDENTITY_CLIENT_OPTIONS, type IdentityClientOptions } from './auth-client.config';
import { AuthRpcCaller } from './auth-rpc-caller';
import { IdentityLookupError } from './errors';
import { IdentityMetrics } from './identity-metrics';
import { type CacheEntry, TwoLevelCache } from './two-level-cache';

/** What is cached for an API token (keyed by its sha256): the owner is resolved through the user cache. */
export interface CachedApiToken {
  tokenId: string;
  scopes: ApiTokenScope[];
  tenantId: string | null;
  userId: string;
}

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * The cached view web and forms have of auth's users, tenants and API tokens. Each lookup is
 * in-process LRU → Redis → one RPC (single flight), and auth's definitive "no" (NOT_FOUND,
 * INACTIVE) is cached briefly too. Throws `IdentityLookupError` for a definitive "no" and
 * `IdentityUnavailableError` when auth cannot be asked and nothing is cached.
 */
@Injectable()
export class IdentityClient {
  readonly users: TwoLevelCache<UserIdentity>;
  readonly tenants: TwoLevelCache<TenantIdentity>;
  readonly apiTokens: TwoLevelCache<CachedApiToken>;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(IDENTITY_CLIENT_OPTIONS) readonly options: IdentityClientOptions,
    private readonly rpc: AuthRpcCaller,
    metrics: IdentityMetrics,
  ) {
    const common = {
      localTtlMs: options.localTtlMs,
      localMaxEntries: options.localMaxEntries,
      negativeTtlSeconds: options.negativeTtlSeconds,
    };
    const prefix = `${options.keyPrefix}identity:`;
    this.users = new TwoLevelCache(
      redis,
      { ...common, kind: 'user', redisPrefix: `${prefix}user:`, ttlSeconds: options.userTtlSeconds },
      metrics,
    );
    this.tenants = new TwoLevelCache(
      redis,
      { ...common, kind: 'tenant', redisPrefix: `${prefix}tenant:`, ttlSeconds: options.tenantTtlSeconds },
      metrics,
    );
    this.apiTokens = new TwoLevelCache(
      redis,
      { ...common, kind: 'api_token', redisPrefix: `${prefix}api-token:`, ttlSeconds: options.apiTokenTtlSeconds },
      metrics,
    );
  }

  /** The user's current state; throws IdentityLookupError NOT_FOUND / INACTIVE. */
  async getUser(userId: string): Promise<UserIdentity> {
    if (!isUuid(userId)) throw new IdentityLookupError('NOT_FOUND', 'User not found');
    const entry = await this.users.getOrLoad(userId.toLowerCase(), () =>
      this.load<UserIdentity, ValidateUserRequest>(AUTH_PATTERNS.validateUser, { userId }),
    );
    return unwrap(entry);
  }

  async getTenant(tenantId: string): Promise<TenantIdentity> {
    if (!isUuid(tenantId)) throw new IdentityLookupError('NOT_FOUND', 'Tenant not found');
    const entry = await this.tenants.getOrLoad(tenantId.toLowerCase(), () =>
      this.load<TenantIdentity, ValidateTenantRequest>(AUTH_PATTERNS.validateTenant, { tenantId }),
    );
    const tenant = unwrap(entry);
    if (!tenant.isActive) throw new IdentityLookupError('INACTIVE', 'Tenant is inactive');
    return tenant;
  }

  /**
   * Resolves a presented 64-hex API token. Only auth sees the plaintext; the caches key on its
   * sha256. The owner comes back through `getUser`, so deactivating a user also stops their tokens.
   */
  async verifyApiToken(token: string, clientIp?: string): Promise<{ token: CachedApiToken; user: UserIdentity }> {
    const key = sha256Hex(token);
    const entry = await this.apiTokens.getOrLoad(key, async () => {
      const loaded = await this.load<ApiTokenIdentity, VerifyApiTokenRequest>(AUTH_PATTERNS.verifyApiToken, { token, clientIp });
      if (!loaded.ok) return loaded;
      const identity = loaded.value;
      if (identity.user?.id) {
        this.users.prime(
          identity.user.id.toLowerCase(),
          identity.user.isActive ? { ok: true, value: identity.user } : { ok: false, code: 'INACTIVE', message: 'User is inactive' },
        );
      }
      return {
        ok: true,
        value: { tokenId: identity.tokenId, scopes: identity.scopes, tenantId: identity.tenantId, userId: identity.user.id },
      };
    });
    const cached = unwrap(entry);
    return { token: cached, user: await this.getUser(cached.userId) };
  }

  /** One RPC; NOT_FOUND and INACTIVE become cacheable entries, anything else throws. */
  private async load<T, R>(pattern: string, request: R): Promise<CacheEntry<T>> {
    try {
      const value = await this.rpc.call<T>(pattern, request);
      if ((value as { isActive?: boolean }).isActive === false && pattern === AUTH_PATTERNS.validateUser) {
        return { ok: false, code: 'INACTIVE', message: 'User is inactive' };
      }
      return { ok: true, value };
    } catch (error) {
      if (error instanceof IdentityLookupError && (error.code === 'NOT_FOUND' || error.code === 'INACTIVE')) {
        return { ok: false, code: error.code, message: error.message };
      }
      throw error;
    }
  }
}

function unwrap<T>(entry: CacheEntry<T>): T {
  if (entry.ok) return entry.value;
  throw new IdentityLookupError(entry.code, entry.message);
}
