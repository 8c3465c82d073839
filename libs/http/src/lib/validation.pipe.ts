import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { createZodValidationPipe } from 'nestjs-zod';
import { ZodError } from 'zod';
import { RequestValidationError, type RequestLocation } from './errors';

function createValidationException(error: unknown): Error {
  if (error instanceof ZodError) return new RequestValidationError(error.issues.map((issue) => ({ path: issue.path, message: issue.message })));
  return error instanceof Error ? error : new Error(String(error));
}

const ZodPipe = createZodValidationPipe({ createValidationException });

const LOCATIONS: Partial<Record<ArgumentMetadata['type'], RequestLocation>> = { body: 'body', query: 'query', param: 'params' };

/**
 * The one global pipe: every `@Body()`, `@Query()` and `@Param()` typed with a `createZodDto` class
 * is parsed by its schema; a failure becomes a RequestValidationError that knows where the input
 * came from, which the filter renders in the route's V-family. Parameters of other types pass
 * through untouched.
 */
export class LegacyValidationPipe implements PipeTransform {
  private readonly zod = new ZodPipe();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const location = LOCATIONS[metadata.type];
    // No JSON body (or an empty query) parses as an empty object, so the schema names the missing fields.
    const input = value === undefined && location && !metadata.data ? {} : value;
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
