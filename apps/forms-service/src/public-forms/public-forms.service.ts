import { isUuid } from '@nafs/contracts';
import { BadRequestError, GoneError, NotFoundError } from '@nafs/http';
import { Injectable } from '@nestjs/common';

import type { FormSchemaEntity } from '../forms/form-schema.entity';
import { RenderTokenService } from '../render-tokens/render-token.service';
import { appointmentSettings, isCalendarDate, SLOT_DATE } from '../template-executors/appointment.executor';
import { countVotes, voteFieldOf } from '../template-executors/poll.executor';
import type { BusinessLogicConfig } from '../template-executors/template-executor';
import { TemplateExecutors } from '../template-executors/template-executors';
import type { FormThemeEntity } from '../themes/form-theme.entity';
import { PublicFormsRepository } from './public-forms.repository';
import { PublicRateLimits } from './public-rate-limits';
import { keyOf, type SchemaField, validateSubmission } from './submission-values';
import type { Visitor } from './visitor';

interface SchemaJson {
  fields?: unknown;
  settings?: unknown;
  iframeEmbedOptions?: unknown;
  category?: unknown;
}

const MAX_SLOT_RANGE_DAYS = 92;
const DAY_MS = 24 * 3600_000;

const notFound = () => new NotFoundError('FORM_NOT_FOUND', 'Form not found');
const expired = () => new GoneError('FORM_EXPIRED', 'This form has expired');

/** F21–F23, X13, X14 (legacy-api.md 3.3, 5.4; forms-extras.md 2.4, 3). */
@Injectable()
export class PublicFormsService {
  constructor(
    private readonly repository: PublicFormsRepository,
    private readonly tokens: RenderTokenService,
    private readonly executors: TemplateExecutors,
    private readonly limits: PublicRateLimits,
  ) {}

  /** F21: `{ schema (with theme), settings, theme }`. */
  async renderByToken(token: string) {
    const { schema, theme } = await this.publishedSchemaOfToken(token, true);
    const dto = schemaDto(schema, theme);
    return { schema: dto, settings: dto.settings, theme };
  }

  /** F23: the top-level `form` object. */
  async renderByShortCode(code: string) {
    const { schema, theme, code: shortCode } = await this.publishedSchemaOfCode(code);
    const json = (schema.schemaJson ?? {}) as SchemaJson;
    return {
      id: schema.id,
      schema: { id: schema.id, fields: fieldsOf(json), isPublished: schema.isPublished, expiresAt: schema.expiresAt },
      settings: settingsOf(json, schema.themeId),
      theme,
      shortCode,
      renderToken: schema.renderToken,
    };
  }

  /** F22: validates, runs the template executor and stores the submission in one transaction. */
  async submit(token: string, values: Record<string, unknown>, visitor: Visitor) {
    const { schema } = await this.publishedSchemaOfToken(token, false);
    const json = (schema.schemaJson ?? {}) as SchemaJson;
    const fields = fieldsOf(json);
    const settings = settingsOf(json, schema.themeId);

    await this.limits.consumeOrThrow('submissions', visitor.ip, 'Too many submissions from this IP, please try again later.');
    try {
      const checked = validateSubmission(fields, values);
      if (!checked.ok) throw new BadRequestError('VALIDATION_ERROR', 'Validation failed', { errors: checked.errors });

      const config = await this.businessLogicOf(settings);
      const executor = this.executors.for(config);
      const context = {
        formId: schema.formId,
        formSchemaId: schema.id,
        fields,
        values: checked.values,
        ip: visitor.ip,
        userAgent: visitor.userAgent,
      };
      if (executor && config) {
        const problems = executor.validate(config, context);
        if (problems.length) throw new BadRequestError('BUSINESS_LOGIC_VALIDATION_ERROR', problems[0], { errors: problems });
      }

      const baseMetadata = { userAgent: visitor.userAgent, referer: visitor.referer };
      const { submissionId, result } = await this.repository.transaction(async (manager) => {
        const submissionId = await this.repository.insertSubmission(manager, {
          formSchemaId: schema.id,
          values: checked.values,
          submitterIp: visitor.ip,
          metadata: baseMetadata,
        });
        if (!executor || !config) return { submissionId, result: null };
        const result = await executor.execute(config, context, manager, submissionId);
        await this.repository.setMetadata(manager, submissionId, { ...baseMetadata, ...result });
        return { submissionId, result };
      });

      const submission = (settings.submission ?? {}) as { redirectUrl?: unknown; successMessage?: unknown };
      return {
        submissionId,
        redirectUrl: typeof submission.redirectUrl === 'string' ? submission.redirectUrl : undefined,
        successMessage:
          typeof submission.successMessage === 'string' && submission.successMessage
            ? submission.successMessage
            : 'Thank you for your submission!',
        ...(result ? { metadata: result, executorResult: result } : {}),
      };
    } catch (error) {
      // Only stored submissions count towards the per-IP cap (the legacy counted rows).
      await this.limits.refund('submissions', visitor.ip);
      throw error;
    }
  }

