import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import type { LegacyTable } from '@nafs/contracts';
import type { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

import { isSplit } from './catalog';
import { allowWrites, connect, connectEach, dbLabel, type Endpoint, KeyedQueue } from './connections';
import { binaryRowCounter, textRowCounter } from './copy-format';
import { classifyDatabaseError, DbSplitError, ExitCode } from './errors';
import { ensureJournal, forget, type JournalEntry, readJournal, recordCompleted } from './journal';
import { MIGRATION_SEEDED_ROWS } from './legacy-columns';
import { debugPhase, formatBytes, formatSeconds, formatTable, type Output, runPool } from './output';
import { type Plan, qualified, quoteIdent, type TablePlan, tablesToCopy } from './plan';
import { createProgress, type ProgressMode } from './progress';
import { ConnectionCache, SnapshotGroup } from './snapshot';

export interface CopyOptions {
  jobs: number;
  truncate: boolean;
  dryRun: boolean;
  progress: ProgressMode;
  /** `auto`: binary COPY where both sides have the same binary-safe column types, else text. */
  format: 'auto' | 'text';
  /** Test hook (env DB_SPLIT_FAIL_AFTER_TABLES): SIGKILL the process just before the commit of
   *  the first table loaded after this many tables committed, to prove resumability. */
  failAfterTables?: number;
  /** Snapshots to read the source in, by source key (a replication slot's exported snapshot, so
   *  the copy and the slot's stream meet exactly); default: one exported by the copy itself. */
  snapshots?: Record<string, string>;
  /** Reload tables the journal says are complete instead of skipping them (sync start: a table
   *  copied in another snapshot does not match the slot's stream). */
  reloadJournaled?: boolean;
  /** The source stays writable on purpose (sync start): a note instead of the warning. */
  liveSource?: boolean;
}

type Clear = 'none' | 'seeded' | 'all';

interface TableJob {
  plan: TablePlan;
  sourceRows: number;
  action: 'load' | 'skip';
  clear: Clear;
  /** Keys of migration-seeded rows to delete before the load (the source has them too). */
  seededKeys: string[];
  /** Of the keys the migrations seed into this table, those the source's snapshot holds. */
  seededInSource: string[];
  format: 'binary' | 'text';
  reason: string;
}

export interface CopyTableResult {
  table: LegacyTable;
  action: 'copied' | 'skipped';
  format: 'binary' | 'text';
  rows: number;
  bytes: number;
  ms: number;
}

export interface CopyResult {
  tables: CopyTableResult[];
  /** Rows and COPY-text bytes actually moved by this run (skipped tables excluded). */
  rows: number;
  bytes: number;
  ms: number;
  dryRun: boolean;
}

export function sourceId(endpoint: Endpoint): string {
  const { host, port, database } = endpoint.settings;
  return `${host}:${port}/${database}`;
}

/**
 * The loads of this session TOAST with lz4 where the server has it (PostgreSQL 14+ built with
 * lz4). COPY hands the target every large value decompressed, and recompressing them with pglz,
 * the default, was most of the copy's CPU: drawing projects and form submissions are 85% of the
 * fixture's bytes (bench/db-split/sync.mjs, scale 50: tables loaded in 4.1-4.2 s with pglz, 2.9 s
 * with lz4). The values are the same; only how the target stores them differs, and the services'
 * own later writes keep the database's default.
 */
async function compressWithLz4(client: Client): Promise<Client> {
  const { rows } = await client.query<{ lz4: boolean }>(
    "SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'",
  );
  if (rows[0]?.lz4) await client.query("SET default_toast_compression = 'lz4'");
  return client;
}

async function assertCanHoldOffTriggers(client: Client, endpoint: Endpoint): Promise<void> {
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
  } catch (error) {
    const wrapped = classifyDatabaseError(error, `${endpoint.label} (${dbLabel(endpoint.settings)})`);
    if (wrapped.exitCode === ExitCode.PRIVILEGE) {
      throw new DbSplitError(
        `${wrapped.message}: loading with target triggers and foreign-key checks held off needs session_replication_role`,
        ExitCode.PRIVILEGE,
        'connect as a superuser (DB_SPLIT_ADMIN_USER / DB_SPLIT_ADMIN_PASSWORD) or GRANT SET ON PARAMETER session_replication_role to that role',
      );
    }
    throw wrapped;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** Counts target rows and reads the journal to decide, per table, load / reload / skip / refuse. */
async function decide(jobs: TableJob[], plan: Plan, control: Record<string, Client>, options: CopyOptions): Promise<{ refused: string[] }> {
  const journals = Object.fromEntries(
    await Promise.all(
      Object.entries(control).map(
        async ([key, client]) => [key, options.truncate ? new Map<string, JournalEntry>() : await readJournal(client)] as const,
      ),
    ),
  );
  // Each job's check runs on its target's control session: the targets are checked side by side;
  // a refusal names the table in plan order.
  const perTarget = new KeyedQueue();
  const refusals = await Promise.all(
    jobs.map((job) => perTarget.run(job.plan.targetKey, () => decideOne(job, plan, control, options, journals[job.plan.targetKey]))),
  );
  return { refused: refusals.filter((reason): reason is string => reason !== null) };
}

/** Sets the job's action and reason; returns why the table is refused, or null. */
async function decideOne(
  job: TableJob,
  plan: Plan,
  control: Record<string, Client>,
  options: CopyOptions,
  journal: Map<string, JournalEntry>,
): Promise<string | null> {
  const { table, targetKey, sourceKey } = job.plan;
  const target = control[targetKey];
  const targetRel = qualified(job.plan.target as NonNullable<TablePlan['target']>);
  if (options.truncate) {
    job.reason = 'truncated first (--truncate)';
    return null;
  }
  const targetRows = Number((await target.query<{ n: string }>(`SELECT count(*) AS n FROM ${targetRel}`)).rows[0].n);
  const entry = journal.get(table);
  const source = sourceId(plan.source.endpoints[sourceKey]);
  if (entry) {
    if (options.reloadJournaled) {
      job.clear = 'all';
      job.reason = "journaled by an earlier run: reloading in the replication slot's snapshot";
    } else if (entry.source === source && entry.rows === targetRows && targetRows === job.sourceRows) {
      job.action = 'skip';
      job.reason = `complete in the journal (${targetRows} rows)`;
    } else {
      job.clear = 'all';
      job.reason = `journaled by an earlier run but ${entry.source !== source ? `from ${entry.source}` : `${targetRows} rows on the target, ${entry.rows} journaled, ${job.sourceRows} in the source`}: reloading`;
    }
    return null;
  }
  if (targetRows === 0) {
    job.reason = 'empty';
    return null;
  }
  const seeded = MIGRATION_SEEDED_ROWS[table];
  if (seeded) {
    const keys = job.seededInSource;
    const present = Number(
      (
        await target.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${targetRel} WHERE ${quoteIdent(seeded.column)}::text = ANY($1::text[])`,
          [keys],
        )
      ).rows[0].n,
    );
    if (present === targetRows) {
      job.clear = 'seeded';
      job.seededKeys = keys;
      job.reason = `only the ${present} row(s) the migrations insert (${keys.join(', ')}); replaced by the source's`;
      return null;
    }
  }
  return `${table} (${plan.target.endpoints[targetKey].settings.database}): ${targetRows} rows`;
}

async function resetSequences(client: Client, relation: string): Promise<void> {
  // The legacy tables use uuid keys; this keeps serial/identity columns of other shapes usable.
  const { rows } = await client.query<{ column: string; seq: string }>(
    `SELECT a.attname AS column, pg_get_serial_sequence($1, a.attname) AS seq
       FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped AND pg_get_serial_sequence($1, a.attname) IS NOT NULL`,
    [relation],
  );
  for (const { column, seq } of rows) {
    await client.query(
      `SELECT setval($1, COALESCE(max(${quoteIdent(column)})::bigint, 1), max(${quoteIdent(column)}) IS NOT NULL) FROM ${relation}`,
      [seq],
    );
  }
}

/** Pieces at least this large go to the target as they are; smaller ones are merged... */
const PASS_THROUGH_BYTES = 16 * 1024;
/** ...into messages of about this size. */
const BATCH_BYTES = 64 * 1024;

/**
 * Counts rows and bytes as they stream past (for progress), and
 * batches small pieces: the source sends one CopyData message per row, and forwarding each small
 * row as its own message (two socket writes apiece) costs more than the data. Large rows pass
 * through without being copied again.
 */
function counter(format: 'binary' | 'text', onProgress: (rows: number, bytes: number) => void) {
  const rowCounter = format === 'binary' ? binaryRowCounter() : textRowCounter();
  let bytes = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const takePending = () => {
    const batch = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return batch;
  };
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      rowCounter.feed(chunk);
      onProgress(rowCounter.rows, bytes);
      if (chunk.length >= PASS_THROUGH_BYTES) {
        if (pending.length) this.push(takePending());
        return callback(null, chunk);
      }
      pending.push(chunk);
      pendingBytes += chunk.length;
      callback(null, pendingBytes >= BATCH_BYTES ? takePending() : undefined);
    },
    flush(callback) {
      callback(null, pending.length ? takePending() : undefined);
    },
  });
  return { stream, totals: () => ({ rows: rowCounter.rows, bytes }) };
}

