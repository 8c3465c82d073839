import type { ThemeAssetColumn } from '@nafs/contracts';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { FormEntity } from '../forms/form.entity';
import { FormSchemaEntity } from '../forms/form-schema.entity';
import { FormSubmissionEntity } from '../forms/form-submission.entity';
import { FormThemeEntity } from '../themes/form-theme.entity';

/** Read-only access to the rows web's export jobs package (forms, schemas, submissions, themes). */
@Injectable()
export class ExportSourceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  schema(id: string): Promise<FormSchemaEntity | null> {
    return this.dataSource.getRepository(FormSchemaEntity).findOne({ where: { id } });
  }

  latestSchemaOf(formId: string): Promise<FormSchemaEntity | null> {
    return this.dataSource
      .getRepository(FormSchemaEntity)
      .findOne({ where: { formId }, order: { schemaVersion: 'DESC', createdAt: 'DESC' } });
  }

  form(id: string): Promise<FormEntity | null> {
    return this.dataSource.getRepository(FormEntity).findOne({ where: { id } });
  }

  /** Submissions over every schema version of the form. */
  submissionCount(formId: string): Promise<number> {
    return this.dataSource
      .getRepository(FormSubmissionEntity)
      .createQueryBuilder('s')
      .innerJoin(FormSchemaEntity, 'fs', 'fs.id = s.form_schema_id')
      .where('fs.form_id = :formId', { formId })
      .getCount();
  }

  theme(id: string): Promise<FormThemeEntity | null> {
    return this.dataSource.getRepository(FormThemeEntity).findOne({ where: { id } });
  }

  /**
   * Characters `[offset, offset + length)` of the JSON string at `path` in the theme's column, and
   * the string's length: only the slice leaves the database. Null when the theme is gone or the
   * value at `path` is not a string.
   */
  async assetSlice(
    themeId: string,
    column: ThemeAssetColumn,
    path: string[],
    offset: number,
    length: number,
  ): Promise<{ data: string; total: number } | null> {
    const rows: Array<{ data: string; total: number }> = await this.dataSource.query(
      `SELECT substr(v.text, $3::int + 1, $4::int) AS data, length(v.text)::int AS total
         FROM form_themes t, LATERAL (SELECT t.${column} #>> $2::text[] AS text) v
        WHERE t.id = $1 AND jsonb_typeof(t.${column} #> $2::text[]) = 'string'`,
      [themeId, path, offset, length],
    );
    return rows[0] ?? null;
  }
}
