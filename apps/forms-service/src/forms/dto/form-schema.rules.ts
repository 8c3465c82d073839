import { LegacyHttpException } from '@nafs/http';
import sanitizeHtml from 'sanitize-html';

/**
 * The forms middleware chain of F1/F9 (legacy-api.md 3.3) as plain functions: the XSS screen,
 * HTML sanitising of the two custom-HTML places, the schema rules (V6) and the step-form rules.
 */

export const FIELD_TYPES = [
  'text',
  'email',
  'number',
  'select',
  'textarea',
  'file',
  'checkbox',
  'radio',
  'date',
  'datetime',
  'toggle',
  'divider',
  'group',
  'heading',
  'image',
  'text_block',
  'image_gallery',
  'time_slot',
  // layout fields the builder writes (and the legacy data holds) whose metadata rules 3.3 lists
  'background-image',
  'background-custom',
] as const;

/** Fields that carry no submitted value (no fieldName needed). */
export const LAYOUT_TYPES = new Set(['divider', 'group', 'heading', 'image', 'text_block', 'background-image', 'background-custom']);

const XSS_PATTERNS: Array<[RegExp, string]> = [
  [/<script[\s>/]/i, 'script tag'],
  [/javascript\s*:/i, 'javascript: URL'],
  [/\bon[a-z]+\s*=/i, 'event handler attribute'],
  [/<iframe/i, 'iframe tag'],
  [/<object/i, 'object tag'],
  [/<embed/i, 'embed tag'],
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The dotted path of the first string anywhere in `body` that looks like script injection, or null. */
export function findXss(body: unknown): { path: string; what: string } | null {
  const stack: Array<[unknown, string]> = [[body, '']];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [value, path] = item;
    if (typeof value === 'string') {
      const hit = XSS_PATTERNS.find(([pattern]) => pattern.test(value));
      if (hit) return { path: path || 'body', what: hit[1] };
    } else if (Array.isArray(value)) {
      value.forEach((child, index) => stack.push([child, `${path}[${index}]`]));
    } else if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) stack.push([child, path ? `${path}.${key}` : key]);
    }
  }
  return null;
}

/** 400 SECURITY_ERROR (legacy XSS body, legacy-api.md 1.4), before any other check. */
export function screenXss(body: unknown): void {
  const hit = findXss(body);
  if (hit) {
    throw new LegacyHttpException(400, {
      success: false,
      error: { code: 'SECURITY_ERROR', message: `Potentially dangerous content detected in field: ${hit.path} (${hit.what})` },
    });
  }
}

const HTML_POLICY: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'h1', 'h2', 'span', 'section', 'header', 'footer', 'style'],
  allowedAttributes: {
    '*': ['class', 'id', 'style', 'title', 'aria-*', 'data-*'],
    a: ['href', 'target', 'rel'],
    img: ['src', 'alt', 'width', 'height'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'data'],
  allowedSchemesByTag: { img: ['http', 'https', 'data'] },
  allowVulnerableTags: true,
};

/** Sanitises custom HTML (rewrites, never rejects), as DOMPurify did in the legacy chain. */
export function sanitizeCustomHtml(html: string): string {
  return sanitizeHtml(html, HTML_POLICY);
}

/** Rewrites the schema's custom-HTML places in place. */
export function sanitizeSchemaHtml(schema: Record<string, unknown>): void {
  const fields = Array.isArray(schema.fields) ? schema.fields : [];
  for (const field of fields) {
    if (isObject(field) && field.type === 'background-custom' && isObject(field.metadata) && typeof field.metadata.html === 'string') {
      field.metadata.html = sanitizeCustomHtml(field.metadata.html);
    }
  }
  const background = isObject(schema.settings) && isObject(schema.settings.background) ? schema.settings.background : null;
  if (background && typeof background.customHtml === 'string') background.customHtml = sanitizeCustomHtml(background.customHtml);
}

/** Regexes whose nested quantifiers backtrack catastrophically (the legacy safe-regex check). */
function isUnsafeRegex(pattern: string): boolean {
  return /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/.test(pattern) || pattern.length > 1000;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    try {
      new RegExp(pattern);
      return true;
    } catch {
      return false;
    }
  }
}

