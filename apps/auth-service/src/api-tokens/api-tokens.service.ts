import { randomBytes, randomUUID } from 'node:crypto';

import { AUTH_EVENTS } from '@nafs/contracts';
import { BadRequestError, ConflictError, NotFoundError } from '@nafs/http';
import { Inject, Injectable } from '@nestjs/common';
import { hash } from 'bcrypt';
import { DataSource, type EntityManager } from 'typeorm';

import type { RequestIdentity } from '../access/request-identity';
import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { OutboxWriter } from '../outbox/outbox.writer';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokenVerifier, sha256Hex } from './api-token-verifier';
import { ApiTokensRepository } from './api-tokens.repository';
import type { CreateTokenInput, UpdateTokenInput, UsageQuery } from './api-tokens.schemas';

const YEAR_MS = 365 * 24 * 3600 * 1000;
const NOT_FOUND = () => new NotFoundError('NOT_FOUND', 'Token not found or access denied');
const NAME_TAKEN = () => new ConflictError('CONFLICT', 'Token name already exists for this user');
const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === '23505';

/** timestamptz may hold ±infinity (fixture hazard A17), which a JS Date cannot print. */
export function isoOrInfinity(value: Date | number | null): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value > 0 ? 'infinity' : '-infinity';
  return Number.isNaN(value.getTime()) ? null : value.toISOString();
}

export interface ApiTokenItem {
  id: string;
  name: string;
  scopes: string[];
  expiresAt: string | null;
  createdAt: string | null;
  lastUsedAt: string | null;
  isActive: boolean | null;
}

export function toApiTokenItem(token: ApiTokenEntity): ApiTokenItem {
  return {
    id: token.id,
    name: token.name,
    scopes: token.scopes,
    expiresAt: isoOrInfinity(token.expiresAt),
    createdAt: isoOrInfinity(token.createdAt),
    lastUsedAt: isoOrInfinity(token.lastUsedAt),
    isActive: token.isActive,
  };
}

function scopesChanged(before: string[], after: string[]): boolean {
  const a = new Set(before);
  const b = new Set(after);
  return a.size !== b.size || [...a].some((scope) => !b.has(scope));
}

export interface DateRange {
  from?: Date;
  to?: Date;
}

/**
 * /api/v1/tokens (legacy-api.md 2.10, T1-T8): a user manages their own tokens (within their
 * tenant when they have one). New tokens carry the sha256 lookup column next to the legacy bcrypt
 * hash; revocation (delete or deactivate) writes `auth.api-token.revoked` in its transaction, a
 * scope change `auth.api-token.updated`, so web and forms drop the token's cached identity.
 */
