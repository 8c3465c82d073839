import { randomInt } from 'node:crypto';

/** Generated codes: 7 characters without the look-alikes 0/O/o/1/l/I (legacy-api.md 3.3 F24). */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz';
export const GENERATED_CODE_LENGTH = 7;
export const CODE_ATTEMPTS = 10;

/** Names a custom code may not take (legacy reserved list). */
export const RESERVED_NAMES = new Set([
  'admin',
  'api',
  'auth',
  'health',
  'static',
  'public',
  'assets',
  'docs',
  'swagger',
  'login',
  'logout',
  'register',
  'dashboard',
  'profile',
  'settings',
  'tools',
  's',
]);

/** The DB CHECK of `short_links.code`: 3–30 of [A-Za-z0-9-], no `--`, no edge hyphen. */
export const CODE_PATTERN = /^(?!-)(?!.*--)[A-Za-z0-9-]{3,30}(?<!-)$/;

export function isValidCode(code: unknown): boolean {
  return typeof code === 'string' && CODE_PATTERN.test(code);
}

export function generateCode(): string {
  let code = '';
  for (let i = 0; i < GENERATED_CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** Why a custom name is refused, or null when it is acceptable (availability is checked separately). */
export function customNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 30) return 'Custom name must be between 3 and 30 characters';
  if (!/^[A-Za-z0-9-]+$/.test(name)) return 'Custom name can only contain letters, numbers, and hyphens';
  if (name.includes('--')) return 'Custom name cannot contain consecutive hyphens';
  if (name.startsWith('-') || name.endsWith('-')) return 'Custom name cannot start or end with a hyphen';
  if (RESERVED_NAMES.has(name.toLowerCase())) return 'This name is reserved and cannot be used';
  return null;
}
