import { isIP } from 'node:net';

/** Substrings that make a target URL dangerous (legacy F24). */
const DANGEROUS = [
  'javascript:',
  'data:text/html',
  'vbscript:',
  '<script',
  '</script',
  'document.cookie',
  'onload=',
  'onerror=',
  'onclick=',
  'eval(',
  'alert(',
];
/** Other shorteners: no chains of redirects. */
const SHORTENERS = ['bit.ly', 'tinyurl.com', 'short.link', 'ow.ly', 'goo.gl', 't.co'];

export type UrlCheck =
  { ok: true; url: string; host: string; secure: boolean } | { ok: false; code: 'INVALID_URL' | 'URL_REJECTED'; message: string };

function isPrivateHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) !== 4) return host === '[::1]' || host === '::1';
  const [a, b] = host.split('.').map(Number);
  return a === 10 || a === 127 || a === 0 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}

/** Normalises and checks a target URL (https:// prepended without a scheme; http and https only). */
export function checkTargetUrl(raw: string, production: boolean): UrlCheck {
  const trimmed = raw.trim();
  const lower = trimmed.toLowerCase();
  if (DANGEROUS.some((needle) => lower.includes(needle)))
    return { ok: false, code: 'URL_REJECTED', message: 'URL contains potentially dangerous content' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, code: 'INVALID_URL', message: 'Invalid URL format' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, code: 'INVALID_URL', message: 'Invalid URL format' };
  const host = url.hostname.toLowerCase();
  if (!host || (!host.includes('.') && host !== 'localhost' && !isIP(host)))
    return { ok: false, code: 'INVALID_URL', message: 'Invalid URL format' };
  // The legacy surfaced blocked shorteners as an invalid URL (legacy-api.md 6.22).
  if (SHORTENERS.some((domain) => host === domain || host.endsWith(`.${domain}`)))
    return { ok: false, code: 'INVALID_URL', message: 'Invalid URL format' };
  if (production && isPrivateHost(host))
    return { ok: false, code: 'URL_REJECTED', message: 'URLs pointing to private or local addresses are not allowed' };
  return { ok: true, url: url.toString(), host, secure: url.protocol === 'https:' };
}
