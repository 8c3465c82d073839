/** Any RFC 4122 textual uuid (legacy ids are not all v4, e.g. the fixed export-job ids). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}

/**
 * A legacy API token as presented in `Authorization: Bearer`: 64 lowercase hex characters (the
 * form legacy issued and bcrypt-compared). auth and the identity client in web and forms must
 * agree on it, or one would accept a token the other refuses.
 */
export const API_TOKEN_PATTERN = /^[0-9a-f]{64}$/;

export function isApiTokenFormat(value: unknown): value is string {
  return typeof value === 'string' && API_TOKEN_PATTERN.test(value);
}
