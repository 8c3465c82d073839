import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const workspaceRoot = join(__dirname, '..', '..', '..');

/** Lints `code` as if it were `filePath` in the workspace, with the real ESLint CLI and config. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const eslint = spawnSync(
    join(workspaceRoot, 'node_modules', '.bin', 'eslint'),
    ['--stdin', '--stdin-filename', filePath, '--format', 'json'],
    { cwd: workspaceRoot, input: code, encoding: 'utf8' },
  );
  const [result] = JSON.parse(eslint.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

// `nx lint` runs this rule on every project; these cases prove it refuses what ARCHITECTURE.md forbids.
describe('module boundaries (the rule nx lint enforces)', () => {
  it('refuses an app importing another app', async () => {
    const errors = await boundaryErrors(
      'apps/web-service/src/boundary-probe.ts',
      "import { AUTH_SERVICE } from '../../auth-service/src/service';\nexport const probe = AUTH_SERVICE;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('refuses a library importing an app', async () => {
    const errors = await boundaryErrors(
      'libs/cache/src/boundary-probe.ts',
      "import { FORMS_SERVICE } from '../../../apps/forms-service/src/service';\nexport const probe = FORMS_SERVICE;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('accepts an app importing a shared library', async () => {
    const errors = await boundaryErrors(
      'apps/web-service/src/boundary-probe.ts',
      "import { TABLE_OWNERSHIP } from '@nafs/contracts';\nexport const probe = TABLE_OWNERSHIP;\n",
    );
    expect(errors).toEqual([]);
  });
});
