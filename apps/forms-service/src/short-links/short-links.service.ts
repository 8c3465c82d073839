import { isUuid } from '@nafs/contracts';
import { BadRequestError, ForbiddenError, GoneError, NotFoundError } from '@nafs/http';
import { Inject, Injectable } from '@nestjs/common';

import type { FormsConfig } from '../config/forms.config';
import { FORMS_CONFIG } from '../config/forms-config.module';
import { ToolFlagsService } from '../tool-flags/tool-flags.service';
import { QrCodes } from './qr-codes';
import type { ShortLinkEntity } from './short-link.entity';
import { CODE_ATTEMPTS, customNameProblem, generateCode } from './short-link-codes';
import { ShortLinksRepository } from './short-links.repository';
import { checkTargetUrl } from './url-rules';

export interface EnsureFormLinkInput {
  /** The published schema version (`form_schemas.id`, as in the render token); a `forms.id` resolves to its latest published version. */
  formId: string;
  userId: string;
  /** Where `/s/<code>` redirects: the render URL with the token. */
  originalUrl: string;
  expiresAt: Date | null;
}

export interface CreateShortLinkInput {
  originalUrl: string;
  expiresAt?: string | null;
  customName?: string;
}

/** The legacy ShortLink DTO (legacy-api.md 3.3). */
export function toShortLinkDto(link: ShortLinkEntity) {
  return {
    id: link.id,
    code: link.code,
    originalUrl: link.originalUrl,
    qrCodeUrl: link.qrCodeUrl,
    expiresAt: link.expiresAt,
    createdBy: link.createdBy,
    clickCount: link.clickCount,
    lastAccessedAt: link.lastAccessed,
    createdAt: link.createdAt,
    updatedAt: link.updatedAt,
  };
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
  private readonly production: boolean;

  constructor(
    private readonly links: ShortLinksRepository,
    private readonly qrCodes: QrCodes,
    private readonly tools: ToolFlagsService,
    @Inject(FORMS_CONFIG) config: FormsConfig,
  ) {
    this.frontendUrl = config.FRONTEND_URL.replace(/\/+$/, '');
    this.baseUrl = config.SHORT_LINK_BASE_URL.replace(/\/+$/, '');
    this.production = config.NODE_ENV === 'production';
  }

  /** F24: a tool link (needs web's `short-link` tool active, from the local read model). */
  async create(userId: string, input: CreateShortLinkInput) {
    const target = checkTargetUrl(input.originalUrl, this.production);
    if (!target.ok) throw new BadRequestError(target.code, target.message);
    if (target.url.length > 2048) throw new BadRequestError('INVALID_URL', 'URL must be between 10 and 2048 characters');
    if (!(await this.tools.isActive('short-link'))) throw new ForbiddenError('TOOL_DISABLED', 'Short link tool is currently disabled');
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    let link: ShortLinkEntity;
    if (input.customName !== undefined && input.customName !== '') {
      const problem = customNameProblem(input.customName);
      if (problem) throw new BadRequestError('CUSTOM_NAME_ERROR', problem);
      const inserted = await this.links.insertIfCodeFree({
        code: input.customName.toLowerCase(),
        originalUrl: target.url,
        expiresAt,
        createdBy: userId,
        formSchemaId: null,
      });
      if (!inserted) throw new BadRequestError('CUSTOM_NAME_ERROR', 'Custom name is already taken');
      link = inserted;
    } else {
      link = await this.mint({ originalUrl: target.url, expiresAt, createdBy: userId, formSchemaId: null });
    }
    const shortUrl = this.redirectUrl(link.code);
    const qr = await this.qrCodes.create(shortUrl, `qr-codes/qr-${link.code}.png`, 300);
    if (qr?.url) {
      await this.links.setQrCodeUrl(link.id, qr.url);
      link.qrCodeUrl = qr.url;
    }
    return {
      shortLink: toShortLinkDto(link),
      shortUrl,
      ...(qr ? { qrCodeDataUrl: qr.dataUrl } : {}),
      ...(qr?.url ? { qrCodeUrl: qr.url } : {}),
    };
  }

  /** F25: the caller's links, form links included. */
  async list(userId: string, limit: number, offset: number) {
    const links = await this.links.listByCreator(userId, limit, offset);
    return { shortLinks: links.map((link) => ({ ...toShortLinkDto(link), shortUrl: this.redirectUrl(link.code) })) };
  }

  /** F26: format problems are `valid: false`, not HTTP errors. */
  async checkAvailability(name: string): Promise<{ available: boolean; valid: boolean; error?: string }> {
    const problem = customNameProblem(name);
    if (problem) return { available: false, valid: false, error: problem };
    const taken = await this.links.codeExists(name.toLowerCase());
    return taken ? { available: false, valid: true, error: 'Custom name is already taken' } : { available: true, valid: true };
  }

  /** F28. */
  preview(url: unknown): { valid: boolean; sanitizedUrl: string; domain: string; isSecure: boolean } {
    if (typeof url !== 'string' || url === '') throw new BadRequestError('INVALID_REQUEST', 'URL is required');
    const target = url.length <= 2048 ? checkTargetUrl(url, this.production) : null;
    if (!target?.ok) return { valid: false, sanitizedUrl: '', domain: '', isSecure: false };
    return { valid: true, sanitizedUrl: target.url, domain: target.host, isSecure: target.secure };
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
      await this.links.lockSchemaLinks(schemaId, manager);
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
