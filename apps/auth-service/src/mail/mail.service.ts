import { Inject, Injectable, Logger } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';

import { AUTH_CONFIG, type AuthConfig } from '../config/auth.config';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

const KEPT_MESSAGES = 50;

/**
 * Sends mail through SMTP when SMTP_HOST is set. Otherwise (the default, like the legacy mock)
 * it logs that a message was sent, without its content, and keeps the last few messages in memory
 * so tests and local development can read them.
 */
@Injectable()
export class MailService {
  private readonly logger = new Logger(MailService.name);
  private readonly transport: Transporter | null;
  readonly recent: MailMessage[] = [];

  constructor(@Inject(AUTH_CONFIG) private readonly config: AuthConfig) {
    this.transport = config.SMTP_HOST
      ? createTransport({
          host: config.SMTP_HOST,
          port: config.SMTP_PORT,
          secure: config.SMTP_SECURE,
          auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } : undefined,
        })
      : null;
  }

  async send(message: MailMessage): Promise<void> {
    if (this.transport) {
      await this.transport.sendMail({ from: this.config.MAIL_FROM, ...message });
      return;
    }
    this.recent.push(message);
    if (this.recent.length > KEPT_MESSAGES) this.recent.shift();
    this.logger.log(`mail (log transport) to ${message.to}: ${message.subject}`);
  }
}
