import { UUID_PATTERN } from '@nafs/contracts';
import { z } from 'zod';

import { passwordPolicyP1 } from './password-policy';

/** The users table's CHECK (valid_email): what passes here can always be stored. */
export const EMAIL_PATTERN = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/;

/** Trimmed, lower-cased (express-validator normalizeEmail as legacy configured it), ≤255, storable. */
export const email = () =>
  z
    .string({ error: 'Please provide a valid email address' })
    .trim()
    .toLowerCase()
    .max(255, 'Email must not exceed 255 characters')
    .regex(EMAIL_PATTERN, 'Please provide a valid email address');

export const strongPassword = (label = 'Password') =>
  z.string({ error: `${label} is required` }).superRefine((value, ctx) => {
    const problem = passwordPolicyP1(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A1/A7 names: trimmed, 1-100 letters, spaces, apostrophes and hyphens. */
export const personName = (label: string) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(100, `${label} must not exceed 100 characters`)
    .regex(/^[\p{L}\p{M} '-]+$/u, `${label} can only contain letters, spaces, hyphens, and apostrophes`);

export const registerSchema = z.object({
  email: email(),
  password: strongPassword(),
  firstName: personName('First name'),
  lastName: personName('Last name'),
  tenantId: z.string({ error: 'Tenant ID must be a valid UUID' }).regex(UUID_PATTERN, 'Tenant ID must be a valid UUID').optional(),
});

export const loginSchema = z.object({
  email: email(),
  password: z.string({ error: 'Password is required' }).min(1, 'Password is required').max(128, 'Password must not exceed 128 characters'),
});

export const refreshSchema = z.object({
  refreshToken: z.string({ error: 'Refresh token is required' }).min(1, 'Refresh token is required').max(2000, 'Invalid refresh token'),
});

export const logoutSchema = z.object({ refreshToken: z.unknown().optional() });

export const updateProfileSchema = z.object({
  firstName: personName('First name').optional(),
  lastName: personName('Last name').optional(),
  email: email().optional(),
});

export const passwordResetRequestSchema = z.object({ email: email() });

export const resetTokenSchema = z.object({
  token: z
    .string({ error: 'Reset token is required' })
    .min(1, 'Reset token is required')
    .max(255, 'Reset token must not exceed 255 characters'),
});

export const passwordResetConfirmSchema = resetTokenSchema.extend({ newPassword: strongPassword('New password') });

export const unlockSchema = z.object({ email: z.string({ error: 'Email is required' }).trim().min(1, 'Email is required').max(255) });

export type RegisterInput = z.output<typeof registerSchema>;
export type LoginInput = z.output<typeof loginSchema>;
export type UpdateProfileInput = z.output<typeof updateProfileSchema>;
