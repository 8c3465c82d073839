import { createZodDto, zText } from '@nafs/http';
import { z } from 'zod';

import type { ToolEntity } from '../tool.entity';

/** Tool keys that would shadow routes (legacy-api.md 3.2, admin tools). */
export const RESERVED_TOOL_KEYS = ['admin', 'api', 'health', 'auth', 'docs'] as const;
export const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The legacy key rules: trimmed, 2–50 characters, kebab-case, not reserved. */
export const zToolKey = z
  .string('Tool key is required')
  .trim()
  .min(2, 'Tool key must be between 2 and 50 characters')
  .max(50, 'Tool key must be between 2 and 50 characters')
  .regex(KEBAB_CASE, 'Tool key must be in kebab-case format (lowercase letters, numbers, and hyphens only)')
  .refine((key) => !(RESERVED_TOOL_KEYS as readonly string[]).includes(key), 'Tool key is reserved and cannot be used');

/** `sanitizeToolInput` of the legacy router: HTML tags are stripped from key, name and description. */
// (Script-like content never gets here: the XSS screen refused it. What is left are harmless tags.)
const stripTags = (value: unknown) => (typeof value === 'string' ? value.replace(/<\/?[A-Za-z][^<>]*>/g, '') : value);

export const createToolSchema = z.object({
  key: z.preprocess(stripTags, zToolKey),
  name: z.preprocess(
    stripTags,
    zText(100, { min: 1, trim: true, message: 'Tool name must be between 1 and 100 characters' }).refine(
      (name) => /^[A-Za-z0-9 \-'.()&]+$/.test(name),
      'Tool name can only contain letters, numbers, spaces, hyphens, apostrophes, periods, parentheses, and ampersands',
    ),
  ),
  description: z.preprocess(
    stripTags,
    zText(500, { min: 10, trim: true, message: 'Tool description must be between 10 and 500 characters' }).refine(
      (description) => /^[A-Za-z0-9 \-'.()&,;:!?\n\r]+$/.test(description),
      'Tool description contains invalid characters',
    ),
  ),
  active: z.boolean('Active must be a boolean').optional().default(true),
  // Legacy stored any slug; a slug lands in URLs, so it follows the trigger's own alphabet here.
  slug: zText(255, { min: 1, trim: true })
    .refine((slug) => KEBAB_CASE.test(slug), 'Slug must be lowercase letters, numbers and hyphens')
    .optional(),
});
export type CreateToolInput = z.infer<typeof createToolSchema>;
export class CreateToolDto extends createZodDto(createToolSchema) {}

export class UpdateToolStatusDto extends createZodDto(z.object({ active: z.boolean('Active status must be a boolean') })) {}

export class ToolKeyParamsDto extends createZodDto(z.object({ key: zToolKey })) {}

/** A key or slug looked up as it is: anything bounded; unknown ones are a 404. */
const zLookup = zText(255, { min: 1 });
export class ToolLookupParamsDto extends createZodDto(z.object({ key: zLookup })) {}
export class ToolSlugParamsDto extends createZodDto(z.object({ slug: zLookup })) {}

/**
 * The key of an existing tool (W14, W15): the legacy data holds keys from before the kebab-case
 * rule (`tool.json-formatter_5`), which must stay manageable; new keys follow zToolKey.
 */
export const zExistingToolKey = z
  .string()
  .min(2, 'Tool key must be between 2 and 255 characters')
  .max(255, 'Tool key must be between 2 and 255 characters')
  .regex(/^[A-Za-z0-9._-]+$/, 'Tool key may only contain letters, numbers, dots, underscores and hyphens');
export class ExistingToolKeyParamsDto extends createZodDto(z.object({ key: zExistingToolKey })) {}

export function toToolDto(tool: ToolEntity) {
  return {
    id: tool.id,
    key: tool.key,
    name: tool.name,
    slug: tool.slug,
    description: tool.description,
    active: tool.active,
    createdAt: tool.createdAt,
    updatedAt: tool.updatedAt,
  };
}

/** What the public routes show: no id, no timestamps (W16–W18). */
export function toPublicToolDto(tool: ToolEntity) {
  return { key: tool.key, name: tool.name, slug: tool.slug, description: tool.description, active: tool.active };
}
export type PublicToolDto = ReturnType<typeof toPublicToolDto>;
