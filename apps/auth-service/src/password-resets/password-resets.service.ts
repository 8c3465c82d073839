import { createHash, randomBytes } from 'node:crypto';

import { BadRequestError } from '@nafs/http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { hash } from 'bcrypt';
import { DataSource } from 'typeorm';

import { AuditLogsService } from '../audit-logs/audit-logs.service';
import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';
import { MailService } from '../mail/mail.service';
import type { ClientMeta } from '../sessions/sessions.service';
import { SessionsService } from '../sessions/sessions.service';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import type { PasswordResetEntity } from './password-reset.entity';
import { PasswordResetsRepository } from './password-resets.repository';

const RESET_LIFETIME_MS = 60 * 60 * 1000;
const DELIVERY_DELAY_MS = 20;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Password reset (legacy-api.md 2.6). Change: the table stores the sha256 of new tokens instead of
 * the plaintext (a database leak no longer hands out reset links); legacy rows still hold
 * plaintext, so a lookup matches either form.
 */
@Injectable()
export class PasswordResetsService {
  private readonly logger = new Logger(PasswordResetsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly resets: PasswordResetsRepository,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly mail: MailService,
    private readonly audit: AuditLogsService,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  /**
   * Always succeeds from the caller's point of view: whether the address exists is not revealed,
   * not even by timing (issue 17.8). Known or not, the request does the same work before answering
   * (one lookup); storing the token, mailing the link and the audit row run after the answer, their
   * failures logged.
   */
  async request(email: string, meta: ClientMeta): Promise<void> {
    const user = (await this.users.findByEmail(email)).find((candidate) => candidate.isActive === true);
    if (!user) return;
    // Queued a moment after the answer has gone out, so its work does not delay the answer either.
    setTimeout(() => {
      this.deliver(user, meta).catch((error) =>
        this.logger.error(`password-reset request of user ${user.id} failed: ${(error as Error).message}`),
      );
    }, DELIVERY_DELAY_MS);
  }

  private async deliver(user: UserEntity, meta: ClientMeta): Promise<void> {
    const token = randomBytes(32).toString('hex');
    await this.resets.replaceForUser(user.id, sha256(token), new Date(Date.now() + RESET_LIFETIME_MS));
    const link = `${this.config.FRONTEND_URL.replace(/\/+$/, '')}/auth/password-reset-confirm/${token}`;
    try {
      await this.mail.send({
        to: user.email,
        subject: 'Reset your password',
        text: `Hello ${user.firstName},\n\nUse this link within one hour to choose a new password:\n${link}\n\nIf you did not ask for this, ignore this message.`,
      });
    } catch (error) {
      // Legacy answered 500 here, which told the caller the address exists.
      this.logger.error(`password-reset mail to user ${user.id} failed: ${(error as Error).message}`);
    }
    await this.audit.record({
      userId: user.id,
      tenantId: user.tenantId,
      action: 'PASSWORD_RESET_REQUEST',
      resourceType: 'auth',
      resourceId: user.id,
      meta,
    });
  }

  /** A10: valid means known, unused and unexpired; it is not consumed. */
  async validate(token: string): Promise<{ valid: true; expiresAt: Date }> {
    const row = await this.find(token);
    if (!row || row.used === true || row.expiresAt.getTime() <= Date.now())
      throw new BadRequestError('BAD_REQUEST', 'Invalid or expired reset token');
    return { valid: true, expiresAt: row.expiresAt };
  }

  async confirm(token: string, newPassword: string, meta: ClientMeta): Promise<void> {
    const row = await this.find(token);
    if (!row) throw new BadRequestError('BAD_REQUEST', 'Invalid or expired reset token');
    if (row.used === true || row.expiresAt.getTime() <= Date.now()) {
      await this.resets.delete(row.id);
      throw new BadRequestError('BAD_REQUEST', 'Reset token has expired or been used');
    }
    const user = await this.users.findById(row.userId);
    if (!user || user.isActive !== true) throw new BadRequestError('BAD_REQUEST', 'Invalid or expired reset token');
    // Legacy does not sanitise here (2.5): the password is hashed exactly as typed.
    const passwordHash = await hash(newPassword, this.config.BCRYPT_ROUNDS);
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.resets.claim(manager, row.id))) throw new BadRequestError('BAD_REQUEST', 'Reset token has expired or been used');
      await this.users.setPasswordHash(manager, user.id, passwordHash);
      await this.sessions.deleteAllOf(user.id, manager);
      await this.audit.record(
        {
          userId: user.id,
          tenantId: user.tenantId,
          action: 'PASSWORD_RESET',
          resourceType: 'auth',
          resourceId: user.id,
          changes: { success: true },
          meta,
        },
        manager,
      );
    });
  }

  private find(token: string): Promise<PasswordResetEntity | null> {
    return this.resets.findByToken([token, sha256(token)]);
  }
}
