/**
 * Message patterns answered by auth-service over the NestJS Redis transport. Only idempotent
 * reads travel this way: Redis pub/sub hands each request to every auth replica (the first reply
 * wins), so nothing with a side effect may be sent as a request.
 */
export const AUTH_PATTERNS = {
  ping: 'auth.ping',
} as const;

export type AuthPattern = (typeof AUTH_PATTERNS)[keyof typeof AUTH_PATTERNS];

export interface PingResponse {
  service: 'auth-service';
  /** Process uptime of the replica that answered, in seconds. */
  uptime: number;
  timestamp: string;
}
