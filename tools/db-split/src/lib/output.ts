/**
 * Where a command writes: the report goes to stdout, progress and warnings to stderr, so that
 * `--json` output stays parseable and a progress bar never ends up in a log file.
 */
export interface Output {
  line(text: string): void;
  warn(text: string): void;
  /** The stream progress is drawn on (a bar only when it is a TTY). */
  progressStream: NodeJS.WriteStream;
}

export function processOutput(): Output {
  return {
    line: (text) => process.stdout.write(`${text}\n`),
    warn: (text) => process.stderr.write(`${text}\n`),
    progressStream: process.stderr,
  };
}

/** With DB_SPLIT_DEBUG set, prints how long each phase of a command took (ms since start). */
export function debugPhase(label: string): void {
  if (process.env.DB_SPLIT_DEBUG) process.stderr.write(`[db-split ${performance.now().toFixed(0)} ms] ${label}\n`);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  const render = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [render(headers), render(widths.map((w) => '-'.repeat(w))), ...rows.map(render)].join('\n');
}

/** Runs `work` over `items` with at most `jobs` running at once; the first failure stops new starts. */
export async function runPool<T>(items: T[], jobs: number, work: (item: T, worker: number) => Promise<void>): Promise<void> {
  const queue = [...items];
  let failed: unknown;
  const workers = Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, async (_, worker) => {
    while (queue.length && failed === undefined) {
      const item = queue.shift() as T;
      try {
        await work(item, worker);
      } catch (error) {
        failed ??= error;
      }
    }
  });
  await Promise.all(workers);
  if (failed !== undefined) throw failed;
}
