import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

import { freePort } from '@nafs/runtime/testing';

const ROOT = resolve(__dirname, '../../../..');

/**
 * A service run from its sources in a child process (see ts-register.js), so a test can start
 * another app without importing it (module boundaries) and can kill it with SIGKILL.
 */
export class SourceServiceProcess {
  private child?: ChildProcess;
  output = '';
  url = '';

  constructor(
    readonly app: string,
    private readonly env: Record<string, string>,
  ) {}

  async start(timeoutMs = 60000): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.output = '';
    this.child = spawn(process.execPath, ['-r', join(__dirname, 'ts-register.js'), join(ROOT, 'apps', this.app, 'src', 'main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...this.env, PORT: String(port) },
    });
    this.child.stdout?.on('data', (chunk) => (this.output += chunk));
    this.child.stderr?.on('data', (chunk) => (this.output += chunk));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.app} exited with ${this.child.exitCode}:\n${this.output}`);
      try {
        if ((await fetch(`${this.url}/health/live`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`${this.app} did not start within ${timeoutMs} ms:\n${this.output}`);
  }

  /** SIGTERM (graceful), or SIGKILL: the process dies mid-work. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill(signal);
      setTimeout(() => child.kill('SIGKILL'), 10000).unref();
    });
  }
}
