/**
 * express-validator's `escape()` (validator.js): the form in which the legacy stored user names,
 * token names, theme names and descriptions, form titles and submitted text (legacy-api.md 5.9).
 * The one HTML-escape of the services.
 */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\//g, '&#x2F;')
    .replace(/\\/g, '&#x5C;')
    .replace(/`/g, '&#96;');
}
