import { z } from 'zod';

/**
 * Zod building blocks every DTO uses, so bad input is a 400 in the route's V-family and never
 * reaches PostgreSQL: bounded strings without NUL bytes (PostgreSQL text and jsonb refuse them),
 * ids that are uuids, dates PostgreSQL can store, bounded JSON.
 */

const NUL = '\u0000';
export const NUL_MESSAGE = 'must not contain NUL bytes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Any PostgreSQL-shaped uuid (not only RFC 4122 variants: the legacy data has others). */
export const zUuidWith = (message: string) => z.string(message).regex(UUID, message);
export const zUuid = zUuidWith('must be a valid UUID');

export interface TextOptions {
  min?: number;
  /** Trim before checking the length (and store trimmed). */
  trim?: boolean;
  /** Message for every length failure (and the type, unless `invalidType`/`required` say otherwise). */
  message?: string;
  /** Message when the value is present but not a string. */
  invalidType?: string;
  /** Message when the value is missing. */
  required?: string;
}

/** A string of at most `max` characters (after trimming if asked), refusing NUL bytes. */
export function zText(max: number, options: TextOptions = {}) {
  const { min, trim, message, invalidType, required } = options;
  const typeError =
    invalidType || required
      ? (issue: { input?: unknown }) => (issue.input === undefined ? (required ?? invalidType) : (invalidType ?? message))
      : message;
  let schema = z.string(typeError === undefined ? undefined : { error: typeError });
  if (trim) schema = schema.trim();
  if (min !== undefined) schema = schema.min(min, message ?? (min === 1 ? 'must not be empty' : `must be at least ${min} characters`));
  return schema.max(max, message ?? `must be at most ${max} characters`).refine((value) => !value.includes(NUL), NUL_MESSAGE);
}

/** `true`/`false` as a query string. */
export const zBooleanString = z.enum(['true', 'false'], 'must be true or false').transform((value) => value === 'true');

// PostgreSQL timestamps reach 294276 AD, but JavaScript dates and ISO-8601 without a sign stop at
// 9999; before year 1 the legacy never stored anything.
const MIN_TIME = new Date('0001-01-01T00:00:00Z').getTime();
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An ISO-8601 date or date-time in years 1–9999, as a Date. */
export const zDateTime = z
  .string('must be an ISO 8601 date')
  .max(40, 'must be an ISO 8601 date')
  .refine((value) => /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value), 'must be an ISO 8601 date')
  .transform((value) => new Date(value))
  .refine(
    (date) => !Number.isNaN(date.getTime()) && date.getTime() >= MIN_TIME && date.getTime() <= MAX_TIME,
    'must be a date between years 1 and 9999',
  );

/**
 * A positive whole number from a query string, `fallback` when absent or empty, every failure
 * `<label> must be a positive integer` (auth's legacy paging, which clamps `limit` instead of
 * refusing it: chain `.transform`).
 */
export const zPositiveInt = (label: string, fallback: number) =>
  z.preprocess(
    (value) => (value === undefined || value === '' ? fallback : value),
    z.coerce
      .number({ error: `${label} must be a positive integer` })
      .int(`${label} must be a positive integer`)
      .min(1, `${label} must be a positive integer`),
  );

export interface PaginationOptions {
  defaultLimit?: number;
  maxLimit?: number;
}

/** `page` (≥1, default 1) and `limit` (1..maxLimit) from a query string; extend it with the route's filters. */
export function zPagination({ defaultLimit = 20, maxLimit = 100 }: PaginationOptions = {}) {
  return z.object({
    page: z.coerce
      .number('page must be a positive integer')
      .int('page must be a positive integer')
      .min(1, 'page must be a positive integer')
      .max(1_000_000, 'page is too large')
      .default(1),
    limit: z.coerce
      .number(`limit must be between 1 and ${maxLimit}`)
      .int(`limit must be between 1 and ${maxLimit}`)
      .min(1, `limit must be between 1 and ${maxLimit}`)
      .max(maxLimit, `limit must be between 1 and ${maxLimit}`)
      .default(defaultLimit),
  });
}

export interface JsonLimits {
  /** Serialised size limit in bytes. */
  maxBytes: number;
  /** Deepest nesting of objects and arrays. */
  maxDepth?: number;
}

/** Why a JSON value cannot be stored as jsonb within limits, or null. */
export function jsonProblem(value: unknown, { maxBytes, maxDepth = 32 }: JsonLimits): string | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [current, depth] = item;
    if (typeof current === 'string') {
      if (current.includes(NUL)) return NUL_MESSAGE;
    } else if (current !== null && typeof current === 'object') {
      if (depth >= maxDepth) return `must not be nested more than ${maxDepth} levels`;
      for (const [key, child] of Object.entries(current)) {
        if (key.includes(NUL)) return NUL_MESSAGE;
        stack.push([child, depth + 1]);
      }
    }
  }
  const size = Buffer.byteLength(JSON.stringify(value) ?? '');
  return size > maxBytes ? `must be at most ${maxBytes} bytes` : null;
}

/** Wraps a schema of JSON data (jsonb columns) with the NUL, depth and size checks. */
export function zJson<S extends z.ZodType>(schema: S, limits: JsonLimits) {
  return schema.superRefine((value, context) => {
    const problem = jsonProblem(value, limits);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });
}
