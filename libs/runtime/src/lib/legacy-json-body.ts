import type { IncomingMessage } from 'node:http';

import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';

/** Deepest nesting of arrays/objects a JSON body may have; deeper bodies are 400s before parsing. */
export const MAX_JSON_DEPTH = 64;

/** A body-parser style client error: the global filter of @nafs/http answers it in the route's family. */
class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly statusCode = 400;
  readonly expose = true;
  readonly type = 'entity.too.deep';

  constructor(maxDepth: number) {
    super(`JSON body must not be nested more than ${maxDepth} levels`);
  }
}

/**
 * Refuses a raw JSON body nested deeper than `maxDepth`, in one pass over its bytes and before
 * JSON.parse, so a body nested 100,000 levels costs nothing and never reaches a recursive
 * validator, serialiser or jsonb encoder (those overflowed the stack: 500s).
 */
export function assertJsonDepth(raw: Buffer, maxDepth = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      if (++depth > maxDepth) throw new JsonTooDeepError(maxDepth);
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
}

export interface JsonBodyOptions {
  /** Body size limit (body-parser syntax); the legacy limit is 10 MB. */
  limit?: string;
  maxDepth?: number;
}

/**
 * The JSON body handling (legacy-api.md 1.6): a size limit (10 MB by default, as the legacy) and
 * a nesting limit. Parse failures, oversize and too-deep bodies reach the global filter of
 * @nafs/http, which answers them in the route's legacy family (400 / 413).
 */
export function useLegacyJsonBody(app: INestApplication, options: JsonBodyOptions = {}): void {
  const { limit = '10mb', maxDepth = MAX_JSON_DEPTH } = options;
  (app as NestExpressApplication).useBodyParser('json', {
    limit,
    verify: (_req: IncomingMessage, _res: unknown, raw: Buffer) => assertJsonDepth(raw, maxDepth),
  });
}
