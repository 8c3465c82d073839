/**
 * What crosses the wire when an RPC fails. Handlers throw `RpcException(envelope)`; clients read
 * `code` to decide (retry, 404, 503) instead of parsing a message.
 */
export const RPC_ERROR_CODES = ['NOT_FOUND', 'INACTIVE', 'INVALID_ARGUMENT', 'UNAVAILABLE', 'INTERNAL'] as const;
export type RpcErrorCode = (typeof RPC_ERROR_CODES)[number];

export interface RpcErrorEnvelope {
  code: RpcErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function isRpcErrorEnvelope(value: unknown): value is RpcErrorEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<RpcErrorEnvelope>;
  return typeof candidate.message === 'string' && (RPC_ERROR_CODES as readonly string[]).includes(candidate.code as string);
}

/** Legacy family E1: every 401/403 of the auth middleware, and all of /api/v1/auth. */
export interface LegacyE1Error {
  error: string;
  message: string;
  timestamp: string;
}
