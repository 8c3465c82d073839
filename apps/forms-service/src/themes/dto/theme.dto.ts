import type { FormThemeEntity } from '../form-theme.entity';
import type { RawValidationItem } from '../theme.errors';

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

/** express-validator's `escape()` (validator.js), which legacy applied to theme name and description. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\//g, '&#x2F;')
    .replace(/\\/g, '&#x5C;')
    .replace(/`/g, '&#96;');
}

export interface ThemeInput {
  name?: string;
  description?: string;
  thumbnailUrl?: string;
  themeConfig?: Record<string, unknown>;
}

const HEX = /^#[0-9A-Fa-f]{6}$/;
const CSS_COLOR = /^(#[0-9A-Fa-f]{3,8}|rgba?\([\d\s.,%]+\)|hsla?\([\d\s.,%deg]+\)|(linear|radial)-gradient\([^;{}<>]*\))$/i;
const CSS_INJECTION = /(expression\s*\(|javascript:|url\s*\(|@import|<|>|;|\{|\})/i;
const HTTP_URL = /^https?:\/\/[^\s/$.?#].[^\s]*$/i;
const DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]+$/;
const NAME = /^[A-Za-z0-9 _-]+$/;
const POSITIONS = ['center', 'top', 'left', 'full-width'];
const IMAGE_POSITIONS = ['cover', 'contain', 'repeat'];

type Rule = (value: unknown) => string | undefined;

const hex: Rule = (v) => (typeof v === 'string' && HEX.test(v) ? undefined : 'must be a hex color (#RRGGBB)');
const cssBackground: Rule = (v) =>
  typeof v === 'string' && v.length <= 500 && CSS_COLOR.test(v.trim()) && !CSS_INJECTION.test(v) ? undefined : 'must be a hex, rgb(a), hsl(a) color or a linear/radial gradient';
const text = (min: number, max: number): Rule => (v) => (typeof v === 'string' && v.trim().length >= min && v.length <= max ? undefined : `must be a string of ${min}-${max} characters`);
const opacity: Rule = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1 ? undefined : 'must be a number between 0 and 1');
const oneOf = (values: string[]): Rule => (v) => (typeof v === 'string' && values.includes(v) ? undefined : `must be one of: ${values.join(', ')}`);
const imageUrl: Rule = (v) => (typeof v === 'string' && v.length <= 5_000_000 && (HTTP_URL.test(v) || DATA_IMAGE.test(v)) ? undefined : 'must be an http(s) URL or a base64 data:image URL');

/** The `themeConfig.desktop` keys: required on desktop, all optional on mobile. */
const REQUIRED_KEYS: Record<string, Rule> = {
  primaryColor: hex,
  secondaryColor: hex,
  textColorPrimary: hex,
  textColorSecondary: hex,
  backgroundColor: cssBackground,
  containerBackground: cssBackground,
  fontFamilyHeading: text(1, 100),
  fontFamilyBody: text(1, 100),
  fieldBorderRadius: text(1, 50),
  fieldSpacing: text(1, 50),
  containerOpacity: opacity,
  containerPosition: oneOf(POSITIONS),
};
const OPTIONAL_KEYS: Record<string, Rule> = {
  labelColor: hex,
  inputBackgroundColor: hex,
  inputTextColor: hex,
  backgroundImageUrl: imageUrl,
  backgroundImagePosition: oneOf(IMAGE_POSITIONS),
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function item(path: string, value: unknown, msg: string): RawValidationItem {
  return { type: 'field', value, msg, path, location: 'body' };
}

function checkViewport(config: Record<string, unknown>, key: 'desktop' | 'mobile', required: boolean, errors: RawValidationItem[]): void {
  const viewport = config[key];
  if (viewport === undefined || viewport === null) {
    if (required) errors.push(item(`themeConfig.${key}`, viewport, `themeConfig.${key} is required`));
    return;
  }
  if (!isObject(viewport)) {
    errors.push(item(`themeConfig.${key}`, viewport, `themeConfig.${key} must be an object`));
    return;
  }
  for (const [name, rule] of Object.entries(REQUIRED_KEYS)) {
    const value = viewport[name];
    if (value === undefined) {
      if (required) errors.push(item(`themeConfig.${key}.${name}`, value, `${name} is required`));
      continue;
    }
    const problem = rule(value);
    if (problem) errors.push(item(`themeConfig.${key}.${name}`, value, `${name} ${problem}`));
  }
  for (const [name, rule] of Object.entries(OPTIONAL_KEYS)) {
    const value = viewport[name];
    if (value === undefined || value === null || value === '') continue;
    const problem = rule(value);
    if (problem) errors.push(item(`themeConfig.${key}.${name}`, value, `${name} ${problem}`));
  }
}

/**
 * F16 (create: name, thumbnailUrl and themeConfig.desktop required) and F17 (update: each field
 * optional, at least one). Returns the cleaned input (name and description escaped as legacy
 * stored them) or the V2 items.
 */
export function parseThemeBody(body: unknown, mode: 'create' | 'update'): { input?: ThemeInput; errors: RawValidationItem[] } {
  if (!isObject(body)) return { errors: [item('body', body, 'Request body must be a JSON object')] };
  const errors: RawValidationItem[] = [];
  const input: ThemeInput = {};
  const required = mode === 'create';

  if (body.name === undefined) {
    if (required) errors.push(item('name', undefined, 'Theme name is required'));
  } else if (typeof body.name !== 'string') {
    errors.push(item('name', body.name, 'Theme name must be a string'));
  } else {
    const name = body.name.trim();
    if (name.length < 3 || name.length > 100) errors.push(item('name', body.name, 'Theme name must be between 3 and 100 characters'));
    else if (!NAME.test(name)) errors.push(item('name', body.name, 'Theme name can only contain letters, numbers, spaces, hyphens, and underscores'));
    else input.name = escapeHtml(name);
  }

  if (body.description !== undefined && body.description !== null) {
    if (typeof body.description !== 'string') errors.push(item('description', body.description, 'Description must be a string'));
    else if (body.description.trim().length > 500) errors.push(item('description', body.description, 'Description must not exceed 500 characters'));
    else input.description = escapeHtml(body.description.trim());
  }

  if (body.thumbnailUrl === undefined) {
    if (required) errors.push(item('thumbnailUrl', undefined, 'Thumbnail URL is required'));
  } else if (typeof body.thumbnailUrl !== 'string' || !HTTP_URL.test(body.thumbnailUrl) || body.thumbnailUrl.length > 500) {
    errors.push(item('thumbnailUrl', body.thumbnailUrl, 'Thumbnail URL must be a valid http(s) URL of at most 500 characters'));
  } else {
    input.thumbnailUrl = body.thumbnailUrl;
  }

  if (body.themeConfig === undefined) {
    if (required) errors.push(item('themeConfig', undefined, 'Theme configuration is required'));
  } else if (!isObject(body.themeConfig)) {
    errors.push(item('themeConfig', body.themeConfig, 'Theme configuration must be an object'));
  } else {
    const before = errors.length;
    checkViewport(body.themeConfig, 'desktop', true, errors);
    checkViewport(body.themeConfig, 'mobile', false, errors);
    if (errors.length === before) {
      const { desktop, mobile } = body.themeConfig;
      input.themeConfig = mobile === undefined || mobile === null ? { desktop } : { desktop, mobile };
    }
  }

  if (mode === 'update' && !errors.length && Object.keys(input).length === 0) {
    errors.push(item('body', body, 'At least one of name, description, thumbnailUrl or themeConfig must be provided'));
  }
  return errors.length ? { errors } : { input, errors };
}
