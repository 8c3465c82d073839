/** Injection token of the service base URLs, keyed by service name. */
export const GATEWAY_UPSTREAMS = Symbol('GATEWAY_UPSTREAMS');
