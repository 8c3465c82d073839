import type { RpcErrorCode, RpcErrorEnvelope } from '@nafs/contracts';
import { RpcException } from '@nestjs/microservices';

export function rpcError(code: RpcErrorCode, message: string, details?: Record<string, unknown>): RpcException {
  const envelope: RpcErrorEnvelope = details ? { code, message, details } : { code, message };
  return new RpcException(envelope);
}

/** Connection-level failures (database or pool down) are worth a retry elsewhere; the rest are not. */
function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: string })?.code ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '53300'].includes(code) ||
    /terminat|timeout|connect/i.test((error as Error)?.message ?? '')
  );
}

/** Whatever a handler throws leaves as a typed envelope, never as a bare "Internal server error". */
export function toRpcException(error: unknown): RpcException {
  if (error instanceof RpcException) return error;
  return isUnavailable(error)
    ? rpcError('UNAVAILABLE', 'auth-service cannot reach its database')
    : rpcError('INTERNAL', 'auth-service failed to answer');
}
