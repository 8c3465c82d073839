import { type RunningTestService, startTestService } from '@nafs/runtime/testing';

import { AUTH_SERVICE } from '../../src/service';

/** Generous limits and cheap hashes for tests that are not about them. */
export const TEST_ENV: Record<string, string> = {
  AUTH_RATE_LIMIT_MAX: '100000',
  RATE_LIMIT_MAX: '100000',
  BCRYPT_ROUNDS: '10',
  JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
  JWT_REFRESH_SECRET: 'test-refresh-secret-0123456789abcdef012345',
  // Tests play the gateway: their X-Forwarded-For is the one trusted hop (the default trusts none).
  TRUST_PROXY_HOPS: '1',
};

export function startAuth(overrides: Record<string, string> = {}): Promise<RunningTestService> {
  return startTestService(AUTH_SERVICE, { ...TEST_ENV, ...overrides });
}

/** Response bodies are asserted field by field in tests, so they stay loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export interface Reply<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

/** A JSON request against the running service; `body` may be a raw string. */
export async function api<T = Json>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

/** The claims of a JWT, unverified (what the frontends decode client-side). */
export function claimsOf(token: string): Json {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** A unique client address, so tests never share a rate-limit or lockout bucket by accident. */
let ipCounter = 1;
export function nextIp(): string {
  ipCounter += 1;
  return `198.51.100.${ipCounter % 250}`;
}

/** Logs in through the API and returns the access token. */
export async function loginToken(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await api(baseUrl, 'POST', '/api/v1/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.accessToken;
}
