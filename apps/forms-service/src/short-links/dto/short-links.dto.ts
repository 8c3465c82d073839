import { createZodDto } from '@nafs/http';
import { z } from 'zod';

const TEN_YEARS_MS = 10 * 366 * 24 * 3600_000;
const STRICT_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** F24 body (legacy-api.md 3.3). */
export const createShortLinkSchema = z.strictObject({
  originalUrl: z
    .string('Original URL is required')
    .min(10, 'URL must be between 10 and 2048 characters')
    .max(2048, 'URL must be between 10 and 2048 characters'),
  expiresAt: z
    .string('Expiration date must be a valid ISO 8601 date')
    .regex(STRICT_ISO, 'Expiration date must be a valid ISO 8601 date')
    .refine((value) => !Number.isNaN(Date.parse(value)), 'Expiration date must be a valid ISO 8601 date')
    .refine((value) => Date.parse(value) > Date.now(), 'Expiration date must be in the future')
    .refine((value) => Date.parse(value) <= Date.now() + TEN_YEARS_MS, 'Expiration date cannot be more than 10 years in the future')
    .nullable()
    .optional(),
  customName: z.string('Custom name must be a string').max(100, 'Custom name must be between 3 and 30 characters').optional(),
});
export class CreateShortLinkDto extends createZodDto(createShortLinkSchema) {}

export class ListShortLinksQueryDto extends createZodDto(
  z.object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  }),
) {}

/** F28 body; a missing url is the route's own 400 INVALID_REQUEST. */
export const previewSchema = z.looseObject({ url: z.unknown().optional() });
export class PreviewDto extends createZodDto(previewSchema) {}
