import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { createZodValidationPipe } from 'nestjs-zod';
import { ZodError } from 'zod';

import { type RequestLocation, RequestValidationError } from './errors';
import { NUL_MESSAGE } from './zod';

function createValidationException(error: unknown): Error {
  if (error instanceof ZodError)
    return new RequestValidationError(error.issues.map((issue) => ({ path: issue.path, message: issue.message })));
  return error instanceof Error ? error : new Error(String(error));
}

const ZodPipe = createZodValidationPipe({ createValidationException });

/** The path of the first string (or key) holding a NUL byte, or null. Iterative: input depth is bounded by the body parser. */
function nulPath(input: unknown): PropertyKey[] | null {
  const stack: Array<[unknown, PropertyKey[]]> = [[input, []]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [value, path] = item;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (key.includes('\u0000')) return path;
        stack.push([child, [...path, key]]);
      }
    }
  }
  return null;
}

const LOCATIONS: Partial<Record<ArgumentMetadata['type'], RequestLocation>> = { body: 'body', query: 'query', param: 'params' };

/**
 * The one global pipe: every `@Body()`, `@Query()` and `@Param()` typed with a `createZodDto` class
 * is parsed by its schema; a failure becomes a RequestValidationError that knows where the input
 * came from, which the filter renders in the route's V-family. Parameters of other types pass
 * through unparsed, but no body, query or path value may contain a NUL byte.
 */
export class LegacyValidationPipe implements PipeTransform {
  private readonly zod = new ZodPipe();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const location = LOCATIONS[metadata.type];
    // No JSON body (or an empty query) parses as an empty object, so the schema names the missing fields.
    const input = value === undefined && location && !metadata.data ? {} : value;
    // PostgreSQL refuses NUL in text and jsonb: no request string may carry one, typed or not.
    const nul = location ? nulPath(input) : null;
    if (nul) {
      const error = new RequestValidationError([{ path: nul, message: NUL_MESSAGE }]);
      error.location = location as RequestLocation;
      error.input = metadata.data ? { [metadata.data]: input } : input;
      if (metadata.data) nul.unshift(metadata.data);
      throw error;
    }
    try {
      return this.zod.transform(input, metadata);
    } catch (error) {
      if (error instanceof RequestValidationError && location) {
        error.location = location;
        error.input = metadata.data ? { [metadata.data]: input } : input;
        if (metadata.data) error.issues.forEach((issue) => issue.path.unshift(metadata.data as string));
      }
      throw error;
    }
  }
}
