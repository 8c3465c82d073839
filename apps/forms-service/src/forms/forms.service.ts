import { IdentityReferenceError, IdentityReferences } from '@nafs/auth-client';
import type { AuthenticatedUser } from '@nafs/contracts';
import { BadRequestError, escapeHtml, ForbiddenError, NotFoundError, ServiceUnavailableError } from '@nafs/http';
import { checkImage, type ObjectStorage } from '@nafs/storage';
import { Inject, Injectable, Logger } from '@nestjs/common';

import type { FormsConfig } from '../config/forms.config';
import { FORMS_CONFIG } from '../config/forms-config.module';
import { RenderTokenService } from '../render-tokens/render-token.service';
import { ShortLinksService } from '../short-links/short-links.service';
import type { FormThemeEntity } from '../themes/form-theme.entity';
import { normaliseSettings, publishProblems } from './dto/form-schema.rules';
import type { FormEntity } from './form.entity';
import type { FormSchemaEntity } from './form-schema.entity';
import { type FormScope, FormsRepository } from './forms.repository';

export const FORMS_STORAGE = Symbol('FORMS_STORAGE');

export interface SchemaInput {
  fields?: Record<string, unknown>[];
  settings?: Record<string, unknown>;
  themeId?: string | null;
  version?: number;
  category?: string;
  [key: string]: unknown;
}

export interface FormInput {
  title?: string;
  description?: string | null;
  status?: 'draft' | 'published';
  themeId?: string | null;
  schema?: SchemaInput;
}

export interface UploadedImage {
  mimetype: string;
  size: number;
  buffer: Buffer;
  originalname?: string;
}

type Access = 'read' | 'owner';

/** Forms F1–F12: the rules (ownership, versions, publishing); SQL is in FormsRepository. */
@Injectable()
export class FormsService {
  private readonly logger = new Logger(FormsService.name);
  private readonly frontendUrl: string;

  constructor(
    private readonly forms: FormsRepository,
    private readonly references: IdentityReferences,
    private readonly renderTokens: RenderTokenService,
    private readonly shortLinks: ShortLinksService,
    @Inject(FORMS_STORAGE) private readonly storage: ObjectStorage,
    @Inject(FORMS_CONFIG) config: FormsConfig,
  ) {
    this.frontendUrl = config.FRONTEND_URL.replace(/\/+$/, '');
  }

  renderUrl(token: string): string {
    return `${this.frontendUrl}/forms/render/${token}`;
  }

  /** §5.4: the owner always; a tenant admin for read/update/delete/submissions within the tenant. */
  async load(user: AuthenticatedUser, id: string, access: Access): Promise<FormEntity> {
    return this.authorize(user, await this.forms.findForm(id), access);
  }

  /** The owner, or for reads a tenant admin of the form's tenant; anyone else is refused. */
  private authorize(user: AuthenticatedUser, form: FormEntity | null, access: Access): FormEntity {
    if (!form) throw new NotFoundError('FORM_NOT_FOUND', 'Form not found');
    if (form.userId === user.id) return form;
    const tenantAdmin = access === 'read' && user.role === 'admin' && user.tenantId !== null && form.tenantId === user.tenantId;
    if (!tenantAdmin) throw new ForbiddenError('FORBIDDEN', 'You do not have permission to access this form');
    return form;
  }

  async create(user: AuthenticatedUser, input: FormInput & { title: string }) {
    await this.checkIdentity(user);
    const theme = await this.checkTheme(input);
    return this.forms.transaction(async (manager) => {
      const form = await this.forms.insertForm(
        {
          userId: user.id,
          tenantId: user.tenantId,
          title: escapeHtml(input.title),
          description: input.description === undefined || input.description === null ? null : escapeHtml(input.description),
          status: input.status ?? 'draft',
        },
        manager,
      );
      let schema: FormSchemaEntity | null = null;
      if (input.schema) {
        schema = await this.forms.insertSchema(
          {
            formId: form.id,
            schemaVersion: input.schema.version ?? 1,
            schemaJson: this.schemaJson(input.schema),
            isPublished: false,
            themeId: theme?.id ?? null,
          },
          manager,
        );
      }
      return { form, schema, theme };
    });
  }

