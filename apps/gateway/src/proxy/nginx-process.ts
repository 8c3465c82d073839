import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { LoggerService } from '@nestjs/common';

import { type NginxSettings, renderNginxConfig } from './nginx-config';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export interface NginxProcess {
  readonly configPath: string;
  /** Resolves when nginx has exited; `unexpected` is false after `stop()`. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; unexpected: boolean }>;
  stop(): Promise<void>;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The nginx binary, checked once at start so a missing one fails with the fix, not a spawn error.
 * Debian installs it in /usr/sbin, which is not on every user's PATH.
 */
function resolveNginx(binary: string): string {
  for (const candidate of binary === 'nginx' ? ['nginx', '/usr/sbin/nginx'] : [binary]) {
    const probe = spawnSync(candidate, ['-v'], { encoding: 'utf8' });
    if (!probe.error && probe.status === 0) return candidate;
  }
  throw new Error(
    `gateway: nginx not found (NGINX_BIN=${binary}). Install it (Debian: apt-get install nginx-light) or set NGINX_BIN to its path.`,
  );
}

/**
 * Writes the generated configuration into a private run directory, checks it with `nginx -t`,
 * starts nginx in the foreground as a child of the gateway and resolves once it accepts
 * connections. nginx's own messages go to the gateway's log; if nginx dies, `exited` says so and
 * the caller exits, so the orchestrator restarts the whole gateway.
 */
/** Receives nginx's access lines (syslog over UDP) and prints each JSON line on stdout. */
async function accessLogReceiver(): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', (message) => {
    const text = message.toString('utf8');
    const json = text.indexOf('{');
    if (json >= 0) process.stdout.write(`${text.slice(json).trimEnd()}\n`);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

export async function startNginx(
  binary: string,
  settings: Omit<NginxSettings, 'runDir' | 'accessLogPort'> & { accessLog: boolean },
  logger: Pick<LoggerService, 'log' | 'warn' | 'error'>,
): Promise<NginxProcess> {
  binary = resolveNginx(binary);
  const accessLog = settings.accessLog ? await accessLogReceiver() : null;
  const runDir = mkdtempSync(join(tmpdir(), 'nafs-gateway-'));
  // nginx creates its temp directories itself, owned by its worker user (`nobody` when started as root).
  chmodSync(runDir, 0o755);
  const configPath = join(runDir, 'nginx.conf');
  const { accessLog: _wanted, ...rest } = settings;
  writeFileSync(configPath, renderNginxConfig({ ...rest, runDir, accessLogPort: accessLog ? accessLog.address().port : null }));

  const check = spawnSync(binary, ['-t', '-q', '-e', 'stderr', '-p', runDir, '-c', configPath], { encoding: 'utf8' });
  if (check.status !== 0) {
    accessLog?.close();
    rmSync(runDir, { recursive: true, force: true });
    throw new Error(`gateway: the generated nginx configuration was refused: ${check.stderr.trim()}`);
  }

  const child: ChildProcess = spawn(binary, ['-e', 'stderr', '-p', runDir, '-c', configPath], { stdio: ['ignore', 'inherit', 'pipe'] });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    for (const line of text.split('\n').filter(Boolean)) {
      if (/\[(emerg|alert|crit|error)\]/.test(line)) logger.error(`nginx: ${line}`);
      else logger.warn(`nginx: ${line}`);
    }
  });

  let stopping = false;
  // A gateway that crashes takes nginx with it (a SIGKILLed one cannot; in a container both go).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; unexpected: boolean }>((resolve) =>
    child.once('exit', (code, signal) => {
      process.removeListener('exit', killOnExit);
      accessLog?.close();
      rmSync(runDir, { recursive: true, force: true });
      resolve({ code, signal, unexpected: !stopping });
    }),
  );

  const deadline = Date.now() + START_TIMEOUT_MS;
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  while (!(await canConnect(settings.listenHost, settings.listenPort))) {
    if (exitedEarly) throw new Error(`gateway: nginx exited while starting on ${settings.listenHost}:${settings.listenPort}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway: nginx did not listen on ${settings.listenHost}:${settings.listenPort} within ${START_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  return {
    configPath,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      // SIGQUIT: graceful (requests in flight finish); SIGKILL if it takes too long.
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
