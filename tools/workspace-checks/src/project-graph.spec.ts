import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const workspaceRoot = join(__dirname, '..', '..', '..');

interface GraphNode {
  type: string;
  data: { tags?: string[] };
}

/** The project graph as `nx graph` computes it from the sources. */
function projectGraph(): { nodes: Record<string, GraphNode>; dependencies: Record<string, { target: string }[]> } {
  const dir = mkdtempSync(join(tmpdir(), 'nx-graph-'));
  try {
    const file = join(dir, 'graph.json');
    const run = spawnSync(join(workspaceRoot, 'node_modules', '.bin', 'nx'), ['graph', `--file=${file}`], {
      cwd: workspaceRoot,
      env: { ...process.env, NX_DAEMON: 'false' },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`nx graph failed:\n${run.stderr}`);
    return JSON.parse(readFileSync(file, 'utf8')).graph;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('project graph (nx graph)', () => {
  it('has every app, tool and e2e project depending on libraries only, and libraries only on libraries', () => {
    const { nodes, dependencies } = projectGraph();
    const isLib = (name: string) => nodes[name]?.data.tags?.includes('type:lib') ?? false;
    const offending = Object.entries(dependencies).flatMap(([source, edges]) =>
      edges.filter((edge) => nodes[edge.target] && !isLib(edge.target)).map((edge) => `${source} -> ${edge.target}`),
    );
    expect(offending).toEqual([]);
    expect(Object.keys(nodes)).toEqual(expect.arrayContaining(['auth-service', 'web-service', 'forms-service', 'gateway', 'contracts']));
  });
});
