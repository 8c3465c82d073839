import { createZodDto, escapeHtml, zJson, zUuidWith } from '@nafs/http';
import { z } from 'zod';

import type { FormThemeEntity } from '../form-theme.entity';

/** `FormTheme` as the legacy API serialised it (legacy-api.md 3.3). */
export interface FormThemeDto {
  id: string;
  name: string;
  description: string | null;
  thumbnailUrl: string | null;
  themeConfig: unknown;
  usageCount: number;
  isActive: boolean;
  createdBy: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  isCustom: boolean;
  creatorId: string | null;
  themeDefinition: unknown;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export function toThemeDto(row: FormThemeEntity): FormThemeDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    thumbnailUrl: row.thumbnailUrl,
    themeConfig: row.themeConfig,
    usageCount: row.usageCount,
    isActive: row.isActive,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    isCustom: row.isCustom,
    creatorId: row.creatorId,
    themeDefinition: row.themeDefinition,
  };
}

const HEX = /^#[0-9A-Fa-f]{6}$/;
const CSS_COLOR = /^(#[0-9A-Fa-f]{3,8}|rgba?\([\d\s.,%]+\)|hsla?\([\d\s.,%deg]+\)|(linear|radial)-gradient\([^;{}<>]*\))$/i;
const CSS_INJECTION = /(expression\s*\(|javascript:|url\s*\(|@import|<|>|;|\{|\})/i;
const HTTP_URL = /^https?:\/\/[^\s/$.?#].[^\s]*$/i;
const DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/;
const NAME = /^[A-Za-z0-9 _-]+$/;

/**
 * A stored theme configuration is at most this big (issue 17.2, as the legacy's 50 KB rule for
 * form definitions), so the theme list stays cheap; a background data-URL image has to fit in it.
 */
export const MAX_THEME_CONFIG_BYTES = 50 * 1024;
/** Request bodies of create/update: a theme and some slack (issue 17.2: per-route body caps). */
export const MAX_THEME_BODY_BYTES = 64 * 1024;

/** `<key> is required` when missing, `<key> <problem>` otherwise. */
const messages = (key: string, problem: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? `${key} is required` : `${key} ${problem}`),
});

const hex = (key: string) => z.string(messages(key, 'must be a hex color (#RRGGBB)')).regex(HEX, `${key} must be a hex color (#RRGGBB)`);
const cssBackground = (key: string) => {
  const problem = `${key} must be a hex, rgb(a), hsl(a) color or a linear/radial gradient`;
  return z
    .string(messages(key, 'must be a hex, rgb(a), hsl(a) color or a linear/radial gradient'))
    .max(500, problem)
    .refine((value) => CSS_COLOR.test(value.trim()) && !CSS_INJECTION.test(value), problem);
};
const text = (min: number, max: number) => (key: string) => {
  const problem = `${key} must be a string of ${min}-${max} characters`;
  return z
    .string(messages(key, `must be a string of ${min}-${max} characters`))
    .max(max, problem)
    .refine((value) => value.trim().length >= min, problem);
};
const opacity = (key: string) =>
  z
    .number(messages(key, 'must be a number between 0 and 1'))
    .min(0, `${key} must be a number between 0 and 1`)
    .max(1, `${key} must be a number between 0 and 1`);
const oneOf = (values: [string, ...string[]]) => (key: string) => z.enum(values, messages(key, `must be one of: ${values.join(', ')}`));
const imageUrl = (key: string) => {
  const problem = `${key} must be an http(s) URL or a base64 data:image URL`;
  return z
    .string(messages(key, 'must be an http(s) URL or a base64 data:image URL'))
    .max(MAX_THEME_CONFIG_BYTES, problem)
    .refine((value) => HTTP_URL.test(value) || DATA_IMAGE.test(value), problem);
};

/** An optional key: absent, null and '' mean "not set" (and are not stored). */
const optional = <S extends z.ZodType>(schema: S) =>
  z.preprocess((value) => (value === null || value === '' ? undefined : value), schema.optional());

/** The keys of a viewport (legacy-api.md 5.5); unknown keys are dropped, not stored. */
const REQUIRED_KEYS = {
  primaryColor: hex('primaryColor'),
  secondaryColor: hex('secondaryColor'),
  textColorPrimary: hex('textColorPrimary'),
  textColorSecondary: hex('textColorSecondary'),
  backgroundColor: cssBackground('backgroundColor'),
  containerBackground: cssBackground('containerBackground'),
  fontFamilyHeading: text(1, 100)('fontFamilyHeading'),
  fontFamilyBody: text(1, 100)('fontFamilyBody'),
  fieldBorderRadius: text(1, 50)('fieldBorderRadius'),
  fieldSpacing: text(1, 50)('fieldSpacing'),
  containerOpacity: opacity('containerOpacity'),
  containerPosition: oneOf(['center', 'top', 'left', 'full-width'])('containerPosition'),
};
const OPTIONAL_KEYS = {
  labelColor: optional(hex('labelColor')),
  inputBackgroundColor: optional(hex('inputBackgroundColor')),
  inputTextColor: optional(hex('inputTextColor')),
  backgroundImageUrl: optional(imageUrl('backgroundImageUrl')),
  backgroundImagePosition: optional(oneOf(['cover', 'contain', 'repeat'])('backgroundImagePosition')),
};

const viewport = (key: 'desktop' | 'mobile') => ({
  error: (issue: { input?: unknown }) =>
    issue.input === undefined ? `themeConfig.${key} is required` : `themeConfig.${key} must be an object`,
});

const desktop = z.object({ ...REQUIRED_KEYS, ...OPTIONAL_KEYS }, viewport('desktop'));
const mobile = z.object({ ...REQUIRED_KEYS, ...OPTIONAL_KEYS }, viewport('mobile')).partial();

const themeConfig = zJson(
  z.object(
    { desktop, mobile: z.preprocess((value) => (value === null ? undefined : value), mobile.optional()) },
    { error: (issue) => (issue.input === undefined ? 'Theme configuration is required' : 'Theme configuration must be an object') },
  ),
  { maxBytes: MAX_THEME_CONFIG_BYTES, maxDepth: 4 },
);

// Name and description are stored HTML-escaped, as the legacy's express-validator escape() left them.
const name = z
  .string({ error: (issue) => (issue.input === undefined ? 'Theme name is required' : 'Theme name must be a string') })
  .trim()
  .min(3, 'Theme name must be between 3 and 100 characters')
  .max(100, 'Theme name must be between 3 and 100 characters')
  .regex(NAME, 'Theme name can only contain letters, numbers, spaces, hyphens, and underscores')
  .transform(escapeHtml);
const description = z.preprocess(
  (value) => (value === null ? undefined : value),
  z.string('Description must be a string').trim().max(500, 'Description must not exceed 500 characters').transform(escapeHtml).optional(),
);
const thumbnailUrl = z
  .string({
    error: (issue) =>
      issue.input === undefined ? 'Thumbnail URL is required' : 'Thumbnail URL must be a valid http(s) URL of at most 500 characters',
  })
  .max(500, 'Thumbnail URL must be a valid http(s) URL of at most 500 characters')
  .regex(HTTP_URL, 'Thumbnail URL must be a valid http(s) URL of at most 500 characters');

/** F16: name, thumbnailUrl and themeConfig.desktop required. */
export const createThemeSchema = z.object({ name, description, thumbnailUrl, themeConfig });

/** F17: each field optional, at least one. */
export const updateThemeSchema = z
  .object({ name: name.optional(), description, thumbnailUrl: thumbnailUrl.optional(), themeConfig: themeConfig.optional() })
  .refine(
    (input) => Object.values(input).some((value) => value !== undefined),
    'At least one of name, description, thumbnailUrl or themeConfig must be provided',
  );

export class CreateThemeDto extends createZodDto(createThemeSchema) {}
export class UpdateThemeDto extends createZodDto(updateThemeSchema) {}
export class ThemeIdParamsDto extends createZodDto(z.object({ id: zUuidWith('Invalid theme ID') })) {}

export type CreateThemeInput = z.output<typeof createThemeSchema>;
export type UpdateThemeInput = z.output<typeof updateThemeSchema>;
