import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import type { FamilyChoice } from './families';

export const LEGACY_FAMILY = 'nafs:legacy-family';

/**
 * A handler or controller that answers in other families than its route prefix's
 * (`LegacyHttpModule.forRoot({ routes })`). Only the given fields change.
 */
export const LegacyFamily = (choice: Partial<FamilyChoice>) => SetMetadata(LEGACY_FAMILY, choice);

/** Where the filter finds the handler's `@LegacyFamily`: Nest gives exception filters no handler for HTTP errors. */
export const familyOverrideOf = (request: object): Partial<FamilyChoice> | undefined =>
  (request as Record<string, Partial<FamilyChoice> | undefined>)[LEGACY_FAMILY];

/**
 * A global guard that allows everything; it runs before the controller's guards and pipes and
 * notes the handler's `@LegacyFamily` on the request for the filter.
 */
@Injectable()
export class LegacyFamilyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const choice = this.reflector.getAllAndOverride<Partial<FamilyChoice> | undefined>(LEGACY_FAMILY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (choice) (context.switchToHttp().getRequest() as Record<string, unknown>)[LEGACY_FAMILY] = choice;
    return true;
  }
}
