import { Inject, Injectable } from '@nestjs/common';
import { isUuid } from '@nafs/contracts';
import { BadRequestError, GoneError, NotFoundError } from '@nafs/http';
import { FORMS_CONFIG } from '../config/forms-config.module';
import type { FormsConfig } from '../config/forms.config';
import { QrCodes } from './qr-codes';
import type { ShortLinkEntity } from './short-link.entity';
import { CODE_ATTEMPTS, generateCode } from './short-link-codes';
import { ShortLinksRepository } from './short-links.repository';

export interface EnsureFormLinkInput {
  /** The published schema version (`form_schemas.id`, as in the render token); a `forms.id` resolves to its latest published version. */
  formId: string;
  userId: string;
  /** Where `/s/<code>` redirects: the render URL with the token. */
  originalUrl: string;
  expiresAt: Date | null;
}

export interface FormLink {
  code: string;
  /** `<FRONTEND_URL>/public/form/<code>` (legacy F3 `shortUrl`). */
  shortUrl: string;
  /** Stored QR PNG of `shortUrl` (192 px), null when it could not be stored. */
  qrCodeUrl: string | null;
}

/** Short links: form links minted at publish (legacy 5.3) and resolution for `/s/:code` and F27. */
@Injectable()
export class ShortLinksService {
  private readonly frontendUrl: string;
  private readonly baseUrl: string;

  constructor(
    private readonly links: ShortLinksRepository,
    private readonly qrCodes: QrCodes,
    @Inject(FORMS_CONFIG) config: FormsConfig,
  ) {
    this.frontendUrl = config.FRONTEND_URL.replace(/\/+$/, '');
    this.baseUrl = config.SHORT_LINK_BASE_URL.replace(/\/+$/, '');
  }

  /**
   * Reuses the schema version's link (pointing it at the new target and expiry) or mints one,
   * then stores a fresh QR code of its short URL. Serialised per schema version, so two
   * concurrent publishes of one version share one code.
   */
  async ensureForForm({ formId, userId, originalUrl, expiresAt }: EnsureFormLinkInput): Promise<FormLink> {
    if (!isUuid(formId)) throw new NotFoundError('FORM_NOT_FOUND', 'Form not found');
    const link = await this.links.transaction(async (manager) => {
      const schemaId = (await this.links.resolveSchemaId(formId, manager)) ?? formId;
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`short-link:${schemaId}`]);
      const existing = await this.links.findForSchema(schemaId, manager);
      if (existing) {
        await this.links.updateTarget(existing.id, originalUrl, expiresAt, manager);
        return existing;
      }
      return this.mint({ originalUrl, expiresAt, createdBy: userId, formSchemaId: schemaId }, manager);
    });
    const shortUrl = `${this.frontendUrl}/public/form/${link.code}`;
    const qr = await this.qrCodes.create(shortUrl, `qr-codes/form-${link.code}-${Date.now()}.png`, 192);
    return { code: link.code, shortUrl, qrCodeUrl: qr?.url ?? null };
  }

  /** `<SHORT_LINK_BASE_URL>/s/<code>`. */
  redirectUrl(code: string): string {
    return `${this.baseUrl}/s/${code}`;
  }

  /** Counts a click and returns the link; unknown → 404, expired → 410 (details as F27/F29). */
  async resolve(code: string, messages: { expired: string } = { expired: 'Short link has expired' }): Promise<ShortLinkEntity> {
    const found = await this.links.recordClick(code);
    if (!found) throw new NotFoundError('LINK_NOT_FOUND', 'Short link not found', { code });
    if (found.expired) throw new GoneError('LINK_EXPIRED', messages.expired, { code, expiredAt: found.link.expiresAt });
    return found.link;
  }

  /** Inserts with a fresh generated code, retrying on collisions (legacy: up to 10 attempts). */
  async mint(
    link: { originalUrl: string; expiresAt: Date | null; createdBy: string | null; formSchemaId: string | null },
    manager?: Parameters<ShortLinksRepository['insertIfCodeFree']>[1],
  ): Promise<ShortLinkEntity> {
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const inserted = await this.links.insertIfCodeFree({ ...link, code: generateCode() }, manager);
      if (inserted) return inserted;
    }
    throw new BadRequestError('CODE_GENERATION_FAILED', 'Could not generate a unique short code');
  }
}
