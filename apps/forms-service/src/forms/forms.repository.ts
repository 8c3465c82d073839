import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import { FormThemeEntity } from '../themes/form-theme.entity';
import { FormEntity } from './form.entity';
import { FormSchemaEntity } from './form-schema.entity';
import { FormSubmissionEntity } from './form-submission.entity';

/** Who may see which forms in a list: the owner's own, or a tenant admin's whole tenant. */
export type FormScope = { userId: string } | { tenantId: string };

export interface FormListRow {
  form: FormEntity;
  schema: FormSchemaEntity | null;
  shortCode: string | null;
}

/** "Latest" = the highest schema_version; the legacy data has duplicate versions, so ties go to the newest row. */
const LATEST_ORDER = 's.schema_version DESC, s.created_at DESC NULLS LAST, s.id DESC';

/** `[submitted_at, host(submitter_ip), value of column 1, value of column 2, ...]`. */
export type ExportRow = [Date | null, string | null, ...Array<string | null>];

/**
 * Forms with their latest schema version and its newest short code. Raw SQL: the latest version
 * and its link are LATERAL subqueries, so a form or a page of them is one round trip.
 */
const FORM_WITH_LATEST = `SELECT f.id, f.user_id, f.tenant_id, f.title, f.description, f.status, f.created_at, f.updated_at, f.qr_code_url,
         s.id AS s_id, s.schema_version AS s_version, s.schema_json AS s_json, s.is_published AS s_published,
         s.render_token AS s_token, s.expires_at AS s_expires, s.created_at AS s_created, s.updated_at AS s_updated,
         s.theme_id AS s_theme, l.code AS short_code
    FROM forms f
    LEFT JOIN LATERAL (SELECT * FROM form_schemas s WHERE s.form_id = f.id ORDER BY ${LATEST_ORDER} LIMIT 1) s ON true
    LEFT JOIN LATERAL (SELECT code FROM short_links l WHERE l.form_schema_id = s.id ORDER BY l.created_at DESC LIMIT 1) l ON true`;

function toFormRow(r: Record<string, unknown>): FormListRow {
  return {
    form: Object.assign(new FormEntity(), {
      id: r.id,
      userId: r.user_id,
      tenantId: r.tenant_id,
      title: r.title,
      description: r.description,
      status: r.status,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      qrCodeUrl: r.qr_code_url,
    }),
    schema: r.s_id
      ? Object.assign(new FormSchemaEntity(), {
          id: r.s_id,
          formId: r.id,
          schemaVersion: r.s_version,
          schemaJson: r.s_json,
          isPublished: r.s_published,
          renderToken: r.s_token,
          expiresAt: r.s_expires,
          createdAt: r.s_created,
          updatedAt: r.s_updated,
          themeId: r.s_theme,
        })
      : null,
    shortCode: (r.short_code as string | null) ?? null,
  };
}

export interface SubmissionExportFilter {
  formId: string;
  dateFrom?: Date;
  dateTo?: Date;
  filterField?: string;
  filterValue?: string;
}

