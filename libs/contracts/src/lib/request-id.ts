/**
 * How one request's id travels between the processes (docs/architecture.md "Following one
 * request"): the gateway mints `X-Request-Id`; services log it as `reqId`; an RPC request carries
 * it in its payload under `RPC_META_KEY`; an event carries it in its outbox row and stream entry.
 */
export const REQUEST_ID_HTTP_HEADER = 'X-Request-Id';

/** The payload key of an RPC request's metadata (handlers ignore keys they do not know). */
export const RPC_META_KEY = '_meta';

export interface RpcMeta {
  requestId?: string;
}