  async list(user: AuthenticatedUser, page: number, limit: number) {
    const scope: FormScope = user.role === 'admin' && user.tenantId ? { tenantId: user.tenantId } : { userId: user.id };
    return this.forms.list(scope, page, limit);
  }

  async get(user: AuthenticatedUser, id: string) {
    const row = await this.forms.findWithLatest(id);
    const form = this.authorize(user, row?.form ?? null, 'read');
    const schema = row?.schema ?? null;
    // The owner view embeds the theme even when it has been soft-deleted (legacy 5.4).
    const theme = schema?.themeId ? await this.forms.findTheme(schema.themeId) : null;
    return { form, schema, theme, shortCode: row?.shortCode ?? null };
  }

  async update(user: AuthenticatedUser, id: string, input: FormInput) {
    const form = await this.load(user, id, 'read');
    const theme = input.schema ? await this.checkTheme(input) : null;
    return this.forms.transaction(async (manager) => {
      const patch: Partial<FormEntity> = {};
      if (input.title !== undefined) patch.title = escapeHtml(input.title);
      if (input.description !== undefined) patch.description = input.description === null ? null : escapeHtml(input.description);
      if (input.status !== undefined) patch.status = input.status;
      await this.forms.lockForm(form.id, manager);
      const latest = await this.forms.latestSchema(form.id, manager);
      let schema = latest;
      if (input.schema) {
        const previous = (latest?.schemaJson ?? {}) as Record<string, unknown>;
        const merged: SchemaInput = {
          ...input.schema,
          fields: input.schema.fields ?? (previous.fields as SchemaInput['fields']),
          settings: input.schema.settings ?? (previous.settings as SchemaInput['settings']),
          category: input.schema.category ?? (previous.category as string | undefined),
        };
        const themeId = theme?.id ?? (hasThemeChoice(input) ? null : (latest?.themeId ?? null));
        schema = await this.forms.insertSchema(
          {
            formId: form.id,
            schemaVersion: input.schema.version ?? (latest?.schemaVersion ?? 0) + 1,
            schemaJson: this.schemaJson(merged),
            isPublished: false,
            themeId,
          },
          manager,
        );
      }
      const updated = await this.forms.updateForm(form.id, patch, manager);
      const schemaTheme = schema?.themeId ? (theme ?? (await this.forms.findTheme(schema.themeId))) : null;
      return { form: updated, schema, theme: schemaTheme };
    });
  }

  async remove(user: AuthenticatedUser, id: string): Promise<void> {
    const form = await this.load(user, id, 'read');
    await this.forms.deleteForm(form.id);
  }

  async publish(user: AuthenticatedUser, id: string, input: { expiresInDays?: number; iframeEmbedOptions?: Record<string, unknown> }) {
    const form = await this.load(user, id, 'owner');
    const latest = await this.forms.latestSchema(form.id);
    if (!latest) throw new BadRequestError('NO_SCHEMA', 'Form has no schema versions');
    const problems = publishProblems((latest.schemaJson ?? {}) as Record<string, unknown>);
    if (problems.length) throw new BadRequestError('SCHEMA_INVALID', `Schema validation failed: ${problems.slice(0, 10).join(', ')}`);
    const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
    const token = this.renderTokens.sign(latest.id, expiresAt);
    const renderUrl = this.renderUrl(token);
    const { formRow, schema } = await this.forms.transaction(async (manager) => {
      const json = { ...((latest.schemaJson ?? {}) as Record<string, unknown>) };
      if (input.iframeEmbedOptions) json.iframeEmbedOptions = input.iframeEmbedOptions;
      const schema = await this.forms.updateSchema(
        latest.id,
        { isPublished: true, renderToken: token, expiresAt, schemaJson: json },
        manager,
      );
      const formRow = await this.forms.updateForm(form.id, { status: 'published' }, manager);
      return { formRow, schema };
    });
    // Steps 5 and 6 never fail the publish (legacy): the render URL stands in for the short URL.
    let shortUrl = renderUrl;
    let shortCode = '';
    let qrCodeUrl: string | null = null;
    try {
      const link = await this.shortLinks.ensureForForm({ formId: schema.id, userId: user.id, originalUrl: renderUrl, expiresAt });
      shortUrl = link.shortUrl;
      shortCode = link.code;
      qrCodeUrl = link.qrCodeUrl;
    } catch (error) {
      this.logger.warn(`short link for form ${form.id} failed: ${(error as Error).message}`);
    }
    let saved = formRow;
    if (qrCodeUrl) saved = await this.forms.updateForm(form.id, { qrCodeUrl });
    const theme = schema.themeId ? await this.forms.findTheme(schema.themeId) : null;
    return { form: saved, schema, theme, renderUrl, shortUrl, shortCode, qrCodeUrl, qrCodeGenerated: qrCodeUrl !== null };
  }

