import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

import { ShortLinkEntity } from './short-link.entity';

export interface NewShortLink {
  code: string;
  originalUrl: string;
  expiresAt: Date | null;
  createdBy: string | null;
  formSchemaId: string | null;
}

/** SQL of `short_links`. */
@Injectable()
export class ShortLinksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Inserts unless the code is taken (then null): the unique index decides, no check-then-insert race. */
  async insertIfCodeFree(link: NewShortLink, manager: EntityManager = this.dataSource.manager): Promise<ShortLinkEntity | null> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(ShortLinkEntity)
      .values({ ...link, clickCount: 0 })
      .orIgnore()
      .returning('*')
      .execute();
    const row = result.raw[0] as Record<string, unknown> | undefined;
    return row ? this.fromRaw(row) : null;
  }

  findByCode(code: string): Promise<ShortLinkEntity | null> {
    return this.dataSource.getRepository(ShortLinkEntity).findOneBy({ code });
  }

  /** Serialises link changes of one schema version until `manager`'s transaction ends. */
  async lockSchemaLinks(formSchemaId: string, manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`short-link:${formSchemaId}`]);
  }

  /** The newest link of a schema version (form links, legacy 5.3). */
  findForSchema(formSchemaId: string, manager: EntityManager = this.dataSource.manager): Promise<ShortLinkEntity | null> {
    return manager.getRepository(ShortLinkEntity).findOne({ where: { formSchemaId }, order: { createdAt: 'DESC' } });
  }

  async updateTarget(
    id: string,
    originalUrl: string,
    expiresAt: Date | null,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.getRepository(ShortLinkEntity).update({ id }, { originalUrl, expiresAt });
  }

  async setQrCodeUrl(id: string, qrCodeUrl: string): Promise<void> {
    await this.dataSource.getRepository(ShortLinkEntity).update({ id }, { qrCodeUrl });
  }

  listByCreator(userId: string, limit: number, offset: number): Promise<ShortLinkEntity[]> {
    return this.dataSource
      .getRepository(ShortLinkEntity)
      .find({ where: { createdBy: userId }, order: { createdAt: 'DESC' }, take: limit, skip: offset });
  }

  /**
   * Counts one click and returns the link, in one statement: `click_count = click_count + 1` is
   * evaluated under the row lock, so concurrent clicks are never lost (raw SQL for RETURNING of
   * the updated row with the expiry check in the same statement).
   */
  async recordClick(code: string): Promise<{ link: ShortLinkEntity; expired: boolean } | null> {
    const rows = (await this.dataSource.query(
      `UPDATE short_links SET click_count = click_count + 1, last_accessed = CURRENT_TIMESTAMP
        WHERE code = $1 AND (expires_at IS NULL OR expires_at > CURRENT_TIMESTAMP)
        RETURNING *`,
      [code],
    )) as [Record<string, unknown>[], number] | Record<string, unknown>[];
    const updated = Array.isArray(rows[0]) ? (rows[0] as Record<string, unknown>[]) : (rows as Record<string, unknown>[]);
    if (updated.length) return { link: this.fromRaw(updated[0]), expired: false };
    const existing = await this.findByCode(code);
    return existing ? { link: existing, expired: true } : null;
  }

  /** Whether a code exists, case-sensitively as lookups are. */
  async codeExists(code: string): Promise<boolean> {
    return (await this.dataSource.getRepository(ShortLinkEntity).countBy({ code })) > 0;
  }

  /**
   * The schema version a form link belongs to: `id` itself when it is a `form_schemas` id,
   * otherwise the latest published version of the form `id`.
   */
  async resolveSchemaId(id: string, manager: EntityManager = this.dataSource.manager): Promise<string | null> {
    const rows = (await manager.query(
      `SELECT id FROM form_schemas WHERE id = $1
       UNION ALL
       SELECT id FROM (SELECT id FROM form_schemas WHERE form_id = $1 AND is_published ORDER BY schema_version DESC, created_at DESC NULLS LAST LIMIT 1) latest
       LIMIT 1`,
      [id],
    )) as { id: string }[];
    return rows[0]?.id ?? null;
  }

  private fromRaw(row: Record<string, unknown>): ShortLinkEntity {
    return Object.assign(new ShortLinkEntity(), {
      id: row.id,
      code: row.code,
      originalUrl: row.original_url,
      expiresAt: row.expires_at,
      createdBy: row.created_by,
      clickCount: row.click_count,
      lastAccessed: row.last_accessed,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      qrCodeUrl: row.qr_code_url,
      formSchemaId: row.form_schema_id,
    });
  }
}
