import type { z } from 'zod';
import { v1, v2, type V2Detail } from './legacy-errors';

export type ValidationFamily = 'V1' | 'V2';

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Parses `input` with `schema`, or throws the legacy validation error of the route's family, one
 * detail per invalid field (its first problem), so a bad request never reaches a query.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, family: ValidationFamily, location: V2Detail['location'] = 'body'): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const seen = new Set<string>();
  const issues = result.error.issues.filter((issue) => {
    const field = issue.path.map(String).join('.');
    if (seen.has(field)) return false;
    seen.add(field);
    return true;
  });
  if (family === 'V1') {
    throw v1(issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message, value: valueAt(input, issue.path) })));
  }
  throw v2(issues.map((issue) => ({ type: 'field', value: valueAt(input, issue.path), msg: issue.message, path: issue.path.map(String).join('.'), location })));
}
