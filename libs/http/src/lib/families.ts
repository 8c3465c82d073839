import { STATUS_CODES } from 'node:http';

import type { RequestLocation, ValidationIssue } from './errors';

/** The legacy error envelopes (legacy-api.md 1.3), and forms-api's "G" (forms-extras.md 0.1). */
export type ErrorFamily = 'E1' | 'E2' | 'E3' | 'E4' | 'E5' | 'E6' | 'E7' | 'E8' | 'G';
/** The legacy validation envelopes (legacy-api.md 1.4), and forms-api's "VT" (template create/update). */
export type ValidationFamily = 'V1' | 'V2' | 'V3' | 'V4' | 'V5' | 'V6' | 'V7' | 'VT';

export interface FamilyChoice {
  errors: ErrorFamily;
  validation: ValidationFamily;
  /** The V-family's `message` where it has one (V2 users say "Invalid input data", themes "Validation failed"). */
  validationMessage?: string;
}

export const reasonPhrase = (status: number) => STATUS_CODES[status] ?? 'Error';

/** E2/E4 `code` of an error that is not a DomainError (body-parser, Nest, unknown failures). */
export const CODE_OF_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  423: 'LOCKED',
  429: 'RATE_LIMIT_EXCEEDED',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

export const codeOfStatus = (status: number) => CODE_OF_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');

export interface RenderedError {
  status: number;
  code?: string;
  message: string;
  details?: unknown;
}

export interface RenderOptions {
  /**
   * Production hides only the text of 5xx answers. The legacy global handler also replaced every
   * 4xx message of E3 and G with "An error occurred" and dropped E3's code (legacy-api.md §6 item
   * 13): a defect that left the form builder unable to tell a user what was wrong, fixed here.
   */
  production: boolean;
}

/** Longest message an error body carries, so no answer echoes a large part of its input (issue 17.5). */
export const MAX_MESSAGE_LENGTH = 500;
/** Longest echoed input value in a validation detail. */
export const MAX_ECHOED_VALUE = 200;
/** Most details a validation body lists. */
export const MAX_DETAILS = 20;
/** All echoed input values of one body together stay under this (issue 17.5: ≤ 1 KB of input). */
export const MAX_ECHOED_TOTAL = 800;

export function boundedMessage(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
}

/** Echoes input values until the body's budget is spent; then values are omitted. */
function echoBudget() {
  let left = MAX_ECHOED_TOTAL;
  return (value: unknown): unknown => {
    const bounded = boundedValue(value);
    const size = bounded === undefined ? 0 : (JSON.stringify(bounded) ?? '').length;
    if (size > left) return '[omitted]';
    left -= size;
    return bounded;
  };
}

