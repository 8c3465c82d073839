import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { FormThemeEntity } from './form-theme.entity';

export interface NewTheme {
  name: string;
  description: string | null;
  thumbnailUrl: string;
  themeConfig: Record<string, unknown>;
  creatorId: string;
}

export interface ThemeChanges {
  name?: string;
  description?: string;
  thumbnailUrl?: string;
  themeConfig?: Record<string, unknown>;
}

export interface ThemeUsageRow {
  id: string;
  title: string;
  status: string;
  updatedAt: Date | null;
}

/** The SQL of `form_themes` (and the forms that use a theme). */
@Injectable()
export class ThemesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private get themes() {
    return this.dataSource.getRepository(FormThemeEntity);
  }

  /** Every active theme, most used first. */
  listActive(): Promise<FormThemeEntity[]> {
    return this.themes.find({ where: { isActive: true }, order: { usageCount: 'DESC', createdAt: 'ASC' } });
  }

  findActive(id: string): Promise<FormThemeEntity | null> {
    return this.themes.findOne({ where: { id, isActive: true } });
  }

  findById(id: string): Promise<FormThemeEntity | null> {
    return this.themes.findOne({ where: { id } });
  }

  async nameTaken(name: string): Promise<boolean> {
    return this.themes.exists({ where: { name } });
  }

  /** The new theme, or null when the name is taken (the unique name constraint decides under races; the id is fresh). */
  async insert(theme: NewTheme): Promise<FormThemeEntity | null> {
    const result = await this.themes
      .createQueryBuilder()
      .insert()
      .values({
        name: theme.name,
        description: theme.description,
        thumbnailUrl: theme.thumbnailUrl,
        themeConfig: theme.themeConfig,
        createdBy: theme.creatorId,
        creatorId: theme.creatorId,
        isCustom: true,
        themeDefinition: {},
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    const id = (result.raw as { id: string }[])[0]?.id;
    return id ? this.themes.findOneOrFail({ where: { id } }) : null;
  }

  /** The updated theme; throws PostgreSQL's 23505 when the new name is taken. */
  async update(id: string, changes: ThemeChanges): Promise<FormThemeEntity> {
    const set = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    await this.themes.update({ id }, { ...set, updatedAt: () => 'CURRENT_TIMESTAMP' });
    return this.themes.findOneOrFail({ where: { id } });
  }

  async deactivate(id: string): Promise<void> {
    await this.themes.update({ id }, { isActive: false, updatedAt: () => 'CURRENT_TIMESTAMP' });
  }

  /**
   * The new usage count of an active theme, or null. Raw SQL: one UPDATE ... RETURNING, so
   * concurrent applies all count and the new value comes back without a second query.
   */
  async incrementUsage(id: string): Promise<number | null> {
    // TypeORM answers an UPDATE ... RETURNING on PostgreSQL with [rows, affectedCount].
    const [rows]: [{ usage_count: number }[], number] = await this.dataSource.query(
      `UPDATE form_themes SET usage_count = usage_count + 1 WHERE id = $1 AND is_active = true RETURNING usage_count`,
      [id],
    );
    return rows[0] ? rows[0].usage_count : null;
  }

  /**
   * Forms whose schema uses the theme, newest change first; all of them, or only `userId`'s.
   * Raw SQL: `forms` and `form_schemas` have no entity in this feature, and the EXISTS reads simply.
   */
  async formsUsing(themeId: string, userId: string | null): Promise<ThemeUsageRow[]> {
    const rows: { id: string; title: string; status: string; updated_at: Date | null }[] = await this.dataSource.query(
      `SELECT f.id, f.title, f.status, f.updated_at
         FROM forms f
        WHERE EXISTS (SELECT 1 FROM form_schemas s WHERE s.form_id = f.id AND s.theme_id = $1)
          AND ($2::uuid IS NULL OR f.user_id = $2)
        ORDER BY f.updated_at DESC NULLS LAST, f.id`,
      [themeId, userId],
    );
    return rows.map((row) => ({ id: row.id, title: row.title, status: row.status, updatedAt: row.updated_at }));
  }
}
