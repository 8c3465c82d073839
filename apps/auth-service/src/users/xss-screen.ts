import { BadRequestError } from '@nafs/http';
import { z } from 'zod';

const DANGEROUS = [/<script[\s\S]*?>[\s\S]*?<\/script>/i, /javascript:/i, /on\w+\s*=/i, /<iframe/i, /<object/i, /<embed/i];

/** The legacy XSS screen of U1/U4/U5: any string field that looks like markup is refused (400 SECURITY_ERROR). */
export function screenXss(value: unknown): void {
  if (typeof value === 'string') {
    if (DANGEROUS.some((pattern) => pattern.test(value)))
      throw new BadRequestError('SECURITY_ERROR', 'Potentially malicious content detected in request');
    return;
  }
  if (Array.isArray(value)) return value.forEach(screenXss);
  if (value !== null && typeof value === 'object') Object.values(value).forEach(screenXss);
}

/** `sanitizeUserInput`: fields a client may never set on a user. */
export function dropProtectedFields(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const {
    id: _id,
    passwordHash: _hash,
    createdAt: _created,
    updatedAt: _updated,
    lastLogin: _login,
    tenantId: _tenant,
    ...rest
  } = body as Record<string, unknown>;
  return rest;
}

/** `schema`, after the XSS screen and the protected-field drop (the legacy order of U1/U4/U5). */
export function screened<S extends z.ZodType>(schema: S) {
  return z.preprocess((body) => {
    screenXss(body);
    return dropProtectedFields(body);
  }, schema);
}
