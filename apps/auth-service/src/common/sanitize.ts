/**
 * The legacy `ValidationMiddleware.sanitizeInput` (legacy-api.md 2.5), applied to register and
 * login bodies after validation and before hashing or comparing the password. Existing password
 * hashes were made from its output, so it must stay byte-for-byte the same: trim, drop `<` and
 * `>`, drop `javascript:`, drop `on<word>=`, cut at 10,000 characters; object keys keep only
 * `[A-Za-z0-9_]`.
 */
export function sanitizeLegacyString(value: string): string {
  return value
    .trim()
    .replace(/[<>]/g, '')
    .replace(/javascript:/gi, '')
    .replace(/on\w+=/gi, '')
    .substring(0, 10000);
}

export function sanitizeLegacyInput<T>(value: T): T {
  if (typeof value === 'string') return sanitizeLegacyString(value) as T;
  if (Array.isArray(value)) return value.map((item) => sanitizeLegacyInput(item)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key.replace(/[^A-Za-z0-9_]/g, '')] = sanitizeLegacyInput(item);
    return out as T;
  }
  return value;
}
