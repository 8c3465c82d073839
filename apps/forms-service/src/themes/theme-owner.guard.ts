import type { AuthenticatedUser } from '@nafs/contracts';
import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';

import type { FormThemeEntity } from './form-theme.entity';
import { ThemesService } from './themes.service';

const EDITABLE_THEME = 'nafs:editable-theme';

/**
 * F17/F18's owner check, as a guard so it answers before the body is validated (legacy order):
 * the creator or an admin; its own 404/403 shapes. The theme is kept for the handler.
 */
@Injectable()
export class ThemeOwnerGuard implements CanActivate {
  constructor(private readonly themes: ThemesService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & { user: AuthenticatedUser }>();
    const action = request.method === 'DELETE' ? 'delete' : 'edit';
    const id = String(request.params.id ?? '');
    (request as unknown as Record<string, unknown>)[EDITABLE_THEME] = await this.themes.getEditable(id, request.user, action);
    return true;
  }
}

/** The theme ThemeOwnerGuard checked. */
export const EditableTheme = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    (context.switchToHttp().getRequest() as Record<string, unknown>)[EDITABLE_THEME] as FormThemeEntity,
);
