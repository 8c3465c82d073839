import { UserDeletionHandler } from '@nafs/events';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The legacy ON DELETE rules of forms' former foreign keys to users (CROSS_SERVICE_REFERENCES):
 * forms.user_id CASCADE (the in-database foreign keys take form_schemas, their form_submissions
 * and short_links with it); form_themes.created_by, form_themes.creator_id,
 * form_submissions.user_id and short_links.created_by SET NULL.
 *
 * Legacy hazard F17: `check_custom_theme_requirements` requires creator_id on a custom theme
 * (is_custom = true), so legacy's SET NULL on creator_id violated it and the user could not be
 * deleted at all. Here auth has already deleted the user, so forms must do something with the
 * user's custom themes before the SET NULL:
 * - not used by any remaining form schema (the user's own forms are gone by then): deleted, like
 *   the rest of the user's content;
 * - still used by someone else's form schema: kept, so those forms keep rendering exactly as
 *   before (render-by-token embeds inactive themes), but retired: is_active = false (the same soft
 *   delete F18 does, so nobody can pick it anew), and detached from the deleted user
 *   (is_custom = false, creator_id = created_by = NULL), which satisfies the CHECK and leaves no
 *   reference to a user who no longer exists. Only admins can edit a theme without a creator.
 */
@Injectable()
export class FormsUserDeletionHandler extends UserDeletionHandler {
  constructor() {
    super('forms');
  }

  protected override async beforeSetNull(manager: EntityManager, userId: string): Promise<string> {
    const [deleted] = (await manager.query(
      `WITH affected AS (
         DELETE FROM form_themes t
          WHERE t.is_custom AND t.creator_id = $1
            AND NOT EXISTS (
              SELECT 1 FROM form_schemas s
               WHERE s.theme_id = t.id OR s.schema_json -> 'settings' ->> 'themeId' = t.id::text)
         RETURNING 1)
       SELECT count(*)::int AS rows FROM affected`,
      [userId],
    )) as { rows: number }[];
    const [retired] = (await manager.query(
      `WITH affected AS (
         UPDATE form_themes SET is_active = false, is_custom = false, creator_id = NULL, created_by = NULL
          WHERE is_custom AND creator_id = $1
         RETURNING 1)
       SELECT count(*)::int AS rows FROM affected`,
      [userId],
    )) as { rows: number }[];
    return `custom themes deleted: ${deleted.rows}, retired: ${retired.rows}`;
  }
}
