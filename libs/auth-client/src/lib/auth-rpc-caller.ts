import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { isRpcErrorEnvelope } from '@nafs/contracts';
import { AUTH_RPC_CLIENT, rpcCall } from '@nafs/rpc';
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

const isTransient = (error: Error) => !(error instanceof IdentityLookupError) && !(error instanceof BrokenCircuitError);

/**
 * Calls auth-service's identity patterns through one policy: each attempt has its own timeout,
 * transient failures are retried with exponential backoff (these are idempotent reads), a
 * consecutive-failure circuit breaker fails fast while auth is down and lets one trial call
 * through after `breakerHalfOpenMs`, and an overall deadline bounds the whole lookup. Any
 * non-definitive failure surfaces as `IdentityUnavailableError` (503 for the caller).
 */
@Injectable()
export class AuthRpcCaller {
  private readonly logger = new Logger('AuthRpcCaller');
  private readonly policy: IPolicy;
  readonly breaker;

  constructor(
    @Inject(AUTH_RPC_CLIENT) private readonly client: ClientProxy,
    @Inject(IDENTITY_CLIENT_OPTIONS) private readonly options: IdentityClientOptions,
    private readonly metrics: IdentityMetrics,
  ) {
    this.breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: options.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    this.breaker.onStateChange((state) => {
      this.metrics.breakerState.set({ breaker: 'auth-rpc' }, state);
      if (state === CircuitState.Open) this.logger.warn('identity RPC circuit opened: auth-service is not answering');
      if (state === CircuitState.Closed) this.logger.log('identity RPC circuit closed: auth-service answers again');
    });
    const retries = retry(handleWhen(isTransient), {
      maxAttempts: options.rpcRetries,
      backoff: new ExponentialBackoff({ initialDelay: 20, maxDelay: 200 }),
    });
    const deadline = timeout(options.rpcDeadlineMs, TimeoutStrategy.Aggressive);
    this.policy = wrap(deadline, retries, this.breaker);
  }

  get breakerState(): CircuitState {
    return this.breaker.state;
  }

  async call<TResult>(pattern: string, data: unknown): Promise<TResult> {
    try {
      return await this.policy.execute(() => this.attempt<TResult>(pattern, data));
    } catch (error) {
      const definitive = toDefinitive(error);
      if (definitive) throw definitive;
      if (error instanceof BrokenCircuitError) throw new IdentityUnavailableError('circuit open');
      if (error instanceof TaskCancelledError) throw new IdentityUnavailableError(`no answer within ${this.options.rpcDeadlineMs} ms`);
      throw new IdentityUnavailableError((error as Error)?.message ?? String(error));
    }
  }

  private async attempt<TResult>(pattern: string, data: unknown): Promise<TResult> {
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      return await rpcCall<TResult>(this.client, pattern, data, this.options.rpcTimeoutMs);
    } catch (error) {
      const definitive = toDefinitive(error);
      if (definitive) {
        outcome = definitive.code.toLowerCase();
        throw definitive;
      }
      outcome = (error as Error)?.name === 'TimeoutError' ? 'timeout' : 'error';
      throw error instanceof Error ? error : new Error(typeof error === 'string' ? error : JSON.stringify(error));
    } finally {
      this.metrics.rpcDuration.observe({ pattern, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
}
