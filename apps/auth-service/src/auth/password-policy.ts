/** Policy P1 (register, reset confirm; legacy-api.md 2.5): one message per failed rule, joined with ", ". */
export function passwordPolicyP1(password: string): string | null {
  const problems: string[] = [];
  if (password.length < 8) problems.push('Password must be at least 8 characters long');
  if (password.length > 128) problems.push('Password must not exceed 128 characters');
  if (!/[A-Z]/.test(password)) problems.push('Password must contain at least one uppercase letter');
  if (!/[a-z]/.test(password)) problems.push('Password must contain at least one lowercase letter');
  if (!/\d/.test(password)) problems.push('Password must contain at least one number');
  if (!/[!@#$%^&*()_+\-=[\]{};':"\\|,.<>/?]/.test(password)) problems.push('Password must contain at least one special character');
  return problems.length ? problems.join(', ') : null;
}

/** Policy P2 (admin user create): special characters only from `@$!%*?&`. */
export function passwordPolicyP2(password: string): string | null {
  if (password.length < 8 || password.length > 128) return 'Password must be between 8 and 128 characters';
  if (!/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[@$!%*?&])/.test(password)) {
    return 'Password must contain at least one lowercase letter, one uppercase letter, one number, and one special character (@$!%*?&)';
  }
  return null;
}
