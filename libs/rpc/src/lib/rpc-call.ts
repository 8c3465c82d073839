import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';

/** One request/response call that gives up after `timeoutMs` instead of waiting forever. */
export function rpcCall<TResult, TInput = unknown>(client: ClientProxy, pattern: string, data: TInput, timeoutMs = 2000): Promise<TResult> {
  return firstValueFrom(client.send<TResult, TInput>(pattern, data).pipe(timeout(timeoutMs)));
}
