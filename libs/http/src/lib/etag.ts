const opaque = (tag: string) => tag.trim().replace(/^W\//, '');

/**
 * If-None-Match by RFC 9110's weak comparison: `*`, or any listed tag whose opaque part equals the
 * current one. A proxy that compresses a response (nginx's gzip) turns its ETag weak (`W/"..."`),
 * and the browser sends that back: it must still match.
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string | null | undefined): etag is string {
  if (!ifNoneMatch || !etag) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const current = opaque(etag);
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === current);
}
