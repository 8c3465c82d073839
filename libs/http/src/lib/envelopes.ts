/** Success bodies of the legacy families (legacy-api.md 1.3). Controllers return them. */

const now = () => new Date().toISOString();

/** E1 success: `{ message, data?, timestamp }`. */
export function e1Ok<T>(message: string, data?: T, extra: Record<string, unknown> = {}) {
  return data === undefined ? { message, ...extra, timestamp: now() } : { message, data, ...extra, timestamp: now() };
}

/** E2 success: `{ success: true, message?, data, timestamp }` (+ `meta` or `pagination` on some routes, via `extra`). */
export function e2Ok<T>(data: T, message?: string, extra: Record<string, unknown> = {}) {
  return message === undefined
    ? { success: true, data, ...extra, timestamp: now() }
    : { success: true, message, data, ...extra, timestamp: now() };
}

/** E5 success (tool configs): `{ success: true, data }` or `{ success: true, message }`, no timestamp. */
export function e5Ok<T>(data: T): { success: true; data: T } {
  return { success: true, data };
}

/** E6 success (registry, test tool): `{ message, data }`, no `success`, no timestamp. */
export function e6Ok<T>(message: string, data?: T) {
  return data === undefined ? { message } : { message, data };
}

/** E7 success (drawing projects): `{ success: true, data, message? }`, no timestamp. */
export function e7Ok<T>(data?: T, message?: string) {
  const body: { success: true; data?: T; message?: string } = { success: true };
  if (data !== undefined) body.data = data;
  if (message !== undefined) body.message = message;
  return body;
}

/** E8 success (public tools): `{ success: true, data }`, no timestamp. */
export function e8Ok<T>(data: T): { success: true; data: T } {
  return { success: true, data };
}
