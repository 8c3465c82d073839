import { API_TOKEN_SCOPES } from '@nafs/contracts';
import { UUID_PATTERN } from '@nafs/contracts';
import { escapeHtml, zPositiveInt } from '@nafs/http';
import { z } from 'zod';

const TEN_YEARS_MS = 10 * 365.25 * 24 * 3600 * 1000;

const name = z
  .string({ error: 'Token name is required' })
  .trim()
  .min(1, 'Token name must be between 1 and 100 characters')
  .max(100, 'Token name must be between 1 and 100 characters')
  .regex(/^[A-Za-z0-9 _.-]+$/, 'Token name can only contain letters, numbers, spaces, hyphens, underscores and periods')
  .transform((value) => escapeHtml(value));

const scopes = z
  .array(z.enum(API_TOKEN_SCOPES, { error: `Each scope must be one of: ${API_TOKEN_SCOPES.join(', ')}` }), {
    error: 'Scopes must be a non-empty array',
  })
  .min(1, 'Scopes must be a non-empty array')
  .refine((values) => new Set(values).size === values.length, 'Scopes must not contain duplicates');

export const createTokenSchema = z.object({
  name,
  scopes,
  expiresAt: z
    .string({ error: 'expiresAt must be an ISO 8601 date' })
    .refine(
      (value) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value)),
      'expiresAt must be an ISO 8601 date',
    )
    .transform((value) => new Date(value))
    .refine((date) => date.getTime() > Date.now(), 'expiresAt must be in the future')
    .refine((date) => date.getTime() <= Date.now() + TEN_YEARS_MS, 'expiresAt must be at most 10 years ahead')
    .optional(),
});

export const updateTokenSchema = z.object({
  name: name.optional(),
  scopes: scopes.optional(),
  isActive: z.boolean({ error: 'isActive must be a boolean' }).optional(),
});

export const tokenIdParamSchema = z.object({ id: z.string().regex(UUID_PATTERN, 'Invalid token ID format') });

/** Dates stay strings here: an invalid one is the legacy 400 INVALID_DATE, not a validation error. */
export const usageQuerySchema = z.object({
  page: zPositiveInt('page', 1),
  limit: zPositiveInt('limit', 50).transform((value) => Math.min(value, 100)),
  from: z.string().optional(),
  to: z.string().optional(),
  status: z.string().optional(),
  endpoint: z.string().max(512, 'endpoint must not exceed 512 characters').optional(),
  method: z.string().max(10, 'method must not exceed 10 characters').optional(),
});

export const rangeQuerySchema = z.object({ from: z.string().optional(), to: z.string().optional(), period: z.string().optional() });

export type CreateTokenInput = z.output<typeof createTokenSchema>;
export type UpdateTokenInput = z.output<typeof updateTokenSchema>;
export type UsageQuery = z.output<typeof usageQuerySchema>;
