import type { ClientProxy } from '@nestjs/microservices';
import {
  BrokenCircuitError,
  circuitBreaker,
  type CircuitBreakerPolicy,
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

import { rpcCall } from './rpc-call';

/** The one timeout/retry/breaker policy of every service-to-service RPC client. */
export interface RpcPolicyOptions {
  /** One attempt gives up after this long. */
  timeoutMs: number;
  /** All attempts of one call together give up after this long. */
  deadlineMs: number;
  /** Extra attempts after a timeout or transport error (never after a definitive answer). */
  retries: number;
  /** Consecutive transport failures that open the circuit. */
  breakerThreshold: number;
  /** How long the circuit stays open before one trial call. */
  breakerHalfOpenMs: number;
}

export interface ResilientRpcHooks {
  /**
   * The callee's definitive answers (NOT_FOUND, INVALID_ARGUMENT, ...) as the error to throw: they
   * end the call and are never retried nor counted by the breaker. undefined: transient.
   */
  definitive: (error: unknown) => Error | undefined;
  /** Each attempt's outcome (`ok`, `timeout`, `error`, or the definitive code) and duration. */
  onAttempt?: (pattern: string, outcome: string, seconds: number, error?: Error) => void;
  onBreakerState?: (state: CircuitState) => void;
}

/** The callee could not be asked (timeout, transport down, circuit open). */
export class RpcUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RpcUnavailableError';
  }
}

/**
 * Calls request/response patterns through one policy: each attempt has its own timeout,
 * transient failures are retried with exponential backoff (only idempotent reads travel this
 * way), a consecutive-failure circuit breaker fails fast while the callee is down and lets one
 * trial call through after `breakerHalfOpenMs`, and an overall deadline bounds the whole call.
 * Non-definitive failures surface as `RpcUnavailableError`.
 */
export class ResilientRpc {
  readonly breaker: CircuitBreakerPolicy;
  private readonly policy: IPolicy;
  private readonly definitiveErrors = new WeakSet<Error>();

  constructor(
    private readonly client: ClientProxy,
    private readonly options: RpcPolicyOptions,
    private readonly hooks: ResilientRpcHooks,
  ) {
    const isTransient = (error: Error) => !this.definitiveErrors.has(error) && !(error instanceof BrokenCircuitError);
    this.breaker = circuitBreaker(handleWhen(isTransient), {
      halfOpenAfter: options.breakerHalfOpenMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    if (hooks.onBreakerState) this.breaker.onStateChange(hooks.onBreakerState);
    const retries = retry(handleWhen(isTransient), {
      maxAttempts: options.retries,
      backoff: new ExponentialBackoff({ initialDelay: 20, maxDelay: 200 }),
    });
    this.policy = wrap(timeout(options.deadlineMs, TimeoutStrategy.Aggressive), retries, this.breaker);
  }

  get breakerState(): CircuitState {
    return this.breaker.state;
  }

  async call<TResult>(pattern: string, data: unknown): Promise<TResult> {
    try {
      return await this.policy.execute(() => this.attempt<TResult>(pattern, data));
    } catch (error) {
      if (error instanceof Error && this.definitiveErrors.has(error)) throw error;
      if (error instanceof BrokenCircuitError) throw new RpcUnavailableError('circuit open');
      if (error instanceof TaskCancelledError) throw new RpcUnavailableError(`no answer within ${this.options.deadlineMs} ms`);
      throw new RpcUnavailableError((error as Error)?.message ?? String(error));
    }
  }

  private async attempt<TResult>(pattern: string, data: unknown): Promise<TResult> {
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    let failure: Error | undefined;
    try {
      return await rpcCall<TResult>(this.client, pattern, data, this.options.timeoutMs);
    } catch (error) {
      const definitive = this.hooks.definitive(error);
      if (definitive) {
        this.definitiveErrors.add(definitive);
        outcome = ((definitive as { code?: string }).code ?? 'definitive').toLowerCase();
        throw definitive;
      }
      outcome = (error as Error)?.name === 'TimeoutError' ? 'timeout' : 'error';
      failure = error instanceof Error ? error : new Error(typeof error === 'string' ? error : JSON.stringify(error));
      throw failure;
    } finally {
      this.hooks.onAttempt?.(pattern, outcome, Number(process.hrtime.bigint() - started) / 1e9, failure);
    }
  }
}

export { CircuitState };
