import { IdentityReferences } from '@nafs/auth-client';
import { type AuthenticatedUser, isUuid } from '@nafs/contracts';
import { ConflictError, LegacyHttpException, NotFoundError } from '@nafs/http';
import { Injectable } from '@nestjs/common';

import type { CreateThemeInput, UpdateThemeInput } from './dto/theme.dto';
import type { FormThemeEntity } from './form-theme.entity';
import { ThemesRepository } from './themes.repository';

export interface ThemeUsage {
  formsCount: number;
  publishedFormsCount: number;
  lastUsed: string | null;
  formsList: { id: string; title: string; published: boolean; lastModified: string | null }[];
}

const notFound = () => new NotFoundError('NOT_FOUND', 'Theme not found');
// Legacy answered a duplicate name with a 500; the unique constraint is a client error.
const duplicateName = () => new ConflictError('DUPLICATE_NAME', 'A theme with this name already exists');

/** Form themes (legacy-api.md 3.3 F13-F20, 5.5). */
@Injectable()
export class ThemesService {
  constructor(
    private readonly themes: ThemesRepository,
    private readonly references: IdentityReferences,
  ) {}

  /** Every active theme, predefined and custom, most used first (legacy has no per-user filter). */
  listActive(): Promise<FormThemeEntity[]> {
    return this.themes.listActive();
  }

  async getActive(id: string): Promise<FormThemeEntity> {
    const theme = await this.themes.findActive(id);
    if (!theme) throw notFound();
    return theme;
  }

  async create(user: AuthenticatedUser, input: CreateThemeInput): Promise<FormThemeEntity> {
    // App-layer foreign key: created_by / creator_id used to REFERENCE users(id).
    await this.references.requireActiveUser(user.id, 'createdBy');
    if (await this.themes.nameTaken(input.name)) throw duplicateName();
    const theme = await this.themes.insert({ ...input, description: input.description ?? null, creatorId: user.id });
    if (!theme) throw duplicateName();
    return theme;
  }

  /**
   * F17/F18 owner check: the creator or an admin, in the legacy's own shapes (which are in no
   * family: 404 `{ error: { code, message }, timestamp }`, 403 without timestamp). An id that is
   * not a uuid cannot name a theme, so it is a 404 too.
   */
  async getEditable(id: string, user: AuthenticatedUser, action: 'edit' | 'delete'): Promise<FormThemeEntity> {
    const theme = isUuid(id) ? await this.themes.findActive(id) : null;
    if (!theme) throw new LegacyHttpException(404, { error: { code: 'NOT_FOUND', message: 'Theme not found' } });
    const owner = theme.createdBy ?? theme.creatorId;
    if (user.role !== 'admin' && owner !== user.id) {
      throw new LegacyHttpException(
        403,
        { error: { code: 'FORBIDDEN', message: `You can only ${action} your own themes` } },
        {},
        { timestamp: false },
      );
    }
    return theme;
  }

  async update(theme: FormThemeEntity, input: UpdateThemeInput): Promise<FormThemeEntity> {
    if (input.name !== undefined && input.name !== theme.name && (await this.themes.nameTaken(input.name))) throw duplicateName();
    try {
      return await this.themes.update(theme.id, input);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw duplicateName();
      throw error;
    }
  }

  softDelete(theme: FormThemeEntity): Promise<void> {
    return this.themes.deactivate(theme.id);
  }

  async apply(id: string): Promise<number> {
    const usageCount = await this.themes.incrementUsage(id);
    if (usageCount === null) throw notFound();
    return usageCount;
  }

  /**
   * F20, which always failed in legacy (it selected a non-existent `forms.published`). Forms whose
   * schema uses the theme; "published" is `forms.status = 'published'`. The creator of the theme
   * and admins see every such form; anyone else only their own.
   */
  async usage(id: string, user: AuthenticatedUser): Promise<ThemeUsage> {
    const theme = await this.themes.findById(id);
    if (!theme) throw notFound();
    const seeAll = user.role === 'admin' || (theme.createdBy ?? theme.creatorId) === user.id;
    const formsList = (await this.themes.formsUsing(id, seeAll ? null : user.id)).map((row) => ({
      id: row.id,
      title: row.title,
      published: row.status === 'published',
      lastModified: row.updatedAt ? new Date(row.updatedAt).toISOString() : null,
    }));
    return {
      formsCount: formsList.length,
      publishedFormsCount: formsList.filter((form) => form.published).length,
      lastUsed: formsList[0]?.lastModified ?? null,
      formsList,
    };
  }
}
