import { LockedError, NotFoundError } from '@nafs/http';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';

import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { LockoutService } from '../lockout/lockout.service';

/** A2's lockout check, before validation as in legacy: a locked account answers 423 whatever the body. */
@Injectable()
export class LoginLockGuard implements CanActivate {
  constructor(private readonly lockout: LockoutService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const email = (context.switchToHttp().getRequest<Request>().body as { email?: unknown } | undefined)?.email;
    if (typeof email !== 'string' || !email.trim()) return true;
    const state = await this.lockout.state(email);
    if (!state.locked || !state.lockedUntil) return true;
    const minutes = Math.max(1, Math.ceil((state.lockedUntil.getTime() - Date.now()) / 60_000));
    throw new LockedError(
      'ACCOUNT_LOCKED',
      `Account is temporarily locked due to too many failed login attempts. Please try again in ${minutes} minutes.`,
      {
        lockedUntil: state.lockedUntil.toISOString(),
      },
    );
  }
}

/** A12 exists only in development: elsewhere a 404, before anything else is checked. */
@Injectable()
export class DevelopmentOnlyGuard implements CanActivate {
  constructor(@Inject(AUTH_CONFIG) private readonly config: AuthConfig) {}

  canActivate(): boolean {
    if (this.config.NODE_ENV !== 'development') throw new NotFoundError('NOT_FOUND', 'This endpoint is only available in development mode');
    return true;
  }
}
