import { BadRequestError, ConflictError, NotFoundError } from '@nafs/http';
import { Injectable } from '@nestjs/common';

import type { FormTemplateEntity, TemplateCategory } from './form-template.entity';
import { TemplatesRepository } from './templates.repository';

export interface TemplateInput {
  name?: string;
  description?: string | null;
  category?: TemplateCategory;
  templateSchema?: Record<string, unknown>;
  businessLogicConfig?: Record<string, unknown>;
  previewImageUrl?: string | null;
  isActive?: boolean;
}

type Config = Record<string, unknown>;
type Field = Record<string, unknown>;

const ALLOWED_CONFIG_TYPES: Record<TemplateCategory, string[]> = {
  ecommerce: ['inventory', 'order'],
  services: ['appointment'],
  quiz: ['quiz'],
  polls: ['poll'],
  events: ['appointment'],
  data_collection: ['order'],
};

/** Category inferred from a config type when a template is applied (forms-extras.md 2.1 X6). */
const CATEGORY_OF_CONFIG: Record<string, TemplateCategory> = {
  poll: 'polls',
  quiz: 'quiz',
  inventory: 'ecommerce',
  appointment: 'services',
};

const present = (value: unknown) => value !== undefined && value !== null && value !== '';

/** Type-specific config rules (forms-extras.md 2.1). */
function configProblems(config: Config): string[] {
  const problems: string[] = [];
  const need = (...keys: string[]) => keys.forEach((key) => !present(config[key]) && problems.push(`${key} is required`));
  switch (config.type) {
    case 'inventory':
      need('stockField', 'variantField', 'quantityField', 'stockTable');
      if (config.decrementOnSubmit === undefined) problems.push('decrementOnSubmit is required');
      break;
    case 'quiz': {
      const rules = config.scoringRules;
      if (!rules || (Array.isArray(rules) ? rules.length === 0 : typeof rules !== 'object' || Object.keys(rules).length === 0))
        problems.push('scoringRules must have at least one rule');
      if (
        config.passingScore !== undefined &&
        !(typeof config.passingScore === 'number' && config.passingScore >= 0 && config.passingScore <= 100)
      )
        problems.push('passingScore must be 0-100');
      break;
    }
    case 'appointment':
      need('timeSlotField', 'dateField', 'bookingsTable');
      if (!(typeof config.maxBookingsPerSlot === 'number' && config.maxBookingsPerSlot >= 1))
        problems.push('maxBookingsPerSlot must be at least 1');
      break;
    case 'poll':
      need('voteField');
      if (config.preventDuplicates === undefined) problems.push('preventDuplicates is required');
      if (config.showResultsAfterVote === undefined) problems.push('showResultsAfterVote is required');
      if (!['session', 'user', 'ip', 'fingerprint'].includes(config.trackingMethod as string))
        problems.push('trackingMethod must be session, user, ip or fingerprint');
      break;
    case 'order':
      if (!Array.isArray(config.itemFields) || config.itemFields.length === 0) problems.push('itemFields must not be empty');
      if (config.calculateTotal === undefined) problems.push('calculateTotal is required');
      if (config.taxRate !== undefined && !(typeof config.taxRate === 'number' && config.taxRate >= 0 && config.taxRate <= 1))
        problems.push('taxRate must be 0-1');
      break;
  }
  return problems;
}

const fieldsOf = (schema: Record<string, unknown>): Field[] => (Array.isArray(schema.fields) ? (schema.fields as Field[]) : []);
const has = (fields: Field[], name: string, types: string[]) =>
  fields.some((field) => field.fieldName === name && types.includes(field.type as string));

/** The category field rules (forms-extras.md 2.1, utils/category-field-validator.ts). */
function categoryFieldsOk(category: TemplateCategory, fields: Field[]): boolean {
  switch (category) {
    case 'polls':
      return has(fields, 'poll_option', ['select', 'radio']);
    case 'quiz':
      return fields.some(
        (field) =>
          /^question_\d+$/.test(String(field.fieldName)) &&
          ['select', 'radio', 'checkbox'].includes(field.type as string) &&
          typeof field.metadata === 'object' &&
          field.metadata !== null &&
          (field.metadata as Field).correctAnswer !== undefined &&
          (field.metadata as Field).correctAnswer !== null,
      );
    case 'ecommerce':
      return has(fields, 'product_id', ['select']) && has(fields, 'quantity', ['number']) && has(fields, 'price', ['number']);
    case 'services':
      return has(fields, 'date', ['date']) && has(fields, 'time_slot', ['time_slot', 'select']);
    case 'data_collection':
      return has(fields, 'menu_item', ['select']) && has(fields, 'quantity', ['number']);
    case 'events':
      return has(fields, 'attendee_name', ['text']) && has(fields, 'rsvp_status', ['radio', 'select']);
  }
}

/** Templates X1–X6 (forms-extras.md 2.1). */
@Injectable()
export class TemplatesService {
  constructor(private readonly templates: TemplatesRepository) {}

  list(category: TemplateCategory | undefined, page: number, limit: number) {
    return this.templates.listActive(category, page, limit);
  }