  async unpublish(user: AuthenticatedUser, id: string): Promise<FormEntity> {
    const form = await this.load(user, id, 'owner');
    const updated = await this.forms.transaction(async (manager) => {
      const published = await this.forms.newestPublishedSchema(form.id, manager);
      if (published) await this.forms.updateSchema(published.id, { isPublished: false }, manager);
      return this.forms.updateForm(form.id, { status: 'draft' }, manager);
    });
    // The QR object goes; the column keeps its URL (legacy 3.3 F4).
    const key = form.qrCodeUrl ? this.storage.keyFromUrl(form.qrCodeUrl) : null;
    if (key) await this.storage.delete(key).catch((error: Error) => this.logger.warn(`QR delete failed: ${error.message}`));
    return updated;
  }

  async tokenStatus(user: AuthenticatedUser, id: string) {
    const form = await this.load(user, id, 'owner');
    const latest = await this.forms.latestSchema(form.id);
    const token = latest?.isPublished && latest.renderToken ? latest.renderToken : null;
    const expired = latest?.expiresAt ? new Date(latest.expiresAt).getTime() <= Date.now() : false;
    return {
      hasValidToken: Boolean(token) && !expired,
      tokenExpiration: latest?.expiresAt ? new Date(latest.expiresAt).toISOString() : null,
      tokenCreatedAt: token && latest?.createdAt ? new Date(latest.createdAt).toISOString() : new Date().toISOString(),
      formUrl: token ? this.renderUrl(token) : '',
    };
  }

  async uploadBackground(user: AuthenticatedUser, file: UploadedImage | undefined) {
    const image = this.checkUpload(file);
    const stored = await this.put(`form-backgrounds/${user.id}/${Date.now()}.${image.extension}`, image, file as UploadedImage, {
      userId: user.id,
      purpose: 'form-background',
    });
    return {
      url: stored.url,
      fileName: stored.key.split('/').pop() as string,
      size: (file as UploadedImage).size,
      mimeType: image.mimeType,
    };
  }

  async uploadImage(user: AuthenticatedUser, formId: string, file: UploadedImage | undefined) {
    // The legacy checked neither the form nor its owner (legacy-api.md 6.24).
    const form = await this.load(user, formId, 'read');
    const image = this.checkUpload(file);
    const stored = await this.put(`form-images/${user.id}/${form.id}/${Date.now()}.${image.extension}`, image, file as UploadedImage, {
      userId: user.id,
      formId: form.id,
      purpose: 'form-image',
    });
    return {
      imageUrl: stored.url,
      fileName: stored.key.split('/').pop() as string,
      size: (file as UploadedImage).size,
      mimeType: image.mimeType,
    };
  }

  async submissions(user: AuthenticatedUser, id: string, page: number, limit: number) {
    const form = await this.load(user, id, 'read');
    return this.forms.submissionsPage(form.id, page, limit);
  }