/** The input value shown in a validation detail: small values as they were, large ones cut. */
export function boundedValue(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_ECHOED_VALUE ? `${value.slice(0, MAX_ECHOED_VALUE)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return json !== undefined && json.length <= MAX_ECHOED_VALUE ? value : '[too large to show]';
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const extraFields = (details: unknown) => (isPlainObject(details) ? details : {});

/** The body of an error in family `family`; `timestamp` is added here where the family has one. */
export function renderError(family: ErrorFamily, error: RenderedError, options: RenderOptions): Record<string, unknown> {
  const { status } = error;
  const message = boundedMessage(error.message);
  const timestamp = new Date().toISOString();
  switch (family) {
    case 'E1':
      return { error: reasonPhrase(status), message, ...extraFields(error.details), timestamp };
    case 'E2': {
      const body = { code: error.code ?? codeOfStatus(status), message };
      return { success: false, error: error.details === undefined ? body : { ...body, details: error.details }, timestamp };
    }
    case 'E3':
      return {
        success: false,
        error: status >= 500 ? 'Internal Server Error' : 'Bad Request',
        message: options.production && status >= 500 ? 'An error occurred' : message,
        // Not in the legacy body (its handler dropped ApiError.code); added so clients can branch on it.
        ...(error.code && status < 500 ? { code: error.code } : {}),
        timestamp,
        ...extraFields(error.details),
      };
    case 'E4':
      return { status: 'error', message, code: error.code ?? codeOfStatus(status), timestamp, ...extraFields(error.details) };
    case 'E5':
      return { success: false, message, ...extraFields(error.details) };
    case 'E6':
      return { error: message };
    case 'E7':
      return { success: false, message, ...extraFields(error.details) };
    case 'E8':
      return { success: false, error: message };
    case 'G':
      return {
        success: false,
        error: error.code ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST'),
        message: options.production && status >= 500 ? 'An error occurred' : message,
        timestamp,
        ...extraFields(error.details),
      };
  }
}

/** An unexpected failure (500): the message is never the exception's. */
export function renderInternalError(family: ErrorFamily, options: RenderOptions): Record<string, unknown> {
  if (family === 'E7') return { success: false, message: 'Internal server error', error: 'An unexpected error occurred' };
  if (family === 'E6') return { error: 'Internal server error' };
  if (family === 'G') return renderError('G', { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'An error occurred' }, options);
  return renderError(family, { status: 500, code: 'INTERNAL_ERROR', message: 'An error occurred' }, options);
}

/** The legacy global 404 for a path no route serves (legacy-api.md 1.3, global fallbacks). */
export function renderUnknownRoute(): Record<string, unknown> {
  return { success: false, error: 'Not Found', message: 'The requested resource was not found', timestamp: new Date().toISOString() };
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const fieldOf = (issue: ValidationIssue) => issue.path.map(String).join('.');

/** express-validator's raw error item (V2, V3, V4). */
export interface RawValidationItem {
  type: 'field';
  value: unknown;
  msg: string;
  path: string;
  location: RequestLocation;
}

/** The V-family body of a validation failure: one detail per field (its first problem), bounded. */
export function renderValidation(
  family: ValidationFamily,
  issues: ValidationIssue[],
  location: RequestLocation,
  input: unknown,
  options: RenderOptions & { message?: string },
): Record<string, unknown> {
  const seen = new Set<string>();
  const firsts = issues
    .filter((issue) => {
      const field = fieldOf(issue);
      if (seen.has(field)) return false;
      seen.add(field);
      return true;
    })
    .slice(0, MAX_DETAILS);
  const echo = echoBudget();
  const raw = (): RawValidationItem[] =>
    firsts.map((issue) => ({
      type: 'field',
      value: echo(valueAt(input, issue.path)),
      msg: boundedMessage(issue.message),
      path: fieldOf(issue),
      location,
    }));
  const timestamp = new Date().toISOString();
  switch (family) {
    case 'V1':
      return {
        error: 'Validation Error',
        message: options.message ?? 'Invalid input data provided',
        details: firsts.map((issue) => ({
          field: fieldOf(issue),
          message: boundedMessage(issue.message),
          value: echo(valueAt(input, issue.path)),
        })),
        timestamp,
      };
    case 'V2':
      return {
        success: false,
        error: { code: 'VALIDATION_ERROR', message: options.message ?? 'Invalid input data', details: raw() },
        timestamp,
      };
    case 'V3':
      return { success: false, errors: raw() };
    case 'VT':
      return { success: false, errors: raw(), timestamp };
    case 'V4':
      return { error: 'Validation failed', details: raw() };
    case 'V5':
      return renderError('E3', { status: 400, message: options.message ?? 'Invalid input data' }, options);
    case 'V6':
      return {
        success: false,
        error: {
          code: 'SCHEMA_VALIDATION_ERROR',
          message: options.message ?? 'Form schema validation failed',
          details: firsts.map((issue) => boundedMessage(fieldOf(issue) ? `${fieldOf(issue)}: ${issue.message}` : issue.message)),
        },
        timestamp,
      };
    case 'V7':
      return {
        success: false,
        error: 'Bad Request',
        message: options.message ?? 'Validation failed',
        timestamp,
        errors: Object.fromEntries(firsts.map((issue) => [fieldOf(issue), boundedMessage(issue.message)])),
      };
  }
}
