import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { v8FlagsOf } from '@nafs/contracts';
import { freePort } from '@nafs/database/testing';

function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('workspace root (nx.json) not found');
    dir = parent;
  }
  return dir;
}

/** `dist/apps/<app>/main.js`: what a container runs with plain node. */
export function builtEntryPoint(app: string): string {
  return join(workspaceRoot(), 'dist', 'apps', app, 'main.js');
}

export { freePort };

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built entry point to completion (e.g. `migrate`) with only the given environment. */
export function runToExit(app: string, args: string[], env: Record<string, string>): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...v8FlagsOf(app), builtEntryPoint(app), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServiceProcessOptions {
  /** The route that answers 200 once the service is up; default `/health/live`. */
  readyPath?: string;
  /**
   * Run `apps/<app>/src/main.ts` through SWC (ts-register.js) instead of the built bundle, so no
   * webpack build is needed (web's export-jobs test: forms-service and killable web replicas).
   */
  fromSources?: boolean;
}

/**
 * A service started from its built bundle with plain `node`, as a container runs it (or from its
 * sources, see ServiceProcessOptions), on a port of its own. `stop()` then `start()` again
 * simulates an outage, `stop('SIGKILL')` a crash. Tests that need another service use this
 * rather than importing its code, which module boundaries forbid.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private output = '';
  private readonly readyPath: string;
  private readonly fromSources: boolean;
  url = '';

  constructor(
    readonly app: string,
    private readonly env: Record<string, string>,
    options: string | ServiceProcessOptions = {},
  ) {
    const { readyPath = '/health/live', fromSources = false } = typeof options === 'string' ? { readyPath: options } : options;
    this.readyPath = readyPath;
    this.fromSources = fromSources;
  }

  async start(timeoutMs = this.fromSources ? 60000 : 30000): Promise<void> {
    // A restart keeps the port, so whatever points at the service (a gateway) finds it again.
    const port = this.url ? Number(new URL(this.url).port) : await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.output = '';
    const env = { PATH: process.env.PATH ?? '', ...this.env, PORT: String(port) };
    if (this.fromSources) {
      const root = workspaceRoot();
      const main = join(root, 'apps', this.app, 'src', 'main.ts');
      // No heap flags here: compiling the sources at start-up needs more heap than the bundle.
      this.child = spawn(process.execPath, ['-r', join(__dirname, 'ts-register.js'), main], { cwd: root, env });
    } else {
      const entry = builtEntryPoint(this.app);
      if (!existsSync(entry)) throw new Error(`${entry} is missing: run npx nx build ${this.app}`);
      // With the app's V8 heap flags, as its deployments run it.
      this.child = spawn(process.execPath, [...v8FlagsOf(this.app), entry], { env });
    }
    this.child.stdout?.on('data', (chunk) => (this.output += chunk));
    this.child.stderr?.on('data', (chunk) => (this.output += chunk));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.app} exited with ${this.child.exitCode}:\n${this.output}`);
      try {
        if ((await fetch(`${this.url}${this.readyPath}`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.app} did not answer ${this.readyPath} within ${timeoutMs} ms:\n${this.output}`);
  }

  /** Everything the process wrote to stdout and stderr since its last start. */
  get logs(): string {
    return this.output;
  }

  /** SIGTERM (graceful, SIGKILL if it has not exited after a few seconds), or SIGKILL: the process dies mid-work. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    // A child ended by a signal (the SIGKILL fallback below) has signalCode set and exitCode null.
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
      setTimeout(() => child.kill('SIGKILL'), this.fromSources ? 10000 : 5000).unref();
    });
  }
}
