import type { IncomingHttpHeaders } from 'node:http';
import { constants, createGzip, type Gzip } from 'node:zlib';

/** What the legacy `compression` middleware compressed by default: text-like types of 1 KB or more. */
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded|[\w.+-]*\+(json|xml))|image\/svg\+xml)/i;
const THRESHOLD = 1024;

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

/**
 * gzip for the client when the legacy had it (the `compression` middleware, legacy-api.md 1.6):
 * the client accepts gzip, the type is text-like, the service did not encode it already and the
 * body is not known to be under 1 KB. Downloads (`Content-Disposition: attachment`), server-sent
 * events and ranges pass through untouched, so a streaming download starts at once and keeps its
 * length. Each chunk is flushed as it arrives (Z_SYNC_FLUSH), so compression never holds back a
 * streamed response.
 */
export function gzipFor(
  acceptEncoding: string | undefined,
  method: string,
  status: number,
  headers: IncomingHttpHeaders,
): Gzip | undefined {
  if (method === 'HEAD' || status === 204 || status === 304 || status === 206) return undefined;
  if (!acceptEncoding || !/\bgzip\b/i.test(acceptEncoding)) return undefined;
  if (header(headers, 'content-encoding')) return undefined;
  const type = header(headers, 'content-type') ?? '';
  if (!COMPRESSIBLE.test(type) || /text\/event-stream/i.test(type)) return undefined;
  if (/attachment/i.test(header(headers, 'content-disposition') ?? '')) return undefined;
  if (/no-transform/i.test(header(headers, 'cache-control') ?? '')) return undefined;
  const length = Number(header(headers, 'content-length'));
  if (Number.isFinite(length) && length < THRESHOLD) return undefined;
  return createGzip({ flush: constants.Z_SYNC_FLUSH });
}
