import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { Auth } from '../access/auth.guard';
import { Identity, type RequestIdentity } from '../access/request-identity';
import { clientMeta, e1Ok, requireJson } from '../common/http/envelopes';
import { e1 } from '../common/http/legacy-errors';
import { validate } from '../common/http/validation';
import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { LockoutService } from '../lockout/lockout.service';
import { PasswordResetsService } from '../password-resets/password-resets.service';
import {
  loginSchema,
  logoutSchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  refreshSchema,
  registerSchema,
  resetTokenSchema,
  unlockSchema,
  updateProfileSchema,
} from './auth.schemas';
import { AuthService } from './auth.service';

const REGISTER_MAX_BYTES = 10 * 1024;
const RESET_REQUESTED = 'If the email address is associated with an account, a password reset link has been sent.';
const RESET_DONE = 'Password has been reset successfully. Please log in with your new password.';

/** /api/v1/auth (legacy-api.md 3.1 A1-A13), E1 envelopes, V1 validation; the frontends' reset paths too. */
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly resets: PasswordResetsService,
    private readonly lockout: LockoutService,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  @Post('register')
  @HttpCode(201)
  async register(@Body() body: unknown, @Req() request: Request) {
    const input = validate(registerSchema, body, 'V1');
    requireJson(request);
    if (Number(request.headers['content-length'] ?? 0) > REGISTER_MAX_BYTES) throw e1(413, 'Request body must not exceed 10 KB');
    return e1Ok('User registered successfully', await this.auth.register(input, clientMeta(request)));
  }

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: unknown, @Req() request: Request) {
    await this.assertNotLocked(body);
    const input = validate(loginSchema, body, 'V1');
    requireJson(request);
    return e1Ok('Login successful', await this.auth.login(input, clientMeta(request)));
  }

  @Post('refresh')
  @HttpCode(200)
  async refresh(@Body() body: unknown, @Req() request: Request) {
    const { refreshToken } = validate(refreshSchema, body, 'V1');
    requireJson(request);
    const tokens = await this.auth.refresh(refreshToken);
    // The form builder reads the tokens at the top level, the web app under `data` (frontend-contract 2.2).
    return e1Ok('Token refreshed successfully', tokens, tokens);
  }

  @Post('logout')
  @HttpCode(200)
  async logout(@Body() body: unknown, @Req() request: Request) {
    requireJson(request);
    const { refreshToken } = validate(logoutSchema, body, 'V1');
    await this.auth.logout(refreshToken, clientMeta(request));
    return e1Ok('Logged out successfully');
  }

  @Post('logout-all')
  @HttpCode(200)
  @Auth()
  async logoutAll(@Identity() identity: RequestIdentity, @Req() request: Request) {
    const sessionsDeleted = await this.auth.logoutAll(identity, clientMeta(request));
    return e1Ok('Logged out from all devices successfully', { sessionsDeleted });
  }

  @Get('profile')
  @Auth()
  async profile(@Identity() identity: RequestIdentity) {
    return e1Ok('Profile retrieved successfully', await this.auth.profile(identity));
  }

  @Patch('profile')
  @Auth()
  async updateProfile(@Identity() identity: RequestIdentity, @Body() body: unknown, @Req() request: Request) {
    const input = validate(updateProfileSchema, body, 'V1');
    requireJson(request);
    return e1Ok('Profile updated successfully', await this.auth.updateProfile(identity, input));
  }

  @Get('me')
  @Auth()
  me(@Identity() identity: RequestIdentity) {
    return e1Ok('User information retrieved successfully', { id: identity.id, email: identity.email, role: identity.role, tenantId: identity.tenantId });
  }

  @Post(['password-reset', 'password-reset-request'])
  @HttpCode(200)
  async requestReset(@Body() body: unknown, @Req() request: Request) {
    const { email } = validate(passwordResetRequestSchema, body, 'V1');
    requireJson(request);
    await this.resets.request(email, clientMeta(request));
    return e1Ok(RESET_REQUESTED);
  }

  @Get('password-reset/validate/:token')
  async validateResetPath(@Param() params: unknown) {
    const { token } = validate(resetTokenSchema, params, 'V1');
    return e1Ok('Reset token is valid', await this.resets.validate(token));
  }

  @Post('password-reset-validate')
  @HttpCode(200)
  async validateResetBody(@Body() body: unknown) {
    const { token } = validate(resetTokenSchema, body, 'V1');
    return e1Ok('Reset token is valid', await this.resets.validate(token));
  }

  @Post(['password-reset/confirm', 'password-reset-confirm'])
  @HttpCode(200)
  async confirmReset(@Body() body: unknown, @Req() request: Request) {
    const { token, newPassword } = validate(passwordResetConfirmSchema, body, 'V1');
    requireJson(request);
    await this.resets.confirm(token, newPassword, clientMeta(request));
    return e1Ok(RESET_DONE);
  }

  @Get('test-credentials')
  testCredentials() {
    if (this.config.NODE_ENV !== 'development') throw e1(404, 'Test credentials are only available in development mode');
    return e1Ok('Test credentials retrieved successfully', {
      credentials: [
        { email: 'admin@example.com', password: 'User123!@#', role: 'admin', description: 'Administrator with full access' },
        { email: 'user@example.com', password: 'User123!@#', role: 'user', description: 'Standard user' },
        { email: 'readonly@example.com', password: 'User123!@#', role: 'readonly', description: 'Read-only user' },
      ],
      notice: 'These credentials are for development only and are not available in other environments.',
      environment: this.config.NODE_ENV,
    });
  }

  @Post('dev/unlock-account')
  @HttpCode(200)
  async unlock(@Body() body: unknown, @Req() request: Request) {
    if (this.config.NODE_ENV !== 'development') throw e1(404, 'This endpoint is only available in development mode');
    requireJson(request);
    const { email } = validate(unlockSchema, body, 'V1');
    return e1Ok('Account unlocked successfully', { email: LockoutService.keyOf(email), ...(await this.lockout.unlock(email)) });
  }

  /** Runs before validation, as in legacy (A2): a locked account answers 423 whatever the body. */
  private async assertNotLocked(body: unknown): Promise<void> {
    const email = (body as { email?: unknown } | undefined)?.email;
    if (typeof email !== 'string' || !email.trim()) return;
    const state = await this.lockout.state(email);
    if (!state.locked || !state.lockedUntil) return;
    const minutes = Math.max(1, Math.ceil((state.lockedUntil.getTime() - Date.now()) / 60_000));
    throw e1(423, `Account is temporarily locked due to too many failed login attempts. Please try again in ${minutes} minutes.`, { lockedUntil: state.lockedUntil.toISOString() });
  }
}
