/**
 * Whether an error means "the database cannot be reached right now" (issue 16.5), as opposed to a
 * bug: such errors are answered 503 in the route's family, and the pool reconnects by itself.
 * Looks through TypeORM's wrappers (`driverError`) and `cause` chains.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
// SQLSTATE: 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections.
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const TYPEORM_NAMES = new Set(['ConnectionIsNotSetError', 'ConnectionNotFoundError', 'CannotExecuteNotConnectedError']);
const MESSAGES = [
  /^Connection terminated/i, // pg: backend went away, or connectionTimeoutMillis elapsed
  /timeout exceeded when trying to connect/i, // pg-pool
  /Client has encountered a connection error and is not queryable/i,
  /is not currently accepting connections/i, // ALLOW_CONNECTIONS false (SQLSTATE 55000, shared with other causes)
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  if (typeof e.name === 'string' && TYPEORM_NAMES.has(e.name)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (MESSAGES.some((pattern) => pattern.test(message))) return true;
  // AggregateError of a dual-stack connect (ECONNREFUSED on ::1 and 127.0.0.1).
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(e.driverError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1);
}
