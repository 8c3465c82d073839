import { createZodDto, zDateTime, zJson, zPagination, zText, zUuid, zUuidWith } from '@nafs/http';
import { z } from 'zod';

/** A form schema as the builder sends it (`{ fields, settings, themeId?, version?, category? }`); the rules are in form-schema.rules.ts. */
export const formSchemaInput = zJson(
  z.looseObject({
    fields: z.array(z.looseObject({}), 'fields must be an array').max(1000, 'at most 1000 fields').optional(),
    settings: z.looseObject({}, 'settings must be an object').optional(),
    themeId: zUuid.nullish(),
    version: z.number().int().min(1).max(1_000_000).optional(),
    category: zText(50).optional(),
  }),
  { maxBytes: 5_000_000, maxDepth: 32 },
);

const status = z.enum(['draft', 'published'], 'status must be draft or published');

/** F1 body (legacy express-validator rules: title ≤200, description ≤2000, both HTML-escaped on storage). */
export const createFormSchema = z.object({
  title: zText(200, { min: 1, trim: true, message: 'Title is required and must be at most 200 characters' }),
  description: zText(2000, { trim: true }).nullish(),
  status: status.optional(),
  themeId: zUuid.nullish(),
  schema: formSchemaInput.optional(),
});
export class CreateFormDto extends createZodDto(createFormSchema) {}

/** F9 body: as F1, every field optional (a present title must not be empty). */
export const updateFormSchema = createFormSchema.partial().extend({ id: z.unknown().optional() });
export class UpdateFormDto extends createZodDto(updateFormSchema) {}

export class FormIdParamsDto extends createZodDto(z.object({ id: zUuidWith('Invalid form ID') })) {}
export class UploadImageParamsDto extends createZodDto(z.object({ formId: zUuidWith('Invalid form ID') })) {}

export class ListFormsQueryDto extends createZodDto(zPagination({ defaultLimit: 20, maxLimit: 100 })) {}
/** F11: the legacy had no maximum; an unbounded `limit` would page the whole table into memory. */
export class ListSubmissionsQueryDto extends createZodDto(zPagination({ defaultLimit: 10, maxLimit: 1000 })) {}

/** F3 body. */
export const publishFormSchema = z.object({
  expiresInDays: z
    .number('expiresInDays must be an integer between 1 and 365')
    .int('expiresInDays must be an integer between 1 and 365')
    .min(1, 'expiresInDays must be an integer between 1 and 365')
    .max(365, 'expiresInDays must be an integer between 1 and 365')
    .optional(),
  iframeEmbedOptions: zJson(z.looseObject({}), { maxBytes: 10_000, maxDepth: 4 }).optional(),
});
export class PublishFormDto extends createZodDto(publishFormSchema) {}

/** F12 query. */
export const exportQuerySchema = z.object({
  fields: zText(10_000).optional(),
  dateFrom: zDateTime.optional(),
  dateTo: zDateTime.optional(),
  filterField: zText(255, { min: 1 }).optional(),
  filterValue: zText(10_000).optional(),
});
export class ExportSubmissionsQueryDto extends createZodDto(exportQuerySchema) {}