/**
 * Copies every planned table inside one exported snapshot per source database, in parallel,
 * each table in one target transaction together with its journal row.
 */
export async function runCopy(plan: Plan, options: CopyOptions, out: Output, verb = 'copy'): Promise<CopyResult> {
  const started = Date.now();
  debugPhase(`${verb}: plan done`);
  const planned = tablesToCopy(plan);
  const targetKeys = [...new Set(planned.map((t) => t.targetKey))];
  const sourceKeys = [...new Set(planned.map((t) => t.sourceKey))];

  for (const key of options.liveSource ? [] : sourceKeys) {
    if (!plan.sourceCatalogs[key].readOnlyDefault) {
      out.warn(
        isSplit(plan.source)
          ? `warning: ${plan.source.endpoints[key].settings.database} is writable: stop the service while rolling back, or later writes are missed`
          : `warning: the source is writable: rows written after the snapshot are not copied; run \`cutover-guard --source URL on\` for the copy window`,
      );
    }
  }

  const control: Record<string, Client> = {};
  let snapshot: SnapshotGroup | undefined;
  const results: CopyTableResult[] = [];
  try {
    // The databases are set up side by side: each step below waits on round trips, not CPU, and a
    // client runs its own queries one after another anyway.
    const targets = targetKeys.map((key) => plan.target.endpoints[key]);
    const clients = await connectEach(targets, async (client, i) => {
      await allowWrites(client);
      await assertCanHoldOffTriggers(client, targets[i]);
    });
    targetKeys.forEach((key, i) => (control[key] = clients[i]));
    debugPhase(`${verb}: targets checked`);
    snapshot = await SnapshotGroup.open(plan.source, sourceKeys, options.snapshots);
    debugPhase(`${verb}: snapshot exported`);
    const group = snapshot;
    // One query at a time per coordinator; the coordinators (one per source database or slot) side by side.
    const perCoordinator = new KeyedQueue();
    const jobs: TableJob[] = await Promise.all(
      planned.map((t) =>
        perCoordinator.run(t.sourceKey, async () => {
          const coordinator = group.coordinators[t.sourceKey];
          const source = qualified(t.source as NonNullable<TablePlan['source']>);
          const { rows } = await coordinator.query<{ n: string }>(`SELECT count(*) AS n FROM ${source}`);
          const seeded = MIGRATION_SEEDED_ROWS[t.table];
          const seededInSource = seeded
            ? (
                await coordinator.query<{ k: string }>(
                  `SELECT ${quoteIdent(seeded.column)}::text AS k FROM ${source} WHERE ${quoteIdent(seeded.column)}::text = ANY($1::text[])`,
                  [seeded.values],
                )
              ).rows.map((row) => row.k)
            : [];
          const job: TableJob = {
            plan: t,
            sourceRows: Number(rows[0].n),
            action: 'load',
            clear: 'none',
            seededKeys: [],
            seededInSource,
            reason: '',
            format: options.format === 'text' ? 'text' : t.format,
          };
          return job;
        }),
      ),
    );
    debugPhase(`${verb}: source counted`);
    const { refused } = await decide(jobs, plan, control, options);
    debugPhase(`${verb}: decided`);
    if (refused.length) {
      throw new DbSplitError(
        `refusing to copy: target table(s) not empty and not loaded by this tool:\n${refused.map((r) => `  - ${r}`).join('\n')}`,
        ExitCode.TARGET_NOT_EMPTY,
        'empty them, or pass --truncate to empty every target table first (journal included)',
      );
    }

    out.line(
      `${verb}: ${options.dryRun ? 'would copy' : 'copying'} ${jobs.filter((j) => j.action === 'load').length} table(s) with ${options.jobs} job(s), snapshot ${Object.values(snapshot.snapshots).join(', ')}`,
    );
    out.line(
      formatTable(
        ['table', 'from', 'to', 'rows', 'format', 'action'],
        jobs.map((j) => [
          j.plan.table,
          plan.source.endpoints[j.plan.sourceKey].settings.database,
          plan.target.endpoints[j.plan.targetKey].settings.database,
          String(j.sourceRows),
          j.format,
          `${j.action}${j.reason ? `: ${j.reason}` : ''}`,
        ]),
      ),
    );
    if (options.dryRun) {
      out.line(`dry run: nothing written${options.truncate ? ` (would first TRUNCATE the ${jobs.length} target tables)` : ''}`);
      return { tables: [], rows: 0, bytes: 0, ms: Date.now() - started, dryRun: true };
    }

    await Promise.all(
      Object.entries(control).map(async ([key, client]) => {
        await ensureJournal(client);
        if (!options.truncate) return;
        const mine = jobs.filter((j) => j.plan.targetKey === key);
        const relations = mine.map((j) => qualified(j.plan.target as NonNullable<TablePlan['target']>));
        await client.query('BEGIN');
        // Tables a service added after the split may reference these (forms' poll_votes ->
        // form_submissions): TRUNCATE needs them in the same statement. Empty ones are included;
        // one holding rows is refused rather than emptied behind the operator's back.
        const { rows: referencing } = await client.query<{ rel: string }>(
          `SELECT DISTINCT conrelid::regclass::text AS rel FROM pg_constraint
            WHERE contype = 'f' AND confrelid = ANY($1::regclass[]) AND NOT conrelid = ANY($1::regclass[])`,
          [relations],
        );
        for (const { rel } of referencing) {
          const { rows } = await client.query<{ busy: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${rel}) AS busy`);
          if (rows[0].busy) {
            throw new DbSplitError(
              `--truncate would also empty ${rel} in ${plan.target.endpoints[key].settings.database}, which references the copied tables and holds rows`,
              ExitCode.TARGET_NOT_EMPTY,
              `empty ${rel} yourself if its rows may go, then rerun`,
            );
          }
        }
        await client.query(`TRUNCATE ${[...relations, ...referencing.map((r) => r.rel)].join(', ')}`);
        await forget(
          client,
          mine.map((j) => j.plan.table),
        );
        await client.query('COMMIT');
      }),
    );

    debugPhase(`${verb}: journal ready`);
    for (const job of jobs.filter((j) => j.action === 'skip')) {
      results.push({ table: job.plan.table, action: 'skipped', format: job.format, rows: job.sourceRows, bytes: 0, ms: 0 });
    }
    const toLoad = jobs.filter((j) => j.action === 'load').sort((a, b) => (b.plan.source?.bytes ?? 0) - (a.plan.source?.bytes ?? 0));
    const progress = createProgress(verb, options.progress, out.progressStream);
    const readers = Array.from({ length: options.jobs }, () => new ConnectionCache((key) => group.reader(key)));
    const writers = Array.from(
      { length: options.jobs },
      () => new ConnectionCache(async (key) => compressWithLz4(await allowWrites(await connect(plan.target.endpoints[key])))),
    );
    let committed = 0;
    try {
      await runPool(toLoad, options.jobs, async (job, worker) => {
        const reader = await readers[worker].get(job.plan.sourceKey);
        const writer = await writers[worker].get(job.plan.targetKey);
        const result = await loadTable(job, reader, writer, plan, progress, () => {
          if (options.failAfterTables !== undefined && committed >= options.failAfterTables) {
            progress.stop();
            process.stderr.write(
              `DB_SPLIT_FAIL_AFTER_TABLES=${options.failAfterTables}: killing the copy before committing ${job.plan.table}\n`,
            );
            process.kill(process.pid, 'SIGKILL');
          }
        });
        committed++;
        results.push(result);
      });
    } finally {
      progress.stop();
      await Promise.all([...readers, ...writers].map((cache) => cache.closeAll()));
    }
  } finally {
    await snapshot?.close();
    await Promise.all(Object.values(control).map((client) => client.end().catch(() => undefined)));
  }

  debugPhase(`${verb}: loaded`);
  const copied = results.filter((r) => r.action === 'copied');
  const result: CopyResult = {
    tables: results,
    rows: copied.reduce((n, r) => n + r.rows, 0),
    bytes: copied.reduce((n, r) => n + r.bytes, 0),
    ms: Date.now() - started,
    dryRun: false,
  };
  const seconds = result.ms / 1000;
  out.line(
    `${verb} done: ${copied.length} table(s) loaded, ${results.length - copied.length} skipped as complete; ` +
      `${result.rows} rows, ${formatBytes(result.bytes)} in ${formatSeconds(result.ms)} ` +
      `(${Math.round(result.rows / seconds)} rows/s, ${formatBytes(result.bytes / seconds)}/s)`,
  );
  return result;
}

async function loadTable(
  job: TableJob,
  reader: Client,
  writer: Client,
  plan: Plan,
  progress: ReturnType<typeof createProgress>,
  beforeCommit: () => void,
): Promise<CopyTableResult> {
  const { table } = job.plan;
  const source = job.plan.source as NonNullable<TablePlan['source']>;
  const target = job.plan.target as NonNullable<TablePlan['target']>;
  const targetRel = qualified(target);
  const columns = job.plan.columns.map(quoteIdent).join(', ');
  const started = Date.now();
  progress.start(table, job.sourceRows);
  try {
    await writer.query('BEGIN');
    // Target triggers (tools' AFTER INSERT adding a config, users' soft-delete trigger, slug and
    // settings triggers) and foreign-key checks, immediate or deferred, are all skipped in replica
    // mode: rows arrive exactly as the source has them, tables in any order.
    await writer.query('SET LOCAL session_replication_role = replica');
    // The journal row commits with the data, so a lost commit loses both: safe to not wait.
    await writer.query('SET LOCAL synchronous_commit = off');
    await writer.query(`LOCK TABLE ${targetRel} IN EXCLUSIVE MODE`);
    if (job.clear === 'all') await writer.query(`DELETE FROM ${targetRel}`);
    if (job.clear === 'seeded') {
      const seeded = MIGRATION_SEEDED_ROWS[table] as NonNullable<(typeof MIGRATION_SEEDED_ROWS)[LegacyTable]>;
      await writer.query(`DELETE FROM ${targetRel} WHERE ${quoteIdent(seeded.column)}::text = ANY($1::text[])`, [job.seededKeys]);
    }
    const busy = await writer.query<{ busy: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${targetRel}) AS busy`);
    if (busy.rows[0].busy) {
      throw new DbSplitError(
        `${table}: rows appeared in the target since the check; is a service writing to it?`,
        ExitCode.TARGET_NOT_EMPTY,
      );
    }
    const format = job.format;
    const read =
      source.kind === 'partitioned'
        ? `COPY (SELECT ${columns} FROM ${qualified(source)}) TO STDOUT (FORMAT ${format})`
        : `COPY ${qualified(source)} (${columns}) TO STDOUT (FORMAT ${format})`;
    const count = counter(format, (rows, bytes) => progress.update(table, rows, bytes));
    const sink = writer.query(copyFrom(`COPY ${targetRel} (${columns}) FROM STDIN (FORMAT ${format})`));
    await pipeline(reader.query(copyTo(read)), count.stream, sink);
    const { bytes } = count.totals();
    if (sink.rowCount !== job.sourceRows) {
      throw new DbSplitError(`${table}: loaded ${sink.rowCount} rows but the snapshot holds ${job.sourceRows}`, ExitCode.FAILED);
    }
    await resetSequences(writer, targetRel);
    await recordCompleted(writer, table, sourceId(plan.source.endpoints[job.plan.sourceKey]), sink.rowCount, bytes);
    beforeCommit();
    await writer.query('COMMIT');
    const ms = Date.now() - started;
    progress.finish(table, `${sink.rowCount} rows, ${formatBytes(bytes)} (${format}) in ${formatSeconds(ms)}`);
    return { table, action: 'copied', format, rows: sink.rowCount, bytes, ms };
  } catch (error) {
    await writer.query('ROLLBACK').catch(() => undefined);
    progress.finish(table, 'FAILED (rolled back)');
    throw classifyDatabaseError(error, `${table}`);
  }
}
