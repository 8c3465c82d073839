import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdentityReferences } from '@nafs/auth-client';
import { type AuthenticatedUser, isUuid } from '@nafs/contracts';
import { FormThemeEntity } from './form-theme.entity';
import { E2Exception, ThemeOwnershipException } from './theme.errors';
import type { ThemeInput } from './dto/theme.dto';

export interface ThemeUsage {
  formsCount: number;
  publishedFormsCount: number;
  lastUsed: string | null;
  formsList: { id: string; title: string; published: boolean; lastModified: string | null }[];
}

const notFound = () => new E2Exception(HttpStatus.NOT_FOUND, 'NOT_FOUND', 'Theme not found');

/** Form themes (legacy-api.md 3.3 F13-F20, 5.5). */
@Injectable()
export class ThemesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly references: IdentityReferences,
  ) {}

  private get repository() {
    return this.dataSource.getRepository(FormThemeEntity);
  }

  /** Every active theme, predefined and custom, most used first (legacy has no per-user filter). */
  listActive(): Promise<FormThemeEntity[]> {
    return this.repository.find({ where: { isActive: true }, order: { usageCount: 'DESC', createdAt: 'ASC' } });
  }

  async getActive(id: string): Promise<FormThemeEntity> {
    const theme = await this.repository.findOne({ where: { id, isActive: true } });
    if (!theme) throw notFound();
    return theme;
  }

  async create(user: AuthenticatedUser, input: Required<Pick<ThemeInput, 'name' | 'thumbnailUrl' | 'themeConfig'>> & ThemeInput): Promise<FormThemeEntity> {
    // App-layer foreign key: created_by / creator_id used to REFERENCE users(id).
    await this.references.requireActiveUser(user.id, 'createdBy');
    await this.assertNameFree(input.name);
    const rows: { id: string }[] = await this.dataSource.query(
      `INSERT INTO form_themes (name, description, thumbnail_url, theme_config, created_by, creator_id, is_custom, theme_definition)
       VALUES ($1, $2, $3, $4::jsonb, $5, $5, true, '{}'::jsonb)
       ON CONFLICT ON CONSTRAINT unique_form_themes_name DO NOTHING
       RETURNING id`,
      [input.name, input.description ?? null, input.thumbnailUrl, JSON.stringify(input.themeConfig), user.id],
    );
    if (!rows[0]) throw duplicateName();
    return this.repository.findOneOrFail({ where: { id: rows[0].id } });
  }

  /**
   * F17/F18 owner check: the creator or an admin. It runs before any validation and answers in
   * its own shapes; an id that is not a uuid cannot name a theme, so it is a 404 too.
   */
  async getEditable(id: string, user: AuthenticatedUser, action: 'edit' | 'delete'): Promise<FormThemeEntity> {
    const theme = isUuid(id) ? await this.repository.findOne({ where: { id, isActive: true } }) : null;
    if (!theme) throw ThemeOwnershipException.notFound();
    const owner = theme.createdBy ?? theme.creatorId;
    if (user.role !== 'admin' && owner !== user.id) throw ThemeOwnershipException.forbidden(action);
    return theme;
  }

  async update(theme: FormThemeEntity, input: ThemeInput): Promise<FormThemeEntity> {
    if (input.name !== undefined && input.name !== theme.name) await this.assertNameFree(input.name);
    const sets: string[] = [];
    const values: unknown[] = [];
    const set = (column: string, value: unknown, cast = '') => {
      values.push(value);
      sets.push(`${column} = $${values.length}${cast}`);
    };
    if (input.name !== undefined) set('name', input.name);
    if (input.description !== undefined) set('description', input.description);
    if (input.thumbnailUrl !== undefined) set('thumbnail_url', input.thumbnailUrl);
    if (input.themeConfig !== undefined) set('theme_config', JSON.stringify(input.themeConfig), '::jsonb');
    values.push(theme.id);
    try {
      await this.dataSource.query(`UPDATE form_themes SET ${sets.join(', ')}, updated_at = CURRENT_TIMESTAMP WHERE id = $${values.length}`, values);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw duplicateName();
      throw error;
    }
    return this.repository.findOneOrFail({ where: { id: theme.id } });
  }

  async softDelete(theme: FormThemeEntity): Promise<void> {
    await this.dataSource.query(`UPDATE form_themes SET is_active = false, updated_at = CURRENT_TIMESTAMP WHERE id = $1`, [theme.id]);
  }

  async apply(id: string): Promise<number> {
    // TypeORM answers an UPDATE ... RETURNING on PostgreSQL with [rows, affectedCount].
    const [rows]: [{ usage_count: number }[], number] = await this.dataSource.query(
      `UPDATE form_themes SET usage_count = usage_count + 1 WHERE id = $1 AND is_active = true RETURNING usage_count`,
      [id],
    );
    if (!rows[0]) throw notFound();
    return rows[0].usage_count;
  }

  /**
   * F20, which always failed in legacy (it selected a non-existent `forms.published`). Forms whose
   * schema uses the theme; "published" is `forms.status = 'published'`. The creator of the theme
   * and admins see every such form; anyone else only their own.
   */
  async usage(id: string, user: AuthenticatedUser): Promise<ThemeUsage> {
    const theme = await this.repository.findOne({ where: { id } });
    if (!theme) throw notFound();
    const seeAll = user.role === 'admin' || (theme.createdBy ?? theme.creatorId) === user.id;
    const rows: { id: string; title: string; status: string; updated_at: Date | null }[] = await this.dataSource.query(
      `SELECT f.id, f.title, f.status, f.updated_at
         FROM forms f
        WHERE EXISTS (SELECT 1 FROM form_schemas s WHERE s.form_id = f.id AND s.theme_id = $1)
          AND ($2::boolean OR f.user_id = $3)
        ORDER BY f.updated_at DESC NULLS LAST, f.id`,
      [id, seeAll, user.id],
    );
    const formsList = rows.map((row) => ({
      id: row.id,
      title: row.title,
      published: row.status === 'published',
      lastModified: row.updated_at ? new Date(row.updated_at).toISOString() : null,
    }));
    return {
      formsCount: formsList.length,
      publishedFormsCount: formsList.filter((form) => form.published).length,
      lastUsed: formsList[0]?.lastModified ?? null,
      formsList,
    };
  }

  private async assertNameFree(name: string): Promise<void> {
    const existing = await this.repository.findOne({ where: { name } });
    if (existing) throw duplicateName();
  }
}

function duplicateName() {
  // Legacy answered a duplicate name with a 500; the unique constraint is a client error.
  return new E2Exception(HttpStatus.CONFLICT, 'DUPLICATE_NAME', 'A theme with this name already exists');
}

