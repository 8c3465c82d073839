import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { LEGACY_ROUTES, type LegacyRoute, routeFor } from '@nafs/contracts';

const workspaceRoot = join(__dirname, '..', '..', '..');

interface RoutesDocScript {
  renderRoutesDoc(table: readonly LegacyRoute[], operations: Map<string, string>, unavailable?: string[]): string;
  OUTPUT_FILE: string;
}
// A plain Node script (scripts/ is no project); required by path.

const script = require(join(workspaceRoot, 'scripts', 'routes-doc.js')) as RoutesDocScript;

/** The rows of a markdown table whose first cell matches `firstCell`. */
function tableRows(markdown: string, firstCell: RegExp): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .map((line) =>
      line
        .slice(2, -2)
        .split(' | ')
        .map((cell) => cell.replace(/^`|`$/g, '')),
    )
    .filter((cells) => firstCell.test(cells[0]));
}

describe('the legacy route table (libs/contracts legacy-routes.json)', () => {
  it('has every id of legacy-api.md §3.0 once, each served by the service the gateway routes its path to', () => {
    const ids = LEGACY_ROUTES.map((route) => route.id);
    expect(new Set(ids).size).toBe(ids.length);
    const perFamily = Object.fromEntries(
      ['A', 'U', 'T', 'W', 'F', 'I', 'H'].map((p) => [p, ids.filter((id) => new RegExp(`^${p}\\d+$`).test(id)).length]),
    );
    expect(perFamily).toEqual({ A: 13, U: 9, T: 8, W: 41, F: 29, I: 4, H: 8 });
    const misrouted = LEGACY_ROUTES.filter((route) => (routeFor(route.path) ?? 'gateway') !== route.service).map(
      (r) => `${r.id} ${r.path}`,
    );
    expect(misrouted).toEqual([]);
    const wrongFolder = LEGACY_ROUTES.filter(
      (route) => !route.folder.startsWith(`apps/${route.service === 'gateway' ? 'gateway' : `${route.service}-service`}/src/`),
    );
    expect(wrongFolder).toEqual([]);
  });

  const reference = join(workspaceRoot, '..', 'shared', 'reference', 'legacy-api.md');
  (existsSync(reference) ? it : it.skip)('matches the index of the reference legacy-api.md (method and path per id)', () => {
    const index = readFileSync(reference, 'utf8').split('### 3.0 Index')[1].split('### 3.1')[0];
    const documented = tableRows(index, /^[AUTWF]\d+$/).map(([id, method, path]) => ({ id, method, path }));
    expect(documented).toHaveLength(100);
    expect(LEGACY_ROUTES.filter((route) => /^[AUTWF]\d+$/.test(route.id)).map(({ id, method, path }) => ({ id, method, path }))).toEqual(
      documented,
    );
  });
  if (!existsSync(reference)) console.log(`${reference} not present: the comparison with the reference index is skipped`);
});

describe('docs/routes.md', () => {
  it('is what scripts/routes-doc.js renders from the current table (regenerate: node scripts/routes-doc.js)', () => {
    const markdown = readFileSync(join(workspaceRoot, script.OUTPUT_FILE), 'utf8');
    // The document's operations, as the file lists them: built legacy routes and the extra ones.
    const operations = new Map<string, string>();
    for (const [, method, path, service, , , status] of tableRows(markdown, /^[AUTWFIH]\d+$/)) {
      if (status === 'built' && !path.startsWith('/api-docs')) operations.set(`${method} ${path}`, service);
    }
    for (const [method, path, service] of tableRows(markdown, /^(GET|POST|PUT|PATCH|DELETE)$/))
      operations.set(`${method} ${path}`, service);
    const unavailable = [...(markdown.match(/^\*\*Generated while (.*) did not answer/m)?.[1].matchAll(/(\w+)-service/g) ?? [])].map(
      (m) => m[1],
    );
    expect(markdown).toBe(script.renderRoutesDoc(LEGACY_ROUTES, operations, unavailable));
  });
});
