import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const workspaceRoot = join(__dirname, '..', '..', '..', '..');

export function builtEntryPoint(app: string): string {
  return join(workspaceRoot, 'dist', 'apps', app, 'main.js');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built entry point to completion (e.g. `migrate`) with only the given environment. */
export function runToExit(app: string, args: string[], env: Record<string, string>): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [builtEntryPoint(app), ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A service started from its built bundle with plain `node`, as a container would run it. */
export class ServiceProcess {
  private child?: ChildProcess;
  private output = '';
  readonly url: string;

  constructor(
    readonly app: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(timeoutMs = 20000): Promise<void> {
    this.output = '';
    this.child = spawn(process.execPath, [builtEntryPoint(this.app)], {
      env: { PATH: process.env.PATH ?? '', ...this.env, PORT: String(this.port) },
    });
    this.child.stdout?.on('data', (chunk) => (this.output += chunk));
    this.child.stderr?.on('data', (chunk) => (this.output += chunk));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.app} exited with ${this.child.exitCode}:\n${this.output}`);
      try {
        const res = await fetch(`${this.url}/health/live`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.app} did not become live within ${timeoutMs} ms:\n${this.output}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }
}
