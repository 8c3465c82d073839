import { createZodDto, zJson, zPagination, zText, zUuid } from '@nafs/http';
import { z } from 'zod';

import { type FormTemplateEntity, TEMPLATE_CATEGORIES } from '../form-template.entity';

const category = z.enum(TEMPLATE_CATEGORIES, `category must be one of ${TEMPLATE_CATEGORIES.join(', ')}`);
const name = zText(255, { min: 1, trim: true, message: 'Template name must be 1-255 characters' }).refine(
  (value) => /^[\p{L}\p{N}\s\-_()]+$/u.test(value),
  'Template name may only contain letters, digits, spaces, -, _, ( and )',
);
const field = z.looseObject({
  id: z.string('field id must be a string'),
  type: z.string('field type must be a string'),
  fieldName: z.string('fieldName must be a string'),
  label: z.string('label must be a string'),
});
const templateSchemaShape = z.looseObject({
  fields: z.array(field, 'fields must be an array').min(1, 'fields must not be empty').max(500),
  settings: z.looseObject(
    { layout: z.looseObject({}, 'settings.layout is required'), submission: z.looseObject({}, 'settings.submission is required') },
    'settings must be an object',
  ),
});
/** forms-api's 102,400-character limit on the schema's JSON text. */
const templateSchema = zJson(templateSchemaShape, { maxBytes: 1_000_000, maxDepth: 32 }).refine(
  (value) => JSON.stringify(value).length <= 102_400,
  'Template schema exceeds 100KB limit',
);
const businessLogicConfig = zJson(
  z.looseObject({
    type: z.enum(['inventory', 'order', 'appointment', 'quiz', 'poll'], 'type must be inventory, order, appointment, quiz or poll'),
  }),
  { maxBytes: 100_000, maxDepth: 16 },
);
const previewImageUrl = zText(2048, { trim: true }).refine(
  (value) => /^https?:\/\//i.test(value),
  'previewImageUrl must be an http(s) URL',
);

/** X3 body (VT on failure). */
export const createTemplateSchema = z.object({
  name,
  description: zText(1000, { trim: true }).nullish(),
  category,
  templateSchema,
  businessLogicConfig: businessLogicConfig.optional(),
  previewImageUrl: previewImageUrl.nullish(),
});
export class CreateTemplateDto extends createZodDto(createTemplateSchema) {}

/** X4 body: every field optional, plus `isActive` (how a soft-deleted template comes back). */
export const updateTemplateSchema = createTemplateSchema.partial().extend({ isActive: z.boolean('isActive must be a boolean').optional() });
export class UpdateTemplateDto extends createZodDto(updateTemplateSchema) {}

export class TemplateIdParamsDto extends createZodDto(z.object({ id: zUuid })) {}
export class ListTemplatesQueryDto extends createZodDto(
  zPagination({ defaultLimit: 20, maxLimit: 100 }).extend({ category: category.optional() }),
) {}

const iso = (value: Date | null) => (value === null ? null : new Date(value).toISOString());

/** `FormTemplate` (forms-extras.md 2.1). */
export function toTemplateDto(row: FormTemplateEntity) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    category: row.category,
    previewImageUrl: row.previewImageUrl,
    templateSchema: row.templateSchema,
    businessLogicConfig: row.businessLogicConfig,
    createdBy: row.createdBy,
    isActive: row.isActive,
    usageCount: row.usageCount,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}