  /** X13: the slot grid of the timeSlotField's options (plus booked slots outside it) for each day. */
  async availableSlots(code: string, startDate: unknown, endDate: unknown) {
    if (typeof startDate !== 'string' || typeof endDate !== 'string' || !startDate || !endDate)
      throw new BadRequestError('MISSING_PARAMETERS', 'startDate and endDate are required');
    if (!SLOT_DATE.test(startDate) || !SLOT_DATE.test(endDate) || !isCalendarDate(startDate) || !isCalendarDate(endDate)) {
      throw new BadRequestError('INVALID_DATE_FORMAT', 'Dates must be in YYYY-MM-DD format');
    }
    if (endDate < startDate) throw new BadRequestError('INVALID_DATE_RANGE', 'endDate must be on or after startDate');
    const days = Math.round((Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / DAY_MS) + 1;
    if (days > MAX_SLOT_RANGE_DAYS)
      throw new BadRequestError('INVALID_DATE_RANGE', `The date range may span at most ${MAX_SLOT_RANGE_DAYS} days`);

    const { schema } = await this.publishedSchemaOfCode(code);
    const json = (schema.schemaJson ?? {}) as SchemaJson;
    const config = await this.configOfType(json, schema.themeId, 'appointment');
    const { timeSlotField, maxBookingsPerSlot } = appointmentSettings(config);
    const slotField = fieldsOf(json).find((field) => keyOf(field) === timeSlotField);
    const grid = (slotField?.options ?? []).map((option) => String(option?.value)).filter((value) => value && value.length <= 50);

    const booked = new Map<string, number>();
    for (const row of await this.repository.bookedSlots(schema.formId, startDate, endDate))
      booked.set(`${row.date}|${row.time_slot}`, row.booked);
    const slots = [];
    for (let day = 0; day < days; day++) {
      const date = new Date(Date.parse(`${startDate}T00:00:00Z`) + day * DAY_MS).toISOString().slice(0, 10);
      const names = [
        ...grid,
        ...[...booked.keys()]
          .filter((key) => key.startsWith(`${date}|`))
          .map((key) => key.slice(11))
          .filter((slot) => !grid.includes(slot)),
      ];
      for (const timeSlot of names) {
        const count = booked.get(`${date}|${timeSlot}`) ?? 0;
        const available = Math.max(0, maxBookingsPerSlot - count);
        slots.push({
          date,
          time_slot: timeSlot,
          available_capacity: available,
          max_capacity: maxBookingsPerSlot,
          is_available: available > 0,
          timeSlot,
          availableCapacity: available,
          maxCapacity: maxBookingsPerSlot,
          isAvailable: available > 0,
        });
      }
    }
    return { slots, dateRange: { startDate, endDate }, maxBookingsPerSlot };
  }

  /** X14: vote counts of the short link's schema version. */
  async pollResults(code: string) {
    const { schema } = await this.publishedSchemaOfCode(code);
    const json = (schema.schemaJson ?? {}) as SchemaJson;
    const config = await this.configOfType(json, schema.themeId, 'poll');
    return countVotes(this.repository.manager, schema.id, voteFieldOf(config));
  }

  private async publishedSchemaOfToken(
    token: string,
    withTheme: boolean,
  ): Promise<{ schema: FormSchemaEntity; theme: FormThemeEntity | null }> {
    const { formSchemaId } = this.tokens.verify(token);
    const found = withTheme
      ? await this.repository.schemaWithTheme(formSchemaId, false)
      : { schema: await this.repository.schemaById(formSchemaId), theme: null };
    const schema = found?.schema;
    if (!schema || !schema.isPublished) throw notFound();
    if (schema.expiresAt && schema.expiresAt.getTime() <= Date.now()) throw expired();
    return { schema, theme: found.theme };
  }

  private async publishedSchemaOfCode(code: string): Promise<{ schema: FormSchemaEntity; theme: FormThemeEntity | null; code: string }> {
    if (!/^[A-Za-z0-9-]{1,30}$/.test(code)) throw notFound();
    const found = await this.repository.schemaOfCode(code);
    if (!found || !found.schema.isPublished) throw notFound();
    if (found.schema.expiresAt && found.schema.expiresAt.getTime() <= Date.now()) throw expired();
    return found;
  }

  /** The form's own `settings.businessLogicConfig`, else its template's config (`settings.templateId`). */
  private async businessLogicOf(settings: Record<string, unknown>): Promise<BusinessLogicConfig | null> {
    if (isConfig(settings.businessLogicConfig)) return settings.businessLogicConfig;
    const templateId = settings.templateId;
    if (typeof templateId === 'string' && isUuid(templateId)) {
      const config = await this.repository.templateConfig(templateId);
      if (isConfig(config)) return config;
    }
    return null;
  }

  private async configOfType(json: SchemaJson, themeId: string | null, type: 'appointment' | 'poll'): Promise<BusinessLogicConfig> {
    const config = await this.businessLogicOf(settingsOf(json, themeId));
    if (!config)
      throw new NotFoundError(
        type === 'poll' ? 'NO_POLL_CONFIG' : 'NO_APPOINTMENT_CONFIG',
        `Form is not configured with ${type === 'poll' ? 'a poll' : 'an appointment'} template`,
      );
    if (config.type !== type)
      throw new NotFoundError(
        type === 'poll' ? 'NOT_POLL_FORM' : 'NOT_APPOINTMENT_FORM',
        `Form is not ${type === 'poll' ? 'a poll' : 'an appointment'} form`,
      );
    return config;
  }
}

const isConfig = (value: unknown): value is BusinessLogicConfig =>
  Boolean(value) && typeof value === 'object' && !Array.isArray(value) && typeof (value as { type?: unknown }).type === 'string';

function fieldsOf(json: SchemaJson): SchemaField[] {
  return Array.isArray(json.fields) ? (json.fields.filter((field) => field && typeof field === 'object') as SchemaField[]) : [];
}

function settingsOf(json: SchemaJson, themeId: string | null): Record<string, unknown> {
  const settings =
    json.settings && typeof json.settings === 'object' && !Array.isArray(json.settings) ? (json.settings as Record<string, unknown>) : {};
  return { ...settings, themeId };
}

/** The legacy FormSchema DTO (legacy-api.md 3.3). */
function schemaDto(schema: FormSchemaEntity, theme: FormThemeEntity | null) {
  const json = (schema.schemaJson ?? {}) as SchemaJson;
  return {
    id: schema.id,
    formId: schema.formId,
    version: schema.schemaVersion,
    fields: fieldsOf(json),
    settings: settingsOf(json, schema.themeId),
    isPublished: schema.isPublished,
    renderToken: schema.renderToken,
    expiresAt: schema.expiresAt,
    themeId: schema.themeId,
    ...(json.iframeEmbedOptions !== undefined ? { iframeEmbedOptions: json.iframeEmbedOptions } : {}),
    ...(json.category !== undefined ? { category: json.category } : {}),
    createdAt: schema.createdAt,
    updatedAt: schema.updatedAt,
    ...(theme ? { theme } : {}),
  };
}