export const fieldNameOf = (field: Record<string, unknown>): string | undefined =>
  typeof field.fieldName === 'string' && field.fieldName
    ? field.fieldName
    : typeof field.name === 'string' && field.name
      ? field.name
      : undefined;

const CSS_DANGER = /javascript:|expression\(|vbscript:|-moz-binding|behavior:/i;
const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/** The field rules of F1/F9; lower-cases `type` in place. Returns "path: problem" strings. */
export function schemaProblems(schema: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const fields = schema.fields === undefined ? [] : schema.fields;
  if (!Array.isArray(fields)) return ['fields: must be an array'];
  const names = new Set<string>();
  fields.forEach((raw, index) => {
    const at = `fields[${index}]`;
    if (!isObject(raw)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    const type = typeof raw.type === 'string' ? raw.type.toLowerCase() : '';
    if (!(FIELD_TYPES as readonly string[]).includes(type)) {
      problems.push(`${at}.type: must be one of ${FIELD_TYPES.join(', ')}`);
      return;
    }
    raw.type = type;
    if (!LAYOUT_TYPES.has(type)) {
      const name = fieldNameOf(raw);
      if (!name) problems.push(`${at}.fieldName: is required`);
      else if (names.has(name)) problems.push(`${at}.fieldName: "${name}" is not unique`);
      else names.add(name);
    }
    if (raw.label !== undefined && typeof raw.label !== 'string') problems.push(`${at}.label: must be a string`);
    if (
      raw.parentGroupId !== undefined &&
      raw.parentGroupId !== null &&
      !(typeof raw.parentGroupId === 'string' && UUID.test(raw.parentGroupId))
    ) {
      problems.push(`${at}.parentGroupId: must be a UUID`);
    }
    const validation = raw.validation;
    if (validation !== undefined && validation !== null) {
      if (!isObject(validation)) problems.push(`${at}.validation: must be an object`);
      else {
        const { pattern, minLength, maxLength, min, max, errorMessage } = validation;
        if (pattern !== undefined && pattern !== null && pattern !== '') {
          if (typeof pattern !== 'string' || !compiles(pattern))
            problems.push(`${at}.validation.pattern: is not a valid regular expression`);
          else if (isUnsafeRegex(pattern)) problems.push(`${at}.validation.pattern: is not a safe regular expression`);
        }
        if (minLength !== undefined && minLength !== null && !(Number.isInteger(minLength) && (minLength as number) >= 0))
          problems.push(`${at}.validation.minLength: must be a non-negative integer`);
        if (maxLength !== undefined && maxLength !== null) {
          if (!(Number.isInteger(maxLength) && (maxLength as number) > 0))
            problems.push(`${at}.validation.maxLength: must be a positive integer`);
          else if (Number.isInteger(minLength) && (maxLength as number) < (minLength as number))
            problems.push(`${at}.validation.maxLength: must be at least minLength`);
        }
        if (min !== undefined && min !== null && typeof min !== 'number') problems.push(`${at}.validation.min: must be a number`);
        if (max !== undefined && max !== null && typeof max !== 'number') problems.push(`${at}.validation.max: must be a number`);
        if (typeof min === 'number' && typeof max === 'number' && max < min) problems.push(`${at}.validation.max: must be at least min`);
        if (errorMessage !== undefined && errorMessage !== null && !(typeof errorMessage === 'string' && errorMessage.length <= 500)) {
          problems.push(`${at}.validation.errorMessage: must be a string of at most 500 characters`);
        }
      }
    }
    const metadata = isObject(raw.metadata) ? raw.metadata : null;
    if (type === 'group' && metadata) {
      if (metadata.title !== undefined && !(typeof metadata.title === 'string' && metadata.title.length <= 100))
        problems.push(`${at}.metadata.title: at most 100 characters`);
      if (metadata.border !== undefined && !['solid', 'dashed', 'none'].includes(metadata.border as string))
        problems.push(`${at}.metadata.border: must be solid, dashed or none`);
      if (metadata.collapsible !== undefined && typeof metadata.collapsible !== 'boolean')
        problems.push(`${at}.metadata.collapsible: must be a boolean`);
      if (metadata.backgroundColor !== undefined && metadata.backgroundColor !== null && !HEX.test(String(metadata.backgroundColor)))
        problems.push(`${at}.metadata.backgroundColor: must be a hex colour`);
    }
    if (type === 'background-image' && metadata) {
      if (
        metadata.imageUrl !== undefined &&
        metadata.imageUrl !== null &&
        metadata.imageUrl !== '' &&
        !/^(https?:\/\/|data:image\/)/i.test(String(metadata.imageUrl))
      )
        problems.push(`${at}.metadata.imageUrl: must be an http(s) or data:image URL`);
      if (metadata.imagePosition !== undefined && !['cover', 'contain', 'repeat'].includes(metadata.imagePosition as string))
        problems.push(`${at}.metadata.imagePosition: must be cover, contain or repeat`);
      if (
        metadata.imageOpacity !== undefined &&
        !(typeof metadata.imageOpacity === 'number' && metadata.imageOpacity >= 0 && metadata.imageOpacity <= 100)
      )
        problems.push(`${at}.metadata.imageOpacity: must be 0-100`);
      if (metadata.imageAlignment !== undefined && !['top', 'center', 'bottom'].includes(metadata.imageAlignment as string))
        problems.push(`${at}.metadata.imageAlignment: must be top, center or bottom`);
    }
    if (type === 'background-custom' && metadata) {
      if (metadata.html !== undefined && !(typeof metadata.html === 'string' && metadata.html.length <= 10_000))
        problems.push(`${at}.metadata.html: at most 10000 characters`);
      if (metadata.css !== undefined) {
        if (!(typeof metadata.css === 'string' && metadata.css.length <= 5_000))
          problems.push(`${at}.metadata.css: at most 5000 characters`);
        else if (CSS_DANGER.test(metadata.css)) problems.push(`${at}.metadata.css: contains a forbidden construct`);
      }
    }
  });
  return problems;
}

/** The step-form rules (when `settings.stepForm` exists and is not disabled). */
export function stepProblems(schema: Record<string, unknown>): string[] {
  const settings = isObject(schema.settings) ? schema.settings : null;
  const stepForm = settings?.stepForm;
  if (stepForm === undefined || stepForm === null) return [];
  if (!isObject(stepForm)) return ['settings.stepForm: must be an object'];
  if (stepForm.enabled === false) return [];
  const problems: string[] = [];
  if (typeof stepForm.enabled !== 'boolean') problems.push('settings.stepForm.enabled: must be a boolean');
  const steps = stepForm.steps;
  if (!Array.isArray(steps) || steps.length < 2) return [...problems, 'settings.stepForm.steps: must be an array of at least 2 steps'];
  const ids = new Set<string>();
  const orders: number[] = [];
  steps.forEach((step, index) => {
    const at = `settings.stepForm.steps[${index}]`;
    if (!isObject(step)) return problems.push(`${at}: must be an object`);
    if (typeof step.id !== 'string' || !UUID_V4.test(step.id)) problems.push(`${at}.id: must be a UUID v4`);
    else if (ids.has(step.id)) problems.push(`${at}.id: must be unique`);
    else ids.add(step.id);
    if (!(typeof step.title === 'string' && step.title.length >= 1 && step.title.length <= 100))
      problems.push(`${at}.title: must be 1-100 characters`);
    if (
      step.description !== undefined &&
      step.description !== null &&
      !(typeof step.description === 'string' && step.description.length <= 500)
    )
      problems.push(`${at}.description: at most 500 characters`);
    if (!(Number.isInteger(step.order) && (step.order as number) >= 0)) problems.push(`${at}.order: must be a non-negative integer`);
    else if (orders.includes(step.order as number)) problems.push(`${at}.order: must be unique`);
    else orders.push(step.order as number);
    return undefined;
  });
  if (!problems.length && [...orders].sort((a, b) => a - b).some((order, index) => order !== index))
    problems.push('settings.stepForm.steps: orders must be 0..n-1');
  const fields = Array.isArray(schema.fields) ? schema.fields : [];
  fields.forEach((field, index) => {
    const stepId = isObject(field) && isObject(field.position) ? field.position.stepId : undefined;
    if (stepId !== undefined && stepId !== null && !ids.has(stepId as string))
      problems.push(`fields[${index}].position.stepId: names no step`);
  });
  return problems;
}

function v6(code: 'SCHEMA_VALIDATION_ERROR' | 'STEP_VALIDATION_ERROR', message: string, details: string[]): LegacyHttpException {
  return new LegacyHttpException(400, { success: false, error: { code, message, details: details.slice(0, 50) } });
}

/** Throws the legacy V6 body when the schema breaks a field or step rule. */
export function assertSchemaRules(schema: Record<string, unknown>): void {
  const problems = schemaProblems(schema);
  if (problems.length) throw v6('SCHEMA_VALIDATION_ERROR', 'Form schema validation failed', problems);
  const steps = stepProblems(schema);
  if (steps.length) throw v6('STEP_VALIDATION_ERROR', 'Step form validation failed', steps);
}

const clamp = (value: unknown, fallback: number) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : fallback;

/**
 * The legacy settings normalisation (F1/F9): layout and submission defaults, background
 * normalised, rowLayout and stepForm kept, plus the keys forms-api kept (businessLogicConfig,
 * templateId, templateCategory); every other key is dropped.
 */
export function normaliseSettings(input: unknown): Record<string, unknown> {
  const settings = isObject(input) ? input : {};
  const out: Record<string, unknown> = {
    layout: isObject(settings.layout) ? settings.layout : { columns: 1, spacing: 'medium' },
    submission: isObject(settings.submission)
      ? settings.submission
      : {
          showSuccessMessage: true,
          successMessage: 'Thank you for your submission!',
          allowMultipleSubmissions: true,
          sendEmailNotification: false,
        },
  };
  if (isObject(settings.background)) {
    const bg = settings.background;
    const type = ['none', 'image', 'custom'].includes(bg.type as string) ? (bg.type as string) : 'none';
    out.background = {
      type,
      imageUrl: type === 'image' && typeof bg.imageUrl === 'string' ? bg.imageUrl : '',
      imagePosition: type === 'image' && typeof bg.imagePosition === 'string' ? bg.imagePosition : 'cover',
      imageOpacity: clamp(bg.imageOpacity, 100),
      imageAlignment: type === 'image' && typeof bg.imageAlignment === 'string' ? bg.imageAlignment : 'center',
      imageBlur: clamp(bg.imageBlur, 0),
      customHtml: type === 'custom' && typeof bg.customHtml === 'string' ? bg.customHtml : '',
      customCss: type === 'custom' && typeof bg.customCss === 'string' ? bg.customCss : '',
    };
  }
  for (const key of ['rowLayout', 'stepForm', 'businessLogicConfig', 'templateId', 'templateCategory']) {
    if (settings[key] !== undefined) out[key] = settings[key];
  }
  return out;
}

/** F3 step 1: the latest version must be publishable. */
export function publishProblems(schemaJson: Record<string, unknown>): string[] {
  const fields = Array.isArray(schemaJson.fields) ? schemaJson.fields : [];
  const problems: string[] = [];
  if (!fields.length) problems.push('Form must have at least one field');
  const names = new Set<string>();
  fields.forEach((field, index) => {
    if (!isObject(field)) return;
    if (typeof field.label !== 'string' || !field.label) {
      if (!LAYOUT_TYPES.has(String(field.type))) problems.push(`Field ${index + 1} is missing a label`);
    }
    const name = fieldNameOf(field);
    if (!LAYOUT_TYPES.has(String(field.type))) {
      if (!name) problems.push(`Field ${index + 1} is missing a field name`);
      else if (names.has(name)) problems.push(`Duplicate field name: ${name}`);
      else names.add(name);
    }
    const pattern = isObject(field.validation) ? field.validation.pattern : undefined;
    if (typeof pattern === 'string' && pattern && !compiles(pattern)) problems.push(`Field ${name ?? index + 1} has an invalid pattern`);
  });
  const settings = isObject(schemaJson.settings) ? schemaJson.settings : {};
  if (!isObject(settings.layout) || !isObject(settings.submission)) problems.push('Settings must contain layout and submission');
  problems.push(...stepProblems(schemaJson));
  return problems;
}
