import { MultiBar, Presets, type SingleBar } from 'cli-progress';

import { formatBytes, formatSeconds } from './output';

const ignore = () => undefined;

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** Progress of one command over many tables: rows and bytes per table. */
export interface Progress {
  start(table: string, totalRows: number): void;
  update(table: string, rows: number, bytes: number): void;
  finish(table: string, summary: string): void;
  note(text: string): void;
  stop(): void;
}

/**
 * A real progress bar (cli-progress) when the stream is a terminal; otherwise plain lines, one
 * when a table starts, at most one every few seconds while it runs, and one when it ends, which
 * reads well in CI logs and in `nx run` output.
 */
export function createProgress(verb: string, mode: ProgressMode, stream: NodeJS.WriteStream): Progress {
  const resolved = mode === 'auto' ? (stream.isTTY ? 'bar' : 'lines') : mode;
  if (resolved === 'none') return { start: ignore, update: ignore, finish: ignore, note: ignore, stop: ignore };
  if (resolved === 'bar') return barProgress(verb, stream);
  return lineProgress(verb, stream);
}

function lineProgress(verb: string, stream: NodeJS.WriteStream): Progress {
  const state = new Map<string, { total: number; started: number; lastPrint: number }>();
  const write = (text: string) => stream.write(`${text}\n`);
  return {
    start(table, totalRows) {
      state.set(table, { total: totalRows, started: Date.now(), lastPrint: Date.now() });
      write(`${verb} ${table}: started (${totalRows} rows)`);
    },
    update(table, rows, bytes) {
      const s = state.get(table);
      if (!s || Date.now() - s.lastPrint < 3000) return;
      s.lastPrint = Date.now();
      write(`${verb} ${table}: ${rows}/${s.total} rows, ${formatBytes(bytes)}, ${formatSeconds(Date.now() - s.started)}`);
    },
    finish(table, summary) {
      write(`${verb} ${table}: ${summary}`);
    },
    note: write,
    stop: ignore,
  };
}

function barProgress(verb: string, stream: NodeJS.WriteStream): Progress {
  const multibar = new MultiBar(
    {
      stream,
      format: `${verb} {table} |{bar}| {percentage}% {value}/{total} rows {size} {state}`,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      fps: 10,
      barsize: 24,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  const width = 18;
  return {
    start(table, totalRows) {
      bars.set(table, multibar.create(Math.max(totalRows, 1), 0, { table: table.padEnd(width), size: formatBytes(0), state: '' }));
    },
    update(table, rows, bytes) {
      bars.get(table)?.update(rows, { size: formatBytes(bytes) });
    },
    finish(table, summary) {
      const bar = bars.get(table);
      if (!bar) return void multibar.log(`${verb} ${table}: ${summary}\n`);
      bar.update(bar.getTotal(), { state: summary });
    },
    note(text) {
      multibar.log(`${text}\n`);
    },
    stop() {
      multibar.stop();
    },
  };
}
