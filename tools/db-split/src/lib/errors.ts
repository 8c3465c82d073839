/**
 * Exit codes of every command. Scripts and CI branch on them, so they are part of the interface
 * (README "Exit codes") and never reused for something else.
 */
export const ExitCode = {
  OK: 0,
  /** verify (or the verify step of rollback) found differing rows, counts or new orphans. */
  MISMATCH: 1,
  /** Bad command line. */
  USAGE: 2,
  /** plan refused: unknown tables, missing tables or columns, target schema not there yet. */
  PLAN_REFUSED: 3,
  /** A target table already holds rows that the tool did not load, and --truncate was not given. */
  TARGET_NOT_EMPTY: 4,
  /** A database cannot be reached or does not exist. */
  UNREACHABLE: 5,
  /** Authentication failed or a privilege is missing (including RLS that would hide rows). */
  PRIVILEGE: 6,
  /** Anything else: a statement failed, a migration process failed, an interrupted stream. */
  FAILED: 7,
  /** The publisher cannot serve logical replication: wal_level is not logical, a table has no
   *  replica identity, or no replication slot is free (sync start, fallback start). */
  NOT_REPLICABLE: 8,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI reports as one clear message plus its exit code (no stack trace). */
export class DbSplitError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'DbSplitError';
  }
}

interface PgLikeError {
  code?: string;
  message?: string;
  errno?: number;
  address?: string;
  port?: number;
}

// SQLSTATE classes and Node socket codes that mean "cannot reach this database".
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  '3D000',
  '57P03',
  '53300',
]);
// 28000 invalid_authorization_specification, 28P01 invalid_password, 42501 insufficient_privilege.
const PRIVILEGE_CODES = new Set(['28000', '28P01', '42501']);

/**
 * Wraps a driver error into a DbSplitError with the right exit code, naming the database it
 * happened on, so "permission denied" never reaches the user without saying where.
 */
export function classifyDatabaseError(error: unknown, where: string): DbSplitError {
  if (error instanceof DbSplitError) return error;
  const e = (error ?? {}) as PgLikeError;
  const code = e.code ?? '';
  const message = e.message ?? String(error);
  if (UNREACHABLE_CODES.has(code)) {
    const hint = code === '3D000' ? 'run `create` (and `schema`) first, or check the *_DB_NAME / *_DB_URL variables' : undefined;
    return new DbSplitError(`${where}: cannot connect (${code}: ${message})`, ExitCode.UNREACHABLE, hint);
  }
  if (PRIVILEGE_CODES.has(code)) {
    return new DbSplitError(`${where}: missing privilege (${code}: ${message})`, ExitCode.PRIVILEGE);
  }
  return new DbSplitError(`${where}: ${code ? `${code}: ` : ''}${message}`, ExitCode.FAILED);
}

/** Throws the first failure, in the given order, of results that have all settled (so nothing is still running). */
export function throwFirstFailure(results: PromiseSettledResult<unknown>[]): void {
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}
