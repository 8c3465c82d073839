import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { Client } from 'pg';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A private PostgreSQL 15 cluster of one test (its own data directory and port, trust auth), for
 * what the shared server must never see: a different wal_level, a server killed mid-stream.
 * initdb refuses root, so as root the cluster runs as the postgres OS user.
 */
export interface PrivateCluster {
  port: number;
  url(database?: string): string;
  /** `immediate` is a crash: no shutdown checkpoint, the next start runs crash recovery. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

function asOwner(args: string[]): [string, string[]] {
  return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', ...args]] : [args[0], args.slice(1)];
}

async function pg(args: string[]): Promise<string> {
  const [command, rest] = asOwner(args);
  const { stdout } = await run(command, rest, { maxBuffer: 4 * 1024 * 1024 });
  return stdout;
}

export async function startPrivateCluster(port: number, settings: Record<string, string | number> = {}): Promise<PrivateCluster> {
  const dir = mkdtempSync(join(tmpdir(), `dbsplit-pg${port}-`));
  if (userInfo().uid === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  await pg([`${BIN}/initdb`, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = Object.entries({
    port,
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    fsync: 'off',
    shared_buffers: '32MB',
    ...settings,
  })
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  const start = () =>
    pg([`${BIN}/pg_ctl`, '-D', data, '-l', join(dir, 'log'), '-o', options, '-w', '-t', '60', 'start']).then(() => undefined);
  await start();
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    start,
    stop: (mode = 'fast') => pg([`${BIN}/pg_ctl`, '-D', data, '-m', mode, '-w', 'stop']).then(() => undefined),
    destroy: async () => {
      await pg([`${BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function onCluster<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
