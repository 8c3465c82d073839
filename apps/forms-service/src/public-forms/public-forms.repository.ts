import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

import { FormSchemaEntity } from '../forms/form-schema.entity';
import { FormSubmissionEntity } from '../forms/form-submission.entity';
import { ShortLinkEntity } from '../short-links/short-link.entity';
import { FormThemeEntity } from '../themes/form-theme.entity';

type SchemaRow = FormSchemaEntity & { theme?: FormThemeEntity | null; link?: ShortLinkEntity };

export interface NewSubmission {
  formSchemaId: string;
  values: Record<string, unknown>;
  submitterIp: string;
  metadata: Record<string, unknown>;
}

/** What the public routes read and write: published schema versions, their themes, submissions. */
@Injectable()
export class PublicFormsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** A schema version with its theme in one query (F21: any theme; F23: active only). */
  async schemaWithTheme(id: string, activeThemeOnly: boolean): Promise<{ schema: FormSchemaEntity; theme: FormThemeEntity | null } | null> {
    const row = (await this.schemaQuery(activeThemeOnly).where('s.id = :id', { id }).getOne()) as SchemaRow | null;
    return row ? { schema: row, theme: row.theme ?? null } : null;
  }

  /** The schema version an unexpired short link points at, with its active theme, in one query (F23, X13, X14). */
  async schemaOfCode(code: string): Promise<{ schema: FormSchemaEntity; theme: FormThemeEntity | null; code: string } | null> {
    const row = (await this.schemaQuery(true)
      .innerJoinAndMapOne('s.link', ShortLinkEntity, 'l', 'l.form_schema_id = s.id')
      .where('l.code = :code', { code })
      .andWhere('(l.expires_at IS NULL OR l.expires_at > CURRENT_TIMESTAMP)')
      .getOne()) as SchemaRow | null;
    return row?.link ? { schema: row, theme: row.theme ?? null, code: row.link.code } : null;
  }

  private schemaQuery(activeThemeOnly: boolean) {
    return this.dataSource
      .getRepository(FormSchemaEntity)
      .createQueryBuilder('s')
      .leftJoinAndMapOne(
        's.theme',
        FormThemeEntity,
        't',
        activeThemeOnly ? 't.id = s.theme_id AND t.is_active = true' : 't.id = s.theme_id',
      );
  }

  schemaById(id: string): Promise<FormSchemaEntity | null> {
    return this.dataSource.getRepository(FormSchemaEntity).findOneBy({ id });
  }

  /**
   * A template's business-logic config (`settings.templateId`, forms-extras.md 3.1). Raw SQL: the
   * templates table belongs to the templates feature and may not exist in an older database.
   */
  async templateConfig(templateId: string): Promise<unknown> {
    try {
      const rows = (await this.dataSource.query('SELECT business_logic_config FROM form_templates WHERE id = $1', [templateId])) as {
        business_logic_config: unknown;
      }[];
      return rows[0]?.business_logic_config ?? null;
    } catch (error) {
      if ((error as { code?: string }).code === '42P01') return null;
      throw error;
    }
  }

  async insertSubmission(manager: EntityManager, submission: NewSubmission): Promise<string> {
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(FormSubmissionEntity)
      .values({
        formSchemaId: submission.formSchemaId,
        valuesJson: submission.values,
        submitterIp: submission.submitterIp,
        userId: null,
        metadata: submission.metadata,
      })
      .returning(['id'])
      .execute();
    return (result.raw as { id: string }[])[0].id;
  }

  async setMetadata(manager: EntityManager, id: string, metadata: Record<string, unknown>): Promise<void> {
    await manager.getRepository(FormSubmissionEntity).update({ id }, { metadata });
  }

  /** Confirmed bookings per (date, slot) of a form in a date range (X13). */
  async bookedSlots(formId: string, startDate: string, endDate: string): Promise<{ date: string; time_slot: string; booked: number }[]> {
    return (await this.dataSource.query(
      `SELECT to_char("date", 'YYYY-MM-DD') AS date, time_slot, count(*)::int AS booked FROM appointment_bookings
        WHERE form_id = $1 AND "date" BETWEEN $2 AND $3 AND status = 'confirmed'
        GROUP BY "date", time_slot ORDER BY "date", time_slot`,
      [formId, startDate, endDate],
    )) as { date: string; time_slot: string; booked: number }[];
  }
}
