import V8_FLAGS from './v8-flags.json';

/**
 * V8 heap flags per app, sized to what the process needs (apps/forms-service/README.md has the
 * measurements: forms streams a 100,000-row CSV export in a bounded working set, and a 4 MB new
 * space with a 96 MB old space keeps its peak near 125 MB instead of letting V8 grow to 185 MB
 * before collecting). Kept as JSON so that scripts/platform.sh and the benches read the same
 * list; the test launcher applies it, and tools/workspace-checks holds the compose file and the
 * Kubernetes Deployments to it.
 */
export function v8FlagsOf(app: string): readonly string[] {
  return (V8_FLAGS as Record<string, string[] | undefined>)[app] ?? [];
}

/** The NODE_OPTIONS a deployment sets for `app`: the image's `--enable-source-maps` and its V8 flags; undefined when it has none. */
export function nodeOptionsOf(app: string): string | undefined {
  const flags = v8FlagsOf(app);
  return flags.length ? ['--enable-source-maps', ...flags].join(' ') : undefined;
}