  /** F12's checks; the rows are streamed by the controller through FormsExport. */
  async exportPlan(
    user: AuthenticatedUser,
    id: string,
    query: { fields?: string; dateFrom?: Date; dateTo?: Date; filterField?: string; filterValue?: string },
  ) {
    const form = await this.load(user, id, 'read');
    if (query.dateFrom && query.dateTo && query.dateFrom > query.dateTo)
      throw new BadRequestError('INVALID_DATE', 'dateFrom must not be after dateTo');
    const latest = await this.forms.latestSchema(form.id);
    const names = new Set(
      (((latest?.schemaJson as Record<string, unknown> | null)?.fields as Record<string, unknown>[] | undefined) ?? [])
        .map((field) => (typeof field?.fieldName === 'string' ? field.fieldName : typeof field?.name === 'string' ? field.name : null))
        .filter((name): name is string => Boolean(name)),
    );
    const requested = query.fields
      ?.split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    if (requested) {
      const unknown = requested.filter((name) => !names.has(name));
      if (unknown.length) throw new BadRequestError('INVALID_FIELDS', `Invalid fields: ${unknown.join(', ')}`);
    }
    if ((query.filterField === undefined) !== (query.filterValue === undefined))
      throw new BadRequestError('INVALID_FILTER', 'filterField and filterValue go together');
    if (query.filterField !== undefined && !names.has(query.filterField))
      throw new BadRequestError('INVALID_FIELDS', `Invalid filter field: ${query.filterField}`);
    const filter = {
      formId: form.id,
      dateFrom: query.dateFrom,
      dateTo: query.dateTo,
      filterField: query.filterField,
      filterValue: query.filterValue,
    };
    const columns = requested ?? (await this.forms.firstSubmissionKeys(filter));
    const day = new Date().toISOString().slice(0, 10);
    return { filter, columns, fileName: `form-submissions-${form.title.replace(/\s+/g, '-')}-${day}.csv` };
  }

  private checkUpload(file: UploadedImage | undefined) {
    if (!file) throw new BadRequestError('NO_FILE_PROVIDED', 'No file provided');
    const check = checkImage(file.buffer, file.mimetype);
    if (!check.ok) throw new BadRequestError('FILE_VALIDATION_FAILED', `File validation failed: ${check.message}`);
    return check;
  }

  private async put(key: string, image: { mimeType: string }, file: UploadedImage, metadata: Record<string, string>) {
    try {
      return await this.storage.put({
        key,
        body: file.buffer,
        contentType: image.mimeType,
        metadata: {
          ...metadata,
          'upload-timestamp': new Date().toISOString(),
          'original-content-type': file.mimetype,
          'validated-content-type': image.mimeType,
        },
      });
    } catch (error) {
      this.logger.error(`upload of ${key} failed: ${(error as Error).message}`);
      throw new ServiceUnavailableError('UPLOAD_FAILED', 'Upload failed');
    }
  }

  /** `{ fields, settings, iframeEmbedOptions?, category? }`: the legacy layout of schema_json. */
  private schemaJson(schema: SchemaInput): Record<string, unknown> {
    const json: Record<string, unknown> = { fields: schema.fields ?? [], settings: normaliseSettings(schema.settings) };
    if (schema.iframeEmbedOptions !== undefined) json.iframeEmbedOptions = schema.iframeEmbedOptions;
    if (schema.category !== undefined) json.category = schema.category;
    return json;
  }

  /** App-layer references of the new row: the owner and the owner's tenant (forms-api F1). */
  private async checkIdentity(user: AuthenticatedUser): Promise<void> {
    try {
      await this.references.requireActiveUser(user.id, 'userId');
      if (user.tenantId) await this.references.requireActiveTenant(user.tenantId, 'tenantId');
    } catch (error) {
      if (!(error instanceof IdentityReferenceError)) throw error;
      if (error.reason === 'unavailable') throw new ServiceUnavailableError('AUTH_UNAVAILABLE', error.message);
      throw new ForbiddenError(error.field === 'userId' ? 'INVALID_USER' : 'INVALID_TENANT', error.message);
    }
  }

  /** settings.themeId wins over schema.themeId over the top-level themeId; it must be an active theme. */
  private async checkTheme(input: FormInput): Promise<FormThemeEntity | null> {
    const settingsTheme = input.schema?.settings?.themeId;
    const themeId = (typeof settingsTheme === 'string' ? settingsTheme : null) ?? input.schema?.themeId ?? input.themeId ?? null;
    if (!themeId) return null;
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(themeId))
      throw new BadRequestError('INVALID_THEME', 'Theme not found or inactive');
    const theme = await this.forms.findTheme(themeId);
    if (!theme) throw new BadRequestError('INVALID_THEME', 'Theme not found or inactive');
    if (!theme.isActive) throw new BadRequestError('INVALID_THEME', 'Theme is not active');
    return theme;
  }
}

const hasThemeChoice = (input: FormInput) =>
  input.schema?.settings !== undefined && 'themeId' in (input.schema.settings ?? {})
    ? true
    : input.schema?.themeId !== undefined || input.themeId !== undefined;
