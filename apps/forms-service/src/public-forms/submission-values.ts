import { escapeHtml } from '@nafs/http';
/**
 * F22's validation matrix (legacy-api.md 3.3): checks `values` against the schema's fields and
 * returns what is stored (text HTML-escaped, numbers as numbers, e-mails normalised), or a map
 * of field name → message (V7).
 */

export interface SchemaField {
  id?: string;
  type?: string;
  fieldName?: string;
  /** Older schemas (the legacy fixture among them) name the key `name`. */
  name?: string;
  label?: string;
  required?: boolean;
  options?: { label?: string; value?: unknown }[];
  validation?: { min?: number; max?: number; minLength?: number; maxLength?: number; pattern?: string; errorMessage?: string };
  metadata?: Record<string, unknown>;
}

/** Longest string accepted in any value: bounded where the legacy had only the 10 MB body limit. */
export const MAX_VALUE_STRING = 100_000;
const MAX_DEPTH = 16;

export type ValidationResult = { ok: true; values: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** `validator.normalizeEmail` with its defaults: lower case; Gmail without dots and +tags. */
export function normalizeEmail(email: string): string {
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at).toLowerCase();
  let domain = email.slice(at + 1).toLowerCase();
  if (domain === 'gmail.com' || domain === 'googlemail.com') {
    local = local.split('+')[0].replace(/\./g, '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const ISO_DATETIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$/;

export function isIsoDate(value: string): boolean {
  return (
    (ISO_DATE.test(value) || ISO_DATETIME.test(value)) && !Number.isNaN(Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value))
  );
}

const isEmpty = (value: unknown) =>
  value === undefined ||
  value === null ||
  (typeof value === 'string' && value.trim() === '') ||
  (Array.isArray(value) && value.length === 0);

/** Why a JSON value cannot be stored (NUL bytes, oversized strings, too deep), or null. */
export function unstorable(value: unknown, depth = 0): string | null {
  if (depth > MAX_DEPTH) return 'Value is nested too deeply';
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return 'Value contains an invalid character';
    if (value.length > MAX_VALUE_STRING) return `Value must be at most ${MAX_VALUE_STRING} characters`;
    return null;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = unstorable(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const problem = unstorable(key, depth + 1) ?? unstorable(item, depth + 1);
      if (problem) return problem;
    }
  }
  return null;
}

/** The values key of a field: `fieldName`, else `name`. */
export const keyOf = (field: SchemaField): string | undefined =>
  typeof field.fieldName === 'string' && field.fieldName
    ? field.fieldName
    : typeof field.name === 'string' && field.name
      ? field.name
      : undefined;

/** Layout-only fields: never required (the legacy skipped only dividers, so a "required" heading blocked every submission). */
const DISPLAY_ONLY = new Set(['heading', 'group', 'background-custom', 'text_block', 'image', 'step', 'spacer']);

const optionValues = (field: SchemaField) => (field.options ?? []).map((option) => String(option?.value));

export function validateSubmission(fields: SchemaField[], values: Record<string, unknown>): ValidationResult {
  const errors: Record<string, string> = {};
  const clean: Record<string, unknown> = {};
  const byName = new Map<string, SchemaField>();
  for (const field of fields) {
    const key = keyOf(field);
    if (key) byName.set(key, field);
  }

  for (const key of Object.keys(values)) {
    if (!byName.has(key)) errors[key] = `Unknown field: ${key.slice(0, 100)}`;
  }

  for (const [name, field] of byName) {
    if (field.type === 'divider') continue;
    const value = values[name];
    const label = field.label || name;
    if (isEmpty(value)) {
      if (field.required && !DISPLAY_ONLY.has(String(field.type))) errors[name] = `${label} is required`;
      else if (value !== undefined) clean[name] = value;
      continue;
    }
    const problem = unstorable(value);
    if (problem) {
      errors[name] = problem;
      continue;
    }
    const result = checkField(field, label, value);
    if ('error' in result) errors[name] = result.error;
    else clean[name] = result.value;
  }

  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, values: clean };
}

function checkField(field: SchemaField, label: string, value: unknown): { value: unknown } | { error: string } {
  const rules = field.validation ?? {};
  switch (field.type) {
    case 'email': {
      if (typeof value !== 'string' || value.length > 254 || !EMAIL.test(value.trim()))
        return { error: `${label} must be a valid email address` };
      return { value: normalizeEmail(value.trim()) };
    }
    case 'number': {
      const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(number)) return { error: `${label} must be a valid number` };
      if (typeof rules.min === 'number' && number < rules.min) return { error: `${label} must be at least ${rules.min}` };
      if (typeof rules.max === 'number' && number > rules.max) return { error: `${label} must be at most ${rules.max}` };
      return { value: number };
    }
    case 'text':
    case 'textarea': {
      if (typeof value !== 'string') return { error: `${label} must be a string` };
      if (typeof rules.minLength === 'number' && value.length < rules.minLength)
        return { error: `${label} must be at least ${rules.minLength} characters` };
      if (typeof rules.maxLength === 'number' && value.length > rules.maxLength)
        return { error: `${label} must be at most ${rules.maxLength} characters` };
      if (typeof rules.pattern === 'string' && rules.pattern) {
        let pattern: RegExp | null = null;
        // Unicode mode first, so `\p{L}` means a letter; a pattern that does not compile is not enforced.
        for (const flags of ['u', '']) {
          try {
            pattern = new RegExp(rules.pattern, flags);
            break;
          } catch {
            pattern = null;
          }
        }
        if (pattern && !pattern.test(value)) return { error: rules.errorMessage || `${label} format is invalid` };
      }
      return { value: escapeHtml(value) };
    }
    case 'checkbox': {
      if (!field.options?.length) {
        if (typeof value !== 'boolean') return { error: `${label} must be true or false` };
        return { value };
      }
      const allowed = optionValues(field);
      const chosen =
        typeof value === 'string' ? value.split(',').map((part) => part.trim()) : Array.isArray(value) ? value.map(String) : null;
      if (!chosen || chosen.some((item) => !allowed.includes(item))) return { error: `${label} contains an invalid option` };
      return { value };
    }
    case 'toggle':
      return typeof value === 'boolean' ? { value } : { error: `${label} must be true or false` };
    case 'select':
    case 'radio': {
      if (typeof value === 'object') return { error: `${label} must be one of the available options` };
      return optionValues(field).includes(String(value)) ? { value } : { error: `${label} must be one of the available options` };
    }
    case 'date':
    case 'datetime':
      return typeof value === 'string' && isIsoDate(value) ? { value } : { error: `${label} must be a valid date` };
    default:
      return { value };
  }
}