/** SQL of forms, their schema versions and submissions. */
@Injectable()
export class FormsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  findForm(id: string): Promise<FormEntity | null> {
    return this.dataSource.getRepository(FormEntity).findOneBy({ id });
  }

  /** Serialises saves of one form (inside `manager`'s transaction), so two concurrent saves get versions n+1 and n+2. */
  async lockForm(formId: string, manager: EntityManager): Promise<void> {
    await manager.query('SELECT id FROM forms WHERE id = $1 FOR UPDATE', [formId]);
  }

  async latestSchema(formId: string, manager: EntityManager = this.dataSource.manager): Promise<FormSchemaEntity | null> {
    return manager
      .getRepository(FormSchemaEntity)
      .createQueryBuilder('s')
      .where('s.form_id = :formId', { formId })
      .orderBy('s.schema_version', 'DESC')
      .addOrderBy('s.created_at', 'DESC', 'NULLS LAST')
      .addOrderBy('s.id', 'DESC')
      .limit(1)
      .getOne();
  }

  /** The newest published version (F4 unpublishes only that one). */
  newestPublishedSchema(formId: string, manager: EntityManager): Promise<FormSchemaEntity | null> {
    return manager
      .getRepository(FormSchemaEntity)
      .createQueryBuilder('s')
      .where('s.form_id = :formId AND s.is_published', { formId })
      .orderBy('s.schema_version', 'DESC')
      .addOrderBy('s.created_at', 'DESC', 'NULLS LAST')
      .addOrderBy('s.id', 'DESC')
      .limit(1)
      .getOne();
  }

  findTheme(id: string): Promise<FormThemeEntity | null> {
    return this.dataSource.getRepository(FormThemeEntity).findOneBy({ id });
  }

  async insertForm(row: Partial<FormEntity>, manager: EntityManager): Promise<FormEntity> {
    const id = randomUUID();
    await manager.getRepository(FormEntity).insert({ ...row, id });
    return (await manager.getRepository(FormEntity).findOneBy({ id })) as FormEntity;
  }

  async insertSchema(row: Partial<FormSchemaEntity>, manager: EntityManager): Promise<FormSchemaEntity> {
    const id = randomUUID();
    await manager.getRepository(FormSchemaEntity).insert({ ...row, id } as never);
    return (await manager.getRepository(FormSchemaEntity).findOneBy({ id })) as FormSchemaEntity;
  }

  async updateForm(
    id: string,
    patch: Partial<Pick<FormEntity, 'title' | 'description' | 'status' | 'qrCodeUrl'>>,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<FormEntity> {
    const repo = manager.getRepository(FormEntity);
    // Always touch the row so updated_at moves (the trigger) even when only a schema version was added.
    await repo.update({ id }, Object.keys(patch).length ? patch : { updatedAt: new Date() });
    return (await repo.findOneBy({ id })) as FormEntity;
  }

  async updateSchema(
    id: string,
    patch: Partial<Pick<FormSchemaEntity, 'isPublished' | 'renderToken' | 'expiresAt' | 'schemaJson'>>,
    manager: EntityManager,
  ): Promise<FormSchemaEntity> {
    const repo = manager.getRepository(FormSchemaEntity);
    await repo.update({ id }, patch as never);
    return (await repo.findOneBy({ id })) as FormSchemaEntity;
  }

  async deleteForm(id: string): Promise<void> {
    await this.dataSource.getRepository(FormEntity).delete({ id });
  }

  /** One form with its latest schema version and that version's newest short code, in one round trip. */
  async findWithLatest(id: string): Promise<FormListRow | null> {
    const rows = await this.dataSource.query(`${FORM_WITH_LATEST} WHERE f.id = $1`, [id]);
    return rows[0] ? toFormRow(rows[0]) : null;
  }

  /**
   * One page of forms with their latest schema version and its newest short code, and the total:
   * `count(*) OVER ()` rides on the page's own query (one round trip); only a page past the end,
   * which has no row to carry it, asks for the count on its own.
   */
  async list(scope: FormScope, page: number, limit: number): Promise<{ rows: FormListRow[]; total: number }> {
    const [column, value] = 'userId' in scope ? ['user_id', scope.userId] : ['tenant_id', scope.tenantId];
    const offset = (page - 1) * limit;
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH page_forms AS (SELECT f.id, count(*) OVER () AS total FROM forms f WHERE f.${column} = $1
                             ORDER BY f.created_at DESC NULLS LAST, f.id DESC LIMIT $2 OFFSET $3)
       SELECT page.*, page_forms.total FROM page_forms CROSS JOIN LATERAL (${FORM_WITH_LATEST} WHERE f.id = page_forms.id) page
        ORDER BY page.created_at DESC NULLS LAST, page.id DESC`,
      [value, limit, offset],
    );
    const total = rows.length
      ? Number((rows[0] as { total?: unknown }).total ?? 0)
      : (await this.dataSource.query(`SELECT count(*)::int AS total FROM forms WHERE ${column} = $1`, [value]))[0].total;
    return { total, rows: rows.map(toFormRow) };
  }

  /** Submissions of every version of a form, newest first. */
  async submissionsPage(formId: string, page: number, limit: number): Promise<{ rows: FormSubmissionEntity[]; total: number }> {
    const qb = this.dataSource
      .getRepository(FormSubmissionEntity)
      .createQueryBuilder('sub')
      .innerJoin(FormSchemaEntity, 's', 's.id = sub.form_schema_id')
      .where('s.form_id = :formId', { formId });
    const [rows, total] = await Promise.all([
      qb
        .clone()
        .orderBy('sub.submitted_at', 'DESC', 'NULLS LAST')
        .addOrderBy('sub.id', 'DESC')
        .offset((page - 1) * limit)
        .limit(limit)
        .getMany(),
      qb.clone().getCount(),
    ]);
    return { rows, total };
  }

  /** The keys of the form's newest submission (the legacy export's default columns), in stored order. */
  async firstSubmissionKeys(filter: SubmissionExportFilter): Promise<string[]> {
    const { where, params } = exportWhere(filter);
    const rows = await this.dataSource.query(
      `SELECT (SELECT coalesce(array_agg(k ORDER BY o), '{}') FROM jsonb_object_keys(CASE WHEN jsonb_typeof(sub.values_json) = 'object' THEN sub.values_json ELSE '{}' END) WITH ORDINALITY AS t(k, o)) AS keys
         FROM form_submissions sub JOIN form_schemas s ON s.id = sub.form_schema_id
        WHERE ${where} ORDER BY sub.submitted_at DESC NULLS LAST, sub.id DESC LIMIT 1`,
      params,
    );
    return rows[0]?.keys ?? [];
  }

  /**
   * Streams the export rows through a server-side cursor (DECLARE/FETCH in one transaction):
   * TypeORM's stream() needs pg-query-stream, which is not installed. Values are extracted in SQL
   * (`->>`), so numbers keep their exact stored text. Each batch is handed to `onBatch`, which
   * resolves once the consumer can take more.
   */
  async streamExport(
    filter: SubmissionExportFilter,
    columns: string[],
    batchSize: number,
    onBatch: (rows: ExportRow[]) => Promise<void>,
  ): Promise<void> {
    const { where, params } = exportWhere(filter);
    // One flat text column per value: no text[] literal to build in SQL and parse again in JS.
    const valueList = columns.map((_, index) => `, sub.values_json ->> $${params.length + index + 1}`).join('');
    const sql = `SELECT sub.submitted_at, host(sub.submitter_ip) AS ip${valueList}
                   FROM form_submissions sub JOIN form_schemas s ON s.id = sub.form_schema_id
                  WHERE ${where} ORDER BY sub.submitted_at DESC NULLS LAST, sub.id DESC`;
    const runner = this.dataSource.createQueryRunner();
    // The driver's own client, for `rowMode: 'array'`: no per-row objects, less garbage per batch.
    const client = (await runner.connect()) as {
      query(config: { text: string; values?: unknown[]; rowMode: 'array' }): Promise<{ rows: unknown[][] }>;
    };
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query(`DECLARE export_cursor NO SCROLL CURSOR FOR ${sql}`, [...params, ...columns]);
      for (;;) {
        const { rows } = await client.query({ text: `FETCH FORWARD ${batchSize} FROM export_cursor`, rowMode: 'array' });
        if (!rows.length) break;
        await onBatch(rows as ExportRow[]);
        if (rows.length < batchSize) break;
      }
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}

function exportWhere(filter: SubmissionExportFilter): { where: string; params: unknown[] } {
  const params: unknown[] = [filter.formId];
  const parts = ['s.form_id = $1'];
  if (filter.dateFrom) {
    params.push(filter.dateFrom);
    parts.push(`sub.submitted_at >= $${params.length}`);
  }
  if (filter.dateTo) {
    params.push(filter.dateTo);
    parts.push(`sub.submitted_at <= $${params.length}`);
  }
  if (filter.filterField !== undefined && filter.filterValue !== undefined) {
    params.push(filter.filterField, filter.filterValue);
    parts.push(`sub.values_json ->> $${params.length - 1} = $${params.length}`);
  }
  return { where: parts.join(' AND '), params };
}
