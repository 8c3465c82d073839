import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

import type { Logger as Pino } from 'pino';

/** The header the gateway mints (or keeps from the client) and every service reads. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What a request id may look like when it comes from outside (same rule as the gateway's). */
const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && SANE_REQUEST_ID.test(value);
}

/** The given id when it is sane, a fresh uuid otherwise. */
export function requestIdOr(value: unknown): string {
  return isSaneRequestId(value) ? value : randomUUID();
}

export interface RequestContext {
  requestId: string;
  /** The pino logger with the id bound; derived from the service's logger when absent. */
  logger?: Pino;
}

const requestContext = new AsyncLocalStorage<RequestContext>();

/** The id of the request (HTTP, RPC message or event) being handled, if any. */
export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

export function currentRequestContext(): RequestContext | undefined {
  return requestContext.getStore();
}

/**
 * Runs `fn` with `requestId` as the current request id: Nest `Logger` calls inside it carry it as
 * `reqId`, and RPC calls and events started inside it carry it on (see currentRequestId).
 */
export function withRequestId<T>(requestId: string, fn: () => T, logger?: Pino): T {
  return requestContext.run({ requestId, logger }, fn);
}
