import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { legacyFixtureDir, sharedLegacyReferenceDir } from './test-databases';

const FILES = ['monolith-schema.sql', 'seed.mjs', 'hazards.sql'];
const reference = sharedLegacyReferenceDir();

/** The in-repo fixture (fixtures/legacy) must stay byte-identical to the legacy reference when it is beside the clone. */
(reference ? describe : describe.skip)('fixtures/legacy against ../shared/legacy', () => {
  it.each(FILES)('%s matches the reference', (file) => {
    expect(readFileSync(join(legacyFixtureDir(), file), 'utf8')).toBe(readFileSync(join(reference as string, file), 'utf8'));
  });
});

if (!reference) {
  // Printed, not silent: a fresh clone has no ../shared, and the comparison is then skipped.
  console.warn('../shared/legacy not found beside the clone: fixture-reference comparison skipped');
}

describe('the in-repo legacy fixture', () => {
  it('holds the schema, the seed and the hazards', () => {
    for (const file of FILES) expect(readFileSync(join(legacyFixtureDir(), file), 'utf8').length).toBeGreaterThan(1000);
  });
});
