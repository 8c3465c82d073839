import { USER_ROLES } from '@nafs/contracts';
import { UUID_PATTERN } from '@nafs/contracts';
import { escapeHtml, zPositiveInt } from '@nafs/http';
import { z } from 'zod';

import { email } from '../auth/auth.schemas';
import { passwordPolicyP2 } from '../auth/password-policy';

/** U1/U4/U5 names: trimmed, 1-50 of `[A-Za-z0-9 -'.]`, stored HTML-escaped (legacy 5.9) and so at most 100 long. */
const adminName = (label: string) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} must be between 1 and 50 characters`)
    .max(50, `${label} must be between 1 and 50 characters`)
    .regex(/^[A-Za-z0-9 \-'.]+$/, `${label} can only contain letters, numbers, spaces, hyphens, apostrophes and periods`)
    .transform((value) => escapeHtml(value))
    .refine((value) => value.length <= 100, `${label} is too long once escaped`);

const role = z.enum(USER_ROLES, { error: `Role must be one of: ${USER_ROLES.join(', ')}` });
const flag = (label: string) => z.boolean({ error: `${label} must be a boolean` });

export const createUserSchema = z.object({
  email: email(),
  password: z.string({ error: 'Password is required' }).superRefine((value, ctx) => {
    const problem = passwordPolicyP2(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  firstName: adminName('First name'),
  lastName: adminName('Last name'),
  role: role.default('user'),
});

export const replaceUserSchema = z.object({
  email: email(),
  firstName: adminName('First name'),
  lastName: adminName('Last name'),
  role,
  isActive: flag('isActive').optional(),
  emailVerified: flag('emailVerified').optional(),
});

export const patchUserSchema = replaceUserSchema.partial();

export const listUsersQuerySchema = z.object({
  page: zPositiveInt('Page', 1),
  // Legacy clamps the limit instead of refusing it.
  limit: zPositiveInt('Limit', 20).transform((value) => Math.min(value, 100)),
  search: z
    .string({ error: 'Search must be a string' })
    .trim()
    .min(1, 'Search must be between 1 and 100 characters')
    .max(100, 'Search must be between 1 and 100 characters')
    .regex(/^[A-Za-z0-9 @._-]+$/, 'Search contains invalid characters')
    .transform((value) => escapeHtml(value))
    .optional(),
  role: role.optional(),
  status: z.enum(['active', 'inactive', 'all'], { error: 'Status must be one of: active, inactive, all' }).default('active'),
});

export const userIdParamSchema = z.object({ id: z.string().regex(UUID_PATTERN, 'Invalid user ID format') });

export type CreateUserInput = z.output<typeof createUserSchema>;
export type ReplaceUserInput = z.output<typeof replaceUserSchema>;
export type PatchUserInput = z.output<typeof patchUserSchema>;
export type ListUsersQuery = z.output<typeof listUsersQuerySchema>;
