import { etagMatches } from './etag';

describe('etagMatches (If-None-Match, weak comparison)', () => {
  it('matches the same tag, strong or weak on either side, and within a list', () => {
    expect(etagMatches('"abc"', '"abc"')).toBe(true);
    expect(etagMatches('W/"abc"', '"abc"')).toBe(true);
    expect(etagMatches('"abc"', 'W/"abc"')).toBe(true);
    expect(etagMatches('"x", W/"abc"', '"abc"')).toBe(true);
    expect(etagMatches('*', '"abc"')).toBe(true);
  });

  it('does not match another tag, a missing header or a missing tag', () => {
    expect(etagMatches('"abd"', '"abc"')).toBe(false);
    expect(etagMatches('W/"ab"', '"abc"')).toBe(false);
    expect(etagMatches(undefined, '"abc"')).toBe(false);
    expect(etagMatches('"abc"', null)).toBe(false);
  });
});
