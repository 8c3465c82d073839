import { RPC_META_KEY, type RpcMeta } from '@nafs/contracts';
import { type CallHandler, type ExecutionContext, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';

import { requestIdOr, withRequestId } from './request-context';

function metaOf(payload: unknown): RpcMeta | undefined {
  if (payload === null || typeof payload !== 'object') return undefined;
  const meta = (payload as Record<string, unknown>)[RPC_META_KEY];
  return meta !== null && typeof meta === 'object' ? (meta as RpcMeta) : undefined;
}

/** The handler's @MessagePattern (what the caller sent, without the channel prefix). */
function patternOf(context: ExecutionContext): string {
  const patterns = Reflect.getMetadata('microservices:pattern', context.getHandler()) as unknown[] | undefined;
  const pattern = patterns?.[0];
  return typeof pattern === 'string' ? pattern : JSON.stringify(pattern ?? context.getHandler().name);
}

/**
 * For RPC handlers what pino-http is for HTTP routes: the handler runs under the caller's request id
 * (from the payload's `_meta`, or a fresh one), so its Nest `Logger` lines carry it as `reqId`,
 * and one line per message says which pattern was answered, how, and how fast. Global; HTTP
 * requests pass through untouched.
 */
@Injectable()
export class RpcRequestContextInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Rpc');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const rpc = context.switchToRpc();
    const requestId = requestIdOr(metaOf(rpc.getData())?.requestId);
    const pattern = patternOf(context);
    return new Observable((subscriber) =>
      withRequestId(requestId, () => {
        const started = Date.now();
        return next
          .handle()
          .pipe(
            tap({
              complete: () => this.logger.log(`rpc ${pattern} ok ${Date.now() - started}ms`),
              error: (error: unknown) => {
                const code = (error as { getError?: () => unknown })?.getError?.();
                const name =
                  typeof code === 'object' && code && 'code' in code ? String((code as { code: unknown }).code) : (error as Error)?.name;
                this.logger.log(`rpc ${pattern} ${name ?? 'error'} ${Date.now() - started}ms`);
              },
            }),
          )
          .subscribe(subscriber);
      }),
    );
  }
}
