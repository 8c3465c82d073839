import { allowWrites, connect, dbLabel, type Endpoint, withClient } from './connections';
import type { Output } from './output';
import { quoteIdent } from './plan';

export interface GuardOptions {
  dryRun: boolean;
  /** Also end the other sessions on the source, which keep their old setting until they reconnect. */
  terminateOthers: boolean;
}

async function readOnlyInNewSession(endpoint: Endpoint): Promise<boolean> {
  const client = await connect(endpoint);
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('default_transaction_read_only') AS v");
    return rows[0].v === 'on';
  } finally {
    await client.end();
  }
}

/**
 * Puts the source in read-only mode for the copy window (`on`) and lifts it (`off`) with
 * `ALTER DATABASE ... SET default_transaction_read_only`. New sessions start read-only; a client
 * can still opt out with SET, so this guards against the application writing, not against an
 * operator. Returns whether the requested state is in effect.
 */
export async function runCutoverGuard(
  endpoint: Endpoint,
  mode: 'on' | 'off' | 'status',
  options: GuardOptions,
  out: Output,
): Promise<void> {
  const database = endpoint.settings.database;
  const before = await readOnlyInNewSession(endpoint);
  out.line(`cutover-guard: ${dbLabel(endpoint.settings)} is ${before ? 'read-only' : 'writable'} for new sessions`);
  if (mode === 'status') return;
  const statement =
    mode === 'on'
      ? `ALTER DATABASE ${quoteIdent(database)} SET default_transaction_read_only = on`
      : `ALTER DATABASE ${quoteIdent(database)} RESET default_transaction_read_only`;
  out.line(`cutover-guard: ${options.dryRun ? 'would run' : 'running'}: ${statement}`);
  await withClient(endpoint, async (client) => {
    const others = await client.query<{ pid: number; usename: string; application_name: string }>(
      `SELECT pid, usename, application_name FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    );
    if (options.dryRun) return;
    // Lifting the guard runs in a database that is read-only by default.
    await allowWrites(client);
    await client.query(statement);
    if (mode === 'on' && others.rowCount) {
      if (options.terminateOthers) {
        await client.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [others.rows.map((r) => r.pid)]);
        out.line(`cutover-guard: terminated ${others.rowCount} other session(s) so they reconnect read-only`);
      } else {
        out.warn(
          `warning: ${others.rowCount} other session(s) are connected (${others.rows.map((r) => `${r.usename}/${r.application_name || '?'}`).join(', ')}) ` +
            'and keep writing until they reconnect; stop the application or pass --terminate-others',
        );
      }
    }
  });
  if (options.dryRun) {
    out.line('cutover-guard: dry run, nothing changed');
    return;
  }
  const after = await readOnlyInNewSession(endpoint);
  out.line(`cutover-guard: ${database} is now ${after ? 'read-only' : 'writable'} for new sessions`);
}