  async getActive(id: string): Promise<FormTemplateEntity> {
    const template = await this.templates.find(id);
    if (!template || !template.isActive) throw new NotFoundError('NOT_FOUND', 'Template not found');
    return template;
  }

  async create(
    input: TemplateInput & { name: string; category: TemplateCategory; templateSchema: Record<string, unknown> },
  ): Promise<FormTemplateEntity> {
    this.check(input.category, input.templateSchema, input.businessLogicConfig);
    if (await this.templates.nameTaken(input.name))
      throw new ConflictError('DUPLICATE_NAME', `Template with name "${input.name}" already exists`);
    return this.templates.insert({
      name: input.name,
      description: input.description ?? null,
      category: input.category,
      previewImageUrl: input.previewImageUrl ?? null,
      templateSchema: input.templateSchema,
      businessLogicConfig: input.businessLogicConfig ?? null,
      createdBy: null,
      isActive: true,
      usageCount: 0,
    });
  }

  async update(id: string, input: TemplateInput): Promise<FormTemplateEntity> {
    const existing = await this.templates.find(id);
    if (!existing) throw new NotFoundError('NOT_FOUND', 'Template not found');
    const patch = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<FormTemplateEntity>;
    if (!Object.keys(patch).length) throw new BadRequestError('VALIDATION_ERROR', 'No fields to update');
    const category = input.category ?? existing.category;
    if (input.templateSchema || input.businessLogicConfig || input.category) {
      this.check(
        category,
        input.templateSchema ?? existing.templateSchema,
        input.businessLogicConfig ?? existing.businessLogicConfig ?? undefined,
        Boolean(input.templateSchema || input.category),
      );
    }
    if (input.name && (await this.templates.nameTaken(input.name, id)))
      throw new ConflictError('DUPLICATE_NAME', `Template with name "${input.name}" already exists`);
    return (await this.templates.update(id, patch)) as FormTemplateEntity;
  }

  async softDelete(id: string): Promise<void> {
    const existing = await this.templates.find(id);
    if (!existing) throw new NotFoundError('NOT_FOUND', 'Template not found');
    await this.templates.update(id, { isActive: false });
  }

  /** X6: a FormSchema to load into the builder (no form is created); counts a use. */
  async apply(id: string): Promise<Record<string, unknown>> {
    const template = await this.templates.find(id);
    if (!template) throw new NotFoundError('NOT_FOUND', 'Template not found');
    if (!template.isActive) throw new BadRequestError('TEMPLATE_INACTIVE', 'Template is not active and cannot be used');
    const schema = structuredClone(template.templateSchema) as Record<string, unknown>;
    const config = template.businessLogicConfig;
    if (config) {
      schema.businessLogicConfig = structuredClone(config);
      const settings = (typeof schema.settings === 'object' && schema.settings !== null ? schema.settings : {}) as Record<string, unknown>;
      settings.templateCategory = CATEGORY_OF_CONFIG[config.type as string] ?? 'data_collection';
      // Kept for the executors at submission (forms-extras.md 3.1); the builder sends settings back on save.
      settings.templateId = template.id;
      schema.settings = settings;
      if (config.type === 'quiz' && Array.isArray(config.scoringRules)) {
        for (const rule of config.scoringRules as Array<Record<string, unknown>>) {
          for (const field of fieldsOf(schema)) {
            if (field.id === rule.fieldId)
              field.metadata = {
                ...((field.metadata as object) ?? {}),
                correctAnswer: rule.correctAnswer,
                points: rule.points ?? 1,
                excludeFromQuiz: false,
              };
          }
        }
      }
    }
    await this.templates.incrementUsage(template.id);
    return schema;
  }

  private check(category: TemplateCategory, schema: Record<string, unknown>, config: Config | undefined, checkFields = true): void {
    if (config) {
      const allowed = ALLOWED_CONFIG_TYPES[category];
      if (!allowed.includes(config.type as string)) {
        throw new BadRequestError(
          'INVALID_CONFIG',
          `Invalid business logic config type "${String(config.type)}" for category "${category}". Allowed types: ${allowed.join(', ')}`,
        );
      }
      const problems = configProblems(config);
      if (problems.length)
        throw new BadRequestError('INVALID_CONFIG', `Invalid business logic config: ${problems.join(', ')}`, { errors: problems });
    }
    if (!checkFields) return;
    const fields = fieldsOf(schema);
    const ids = new Set<unknown>();
    const names = new Set<unknown>();
    for (const field of fields) {
      if (ids.has(field.id)) throw new BadRequestError('VALIDATION_ERROR', `Duplicate field id: ${String(field.id)}`);
      if (names.has(field.fieldName)) throw new BadRequestError('VALIDATION_ERROR', `Duplicate fieldName: ${String(field.fieldName)}`);
      ids.add(field.id);
      names.add(field.fieldName);
    }
    if (!categoryFieldsOk(category, fields))
      throw new BadRequestError('TEMPLATE_VALIDATION_FAILED', `Template validation failed for category ${category}`);
  }
}