@Injectable()
export class ApiTokensService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly verifier: ApiTokenVerifier,
    private readonly repository: ApiTokensRepository,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** Admin report: legacy tokens never presented since the move, and whether the scan still runs. */
  async legacyUnseen() {
    const rows = await this.repository.legacyUnseen();
    return {
      scan: { open: this.verifier.legacyScanOpen(), until: this.config.LEGACY_API_TOKEN_SCAN_UNTIL ?? null },
      tokens: rows.map((row) => ({
        id: row.id,
        name: row.name,
        userId: row.user_id,
        userEmail: row.email,
        tenantId: row.tenant_id,
        isActive: row.is_active,
        expiresAt: isoOrInfinity(row.expires_at as Date | number | null),
        createdAt: isoOrInfinity(row.created_at as Date | number | null),
        lastUsedAt: isoOrInfinity(row.last_used_at as Date | number | null),
      })),
    };
  }

  async create(owner: RequestIdentity, input: CreateTokenInput) {
    const token = randomBytes(32).toString('hex');
    const id = randomUUID();
    const expiresAt = input.expiresAt ?? new Date(Date.now() + YEAR_MS);
    const tokenHash = await hash(token, this.config.BCRYPT_ROUNDS);
    try {
      await this.repository.insert({
        id,
        userId: owner.id,
        tenantId: owner.tenantId,
        tokenHash,
        tokenSha256: sha256Hex(token),
        name: input.name,
        scopes: input.scopes,
        expiresAt,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw NAME_TAKEN();
      throw error;
    }
    return { token, id, name: input.name, scopes: input.scopes, expiresAt: expiresAt.toISOString() };
  }

  async list(owner: RequestIdentity): Promise<ApiTokenItem[]> {
    return (await this.repository.listOwned(owner)).map(toApiTokenItem);
  }

  async get(owner: RequestIdentity, id: string): Promise<ApiTokenItem> {
    return toApiTokenItem(await this.owned(owner, id));
  }

  async update(owner: RequestIdentity, id: string, input: UpdateTokenInput): Promise<ApiTokenItem> {
    const changes = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as UpdateTokenInput;
    if (!Object.keys(changes).length) throw new BadRequestError('BAD_REQUEST', 'At least one of name, scopes or isActive is required');
    try {
      const { before, after } = await this.dataSource.transaction(async (manager) => {
        const before = await this.owned(owner, id, manager, true);
        const after = await this.repository.update(manager, id, changes);
        if (before.isActive === true && after.isActive === false) await this.revoked(manager, after);
        else if (scopesChanged(before.scopes, after.scopes)) await this.scopesUpdated(manager, after);
        return { before, after };
      });
      if (before.isActive !== true && after.isActive === true && !after.tokenSha256) await this.verifier.forgetLegacyMisses();
      return toApiTokenItem(after);
    } catch (error) {
      if (isUniqueViolation(error)) throw NAME_TAKEN();
      throw error;
    }
  }

  async remove(owner: RequestIdentity, id: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const token = await this.owned(owner, id, manager, true);
      await this.repository.delete(manager, id);
      await this.revoked(manager, token);
    });
  }

  async usage(owner: RequestIdentity, id: string, query: UsageQuery, range: DateRange, statuses: number[]) {
    await this.ownedForUsage(owner, id);
    const [rows, total] = await this.repository.usagePage(id, {
      ...range,
      statuses,
      endpoint: query.endpoint,
      method: query.method?.toUpperCase(),
      offset: (query.page - 1) * query.limit,
      limit: query.limit,
    });
    return {
      usage: rows.map((row) => ({
        id: row.id,
        tokenId: row.tokenId,
        endpoint: row.endpoint,
        method: row.method,
        timestamp: isoOrInfinity(row.timestamp),
        processingTime: row.processingTime,
        responseStatus: row.responseStatus,
        ipAddress: row.ipAddress,
        userAgent: row.userAgent,
        tenantId: row.tenantId,
        createdAt: isoOrInfinity(row.createdAt),
      })),
      pagination: { page: query.page, limit: query.limit, total, totalPages: Math.ceil(total / query.limit) },
    };
  }

  async stats(owner: RequestIdentity, id: string, range: DateRange) {
    await this.ownedForUsage(owner, id);
    const { totals, top, byStatus } = await this.repository.usageStats(id, range.from && range.to ? range : {});
    return {
      totalRequests: totals.total,
      successfulRequests: totals.ok,
      failedRequests: totals.total - totals.ok,
      averageResponseTime: totals.avg,
      topEndpoints: top,
      requestsByStatus: byStatus,
    };
  }

  async timeseries(owner: RequestIdentity, id: string, period: 'hour' | 'day', range: DateRange) {
    await this.ownedForUsage(owner, id);
    const rows = await this.repository.usageSeries(id, period, range);
    return {
      data: rows.map((row) => ({ period: isoOrInfinity(row.period), requests: row.requests, averageResponseTime: row.avg })),
      period,
    };
  }

  private async revoked(manager: EntityManager, token: ApiTokenEntity): Promise<void> {
    await this.outbox.write(manager, AUTH_EVENTS.apiTokenRevoked, {
      tokenId: token.id,
      userId: token.userId,
      tokenSha256: token.tokenSha256,
    });
  }

  private async scopesUpdated(manager: EntityManager, token: ApiTokenEntity): Promise<void> {
    await this.outbox.write(manager, AUTH_EVENTS.apiTokenUpdated, {
      tokenId: token.id,
      userId: token.userId,
      tokenSha256: token.tokenSha256,
      scopes: token.scopes,
      changed: ['scopes'],
    });
  }

  private async owned(owner: RequestIdentity, id: string, manager?: EntityManager, lock = false): Promise<ApiTokenEntity> {
    const token = await this.repository.findOwned(owner, id, manager, lock);
    if (!token) throw NOT_FOUND();
    return token;
  }

  private async ownedForUsage(owner: RequestIdentity, id: string): Promise<void> {
    const found = await this.repository.ownedExists(owner, id);
    if (!found) throw new NotFoundError('TOKEN_NOT_FOUND', 'Token not found or access denied');
  }
}
