import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import type { RequestIdentity } from '../access/request-identity';
import type { UserIdentityRow } from '../users/user-identity';
import { ApiTokenEntity } from './api-token.entity';
import { ApiTokenUsageEntity } from './api-token-usage.entity';

export interface LegacyTokenRow {
  id: string;
  name: string;
  user_id: string;
  email: string | null;
  tenant_id: string | null;
  is_active: boolean | null;
  expires_at: Date | number | null;
  created_at: Date | number | null;
  last_used_at: Date | number | null;
}

/** A token found by its sha256, with its owner as the identity RPC describes them. */
export interface ApiTokenLookupRow extends UserIdentityRow {
  token_id: string;
  scopes: string[];
  token_tenant_id: string | null;
  token_is_active: boolean | null;
  unexpired: boolean;
}

export interface UsageFilter {
  from?: Date;
  to?: Date;
  statuses?: number[];
  endpoint?: string;
  method?: string;
  offset: number;
  limit: number;
}

export interface UsageTotals {
  total: number;
  ok: number;
  avg: number;
}

/** SQL of the api_tokens feature (api_tokens, api_token_usage). */
@Injectable()
export class ApiTokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Legacy rows (bcrypt only) whose holder has not presented them since the move: no sha256 yet. */
  legacyUnseen(): Promise<LegacyTokenRow[]> {
    return this.dataSource.query(
      `SELECT k.id, k.name, k.user_id, u.email, k.tenant_id, k.is_active, k.expires_at, k.created_at, k.last_used_at
         FROM api_tokens k LEFT JOIN users u ON u.id = k.user_id
        WHERE k.token_sha256 IS NULL
        ORDER BY k.created_at NULLS LAST, k.id`,
    );
  }

  async findBySha(sha: string): Promise<ApiTokenLookupRow | undefined> {
    const rows: ApiTokenLookupRow[] = await this.dataSource.query(
      `SELECT k.id AS token_id, k.scopes, k.tenant_id AS token_tenant_id, k.is_active AS token_is_active,
              k.expires_at > now() AS unexpired,
              u.id, u.email, u.role, u.tenant_id, u.is_active, t.is_active AS tenant_is_active
         FROM api_tokens k
         JOIN users u ON u.id = k.user_id
         LEFT JOIN tenants t ON t.id = u.tenant_id
        WHERE k.token_sha256 = $1`,
      [sha],
    );
    return rows[0];
  }

  /** Legacy rows a presented token may match: no sha256 yet, active and unexpired (the legacy middleware's set). */
  legacyCandidates(): Promise<{ id: string; token_hash: string }[]> {
    return this.dataSource.query(
      `SELECT id, token_hash FROM api_tokens WHERE token_sha256 IS NULL AND is_active = true AND expires_at > now()`,
    );
  }

  async fillSha256(id: string, sha: string): Promise<void> {
    await this.dataSource.query(`UPDATE api_tokens SET token_sha256 = $1 WHERE id = $2 AND token_sha256 IS NULL`, [sha, id]);
  }

  insert(row: Partial<ApiTokenEntity>): Promise<unknown> {
    return this.dataSource.getRepository(ApiTokenEntity).insert(row);
  }

  /** The owner's tokens (within their tenant when they have one), newest first. */
  listOwned(owner: RequestIdentity): Promise<ApiTokenEntity[]> {
    return this.scoped(owner).orderBy('t.created_at', 'DESC', 'NULLS LAST').addOrderBy('t.id').getMany();
  }

  async findOwned(owner: RequestIdentity, id: string, manager?: EntityManager, lock = false): Promise<ApiTokenEntity | null> {
    const qb = this.scoped(owner, manager).andWhere('t.id = :id', { id });
    if (lock) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  ownedExists(owner: RequestIdentity, id: string): Promise<boolean> {
    return this.scoped(owner).andWhere('t.id = :id', { id }).getExists();
  }

  async update(manager: EntityManager, id: string, changes: Partial<ApiTokenEntity>): Promise<ApiTokenEntity> {
    await manager.update(ApiTokenEntity, { id }, changes);
    return (await manager.findOneBy(ApiTokenEntity, { id })) as ApiTokenEntity;
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(ApiTokenEntity, { id });
  }

  usagePage(tokenId: string, filter: UsageFilter): Promise<[ApiTokenUsageEntity[], number]> {
    const qb = this.dataSource.getRepository(ApiTokenUsageEntity).createQueryBuilder('u').where('u.token_id = :id', { id: tokenId });
    if (filter.from) qb.andWhere('u.timestamp >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('u.timestamp <= :to', { to: filter.to });
    if (filter.statuses?.length) qb.andWhere('u.response_status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.endpoint) qb.andWhere('u.endpoint = :endpoint', { endpoint: filter.endpoint });
    if (filter.method) qb.andWhere('u.method = :method', { method: filter.method });
    return qb.orderBy('u.timestamp', 'DESC').addOrderBy('u.id').skip(filter.offset).take(filter.limit).getManyAndCount();
  }

  /** Totals, the top 10 endpoints and counts per status; the range applies only when both ends are given. */
  async usageStats(tokenId: string, range: { from?: Date; to?: Date }) {
    const where = [`token_id = $1`];
    const params: unknown[] = [tokenId];
    if (range.from && range.to) {
      params.push(range.from, range.to);
      where.push(`"timestamp" >= $2`, `"timestamp" <= $3`);
    }
    const filter = where.join(' AND ');
    const [totals]: UsageTotals[] = await this.dataSource.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE response_status < 400)::int AS ok,
              COALESCE(round(avg(processing_time))::int, 0) AS avg
         FROM api_token_usage WHERE ${filter}`,
      params,
    );
    const top: { endpoint: string; count: number }[] = await this.dataSource.query(
      `SELECT endpoint, count(*)::int AS count FROM api_token_usage WHERE ${filter} GROUP BY endpoint ORDER BY count DESC, endpoint LIMIT 10`,
      params,
    );
    const byStatus: { status: number; count: number }[] = await this.dataSource.query(
      `SELECT response_status AS status, count(*)::int AS count FROM api_token_usage WHERE ${filter} GROUP BY response_status ORDER BY response_status`,
      params,
    );
    return { totals, top, byStatus };
  }

  usageSeries(
    tokenId: string,
    period: 'hour' | 'day',
    range: { from?: Date; to?: Date },
  ): Promise<{ period: Date; requests: number; avg: number }[]> {
    const params: unknown[] = [tokenId, period];
    const where = [`token_id = $1`];
    if (range.from) where.push(`"timestamp" >= $${params.push(range.from)}`);
    if (range.to) where.push(`"timestamp" <= $${params.push(range.to)}`);
    return this.dataSource.query(
      `SELECT date_trunc($2, "timestamp") AS period, count(*)::int AS requests, COALESCE(round(avg(processing_time))::int, 0) AS avg
         FROM api_token_usage WHERE ${where.join(' AND ')} GROUP BY 1 ORDER BY 1`,
      params,
    );
  }

  private scoped(owner: RequestIdentity, manager: EntityManager = this.dataSource.manager) {
    const qb = manager.getRepository(ApiTokenEntity).createQueryBuilder('t').where('t.user_id = :userId', { userId: owner.id });
    if (owner.tenantId) qb.andWhere('t.tenant_id = :tenantId', { tenantId: owner.tenantId });
    return qb;
  }
}
