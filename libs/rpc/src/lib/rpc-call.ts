import { RPC_META_KEY, type RpcMeta } from '@nafs/contracts';
import { currentRequestId } from '@nafs/observability';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';

/** The payload with the current request id in its metadata, so the handler logs under that id. */
export function withRpcMeta<TInput>(data: TInput): TInput {
  const requestId = currentRequestId();
  if (!requestId || data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const meta: RpcMeta = { requestId };
  return { ...data, [RPC_META_KEY]: meta };
}

/** One request/response call that gives up after `timeoutMs` instead of waiting forever. */
export function rpcCall<TResult, TInput = unknown>(client: ClientProxy, pattern: string, data: TInput, timeoutMs = 2000): Promise<TResult> {
  return firstValueFrom(client.send<TResult, TInput>(pattern, withRpcMeta(data)).pipe(timeout(timeoutMs)));
}
