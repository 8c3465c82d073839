import { createZodDto, e1Ok, MaxBodyBytes, NotFoundError, RequireJson } from '@nafs/http';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';

import { Auth } from '../access/auth.guard';
import { Identity, type RequestIdentity } from '../access/request-identity';
import { clientMeta } from '../common/client-meta';
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
import { DevelopmentOnlyGuard, LoginLockGuard } from './login-lock.guard';

class RegisterDto extends createZodDto(registerSchema) {}
class LoginDto extends createZodDto(loginSchema) {}
class RefreshDto extends createZodDto(refreshSchema) {}
class LogoutDto extends createZodDto(logoutSchema) {}
class UpdateProfileDto extends createZodDto(updateProfileSchema) {}
class PasswordResetRequestDto extends createZodDto(passwordResetRequestSchema) {}
class ResetTokenDto extends createZodDto(resetTokenSchema) {}
class PasswordResetConfirmDto extends createZodDto(passwordResetConfirmSchema) {}
class UnlockDto extends createZodDto(unlockSchema) {}

const REGISTER_MAX_BYTES = 10 * 1024;
const RESET_REQUESTED = 'If the email address is associated with an account, a password reset link has been sent.';
const RESET_DONE = 'Password has been reset successfully. Please log in with your new password.';

/**
 * /api/v1/auth (legacy-api.md 3.1 A1-A13), E1 envelopes, V1 validation; the frontends' reset paths
 * too. The legacy 415 (non-JSON body), 413 (register over 10 KB) and 423 (locked login) answer
 * before validation, as guards.
 */
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
  // Guards run nearest-first: the 415, then the 413.
  @MaxBodyBytes(REGISTER_MAX_BYTES, 'Request body must not exceed 10 KB')
  @RequireJson()
  async register(@Body() input: RegisterDto, @Req() request: Request) {
    return e1Ok('User registered successfully', await this.auth.register(input, clientMeta(request)));
  }

  @Post('login')
  @HttpCode(200)
  @RequireJson()
  @UseGuards(LoginLockGuard)
  async login(@Body() input: LoginDto, @Req() request: Request) {
    return e1Ok('Login successful', await this.auth.login(input, clientMeta(request)));
  }

  @Post('refresh')
  @HttpCode(200)
  @RequireJson()
  async refresh(@Body() { refreshToken }: RefreshDto) {
    const tokens = await this.auth.refresh(refreshToken);
    // The form builder reads the tokens at the top level, the web app under `data` (frontend-contract 2.2).
    return e1Ok('Token refreshed successfully', tokens, tokens);
  }

  @Post('logout')
  @HttpCode(200)
  @RequireJson()
  async logout(@Body() { refreshToken }: LogoutDto, @Req() request: Request) {
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
  @RequireJson()
  async updateProfile(@Identity() identity: RequestIdentity, @Body() input: UpdateProfileDto) {
    return e1Ok('Profile updated successfully', await this.auth.updateProfile(identity, input));
  }

  @Get('me')
  @Auth()
  me(@Identity() identity: RequestIdentity) {
    return e1Ok('User information retrieved successfully', {
      id: identity.id,
      email: identity.email,
      role: identity.role,
      tenantId: identity.tenantId,
    });
  }

  @Post(['password-reset', 'password-reset-request'])
  @HttpCode(200)
  @RequireJson()
  async requestReset(@Body() { email }: PasswordResetRequestDto, @Req() request: Request) {
    await this.resets.request(email, clientMeta(request));
    return e1Ok(RESET_REQUESTED);
  }

  @Get('password-reset/validate/:token')
  async validateResetPath(@Param() { token }: ResetTokenDto) {
    return e1Ok('Reset token is valid', await this.resets.validate(token));
  }

  @Post('password-reset-validate')
  @HttpCode(200)
  async validateResetBody(@Body() { token }: ResetTokenDto) {
    return e1Ok('Reset token is valid', await this.resets.validate(token));
  }

  @Post(['password-reset/confirm', 'password-reset-confirm'])
  @HttpCode(200)
  @RequireJson()
  async confirmReset(@Body() { token, newPassword }: PasswordResetConfirmDto, @Req() request: Request) {
    await this.resets.confirm(token, newPassword, clientMeta(request));
    return e1Ok(RESET_DONE);
  }

  @Get('test-credentials')
  testCredentials() {
    if (this.config.NODE_ENV !== 'development')
      throw new NotFoundError('NOT_FOUND', 'Test credentials are only available in development mode');
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
  @RequireJson()
  @UseGuards(DevelopmentOnlyGuard)
  async unlock(@Body() { email }: UnlockDto) {
    return e1Ok('Account unlocked successfully', { email: LockoutService.keyOf(email), ...(await this.lockout.unlock(email)) });
  }
}
