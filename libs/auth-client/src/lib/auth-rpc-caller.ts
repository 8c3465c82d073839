import { isRpcErrorEnvelope } from '@nafs/contracts';
import { AUTH_RPC_CLIENT, CircuitState, ResilientRpc, RpcUnavailableError } from '@nafs/rpc';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';

import { IDENTITY_CLIENT_OPTIONS, type IdentityClientOptions } from './auth-client.config';
import { IdentityLookupError, IdentityUnavailableError } from './errors';
import { IdentityMetrics } from './identity-metrics';

const DEFINITIVE = new Set(['NOT_FOUND', 'INACTIVE', 'INVALID_ARGUMENT']);

/** auth's definitive answers end the call; everything else (timeouts, transport errors) is transient. */
function toDefinitive(error: unknown): IdentityLookupError | undefined {
  if (error instanceof IdentityLookupError) return error;
  if (isRpcErrorEnvelope(error) && DEFINITIVE.has(error.code)) {
    return new IdentityLookupError(error.code as IdentityLookupError['code'], error.message);
  }
  return undefined;
}

/**
 * Calls auth-service's identity patterns through the shared RPC policy of @nafs/rpc
 * (`ResilientRpc`: per-attempt timeout, retries with backoff, circuit breaker, overall deadline).
 * Any non-definitive failure surfaces as `IdentityUnavailableError` (503 for the caller).
 */
@Injectable()
export class AuthRpcCaller {
  private readonly logger = new Logger('AuthRpcCaller');
  private readonly rpc: ResilientRpc;

  constructor(
    @Inject(AUTH_RPC_CLIENT) client: ClientProxy,
    @Inject(IDENTITY_CLIENT_OPTIONS) options: IdentityClientOptions,
    metrics: IdentityMetrics,
  ) {
    this.rpc = new ResilientRpc(
      client,
      {
        timeoutMs: options.rpcTimeoutMs,
        deadlineMs: options.rpcDeadlineMs,
        retries: options.rpcRetries,
        breakerThreshold: options.breakerThreshold,
        breakerHalfOpenMs: options.breakerHalfOpenMs,
      },
      {
        definitive: toDefinitive,
        onAttempt: (pattern, outcome, seconds) => metrics.rpcDuration.observe({ pattern, outcome }, seconds),
        onBreakerState: (state) => {
          metrics.breakerState.set({ breaker: 'auth-rpc' }, state);
          if (state === CircuitState.Open) this.logger.warn('identity RPC circuit opened: auth-service is not answering');
          if (state === CircuitState.Closed) this.logger.log('identity RPC circuit closed: auth-service answers again');
        },
      },
    );
  }

  get breaker() {
    return this.rpc.breaker;
  }

  get breakerState(): CircuitState {
    return this.rpc.breakerState;
  }

  async call<TResult>(pattern: string, data: unknown): Promise<TResult> {
    try {
      return await this.rpc.call<TResult>(pattern, data);
    } catch (error) {
      if (error instanceof RpcUnavailableError) throw new IdentityUnavailableError(error.reason);
      throw error;
    }
  }
}
