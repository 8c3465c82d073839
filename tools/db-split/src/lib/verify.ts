import { CROSS_SERVICE_REFERENCES, type CrossServiceReference, type LegacyTable } from '@nafs/contracts';
import type { Client } from 'pg';

import type { RelationInfo, Side } from './catalog';
import { classifyDatabaseError, DbSplitError, ExitCode } from './errors';
import { formatSeconds, formatTable, type Output, runPool } from './output';
import { type Plan, qualified, quoteIdent, type TablePlan, tablesToCopy } from './plan';
import { createProgress, type ProgressMode } from './progress';
import { ConnectionCache, SnapshotGroup } from './snapshot';

export interface VerifyOptions {
  jobs: number;
  /** Rows per checksum chunk; a chunk aggregates 32 hex characters per row, never the rows. */
  chunkRows: number;
  maxDifferences: number;
  progress: ProgressMode;
}

export interface RowDifference {
  key: string;
  kind: 'missing on target' | 'extra on target' | 'differs';
  columns?: string[];
}

export interface TableVerdict {
  table: LegacyTable;
  ok: boolean;
  sourceRows: number;
  targetRows: number;
  chunks: number;
  /** Incremental verify: rows compared one by one (changed since the baseline, or in flight then). */
  rechecked?: number;
  differingChunks: number;
  differences: RowDifference[];
  columns: number;
  ms: number;
}

export interface OrphanVerdict {
  reference: string;
  /** Referencing ids that point at nothing, with their row counts, on each side. */
  sourceIds: number;
  sourceRows: number;
  targetIds: number;
  targetRows: number;
  /** Orphans the target has that the source did not: the copy broke a reference. */
  newOnTarget: string[];
  ok: boolean;
}

export interface VerifyResult {
  ok: boolean;
  mode: VerifyMode['kind'];
  tables: TableVerdict[];
  orphans: OrphanVerdict[];
  ms: number;
  /** Set by a baseline verify, for the incremental one that follows the freeze. */
  baseline?: VerifyBaseline;
}

/**
 * What a verify of the live databases leaves for the incremental verify after the freeze. A row
 * version written by a transaction that was running or not yet started when a snapshot was taken
 * has an xmin at or after that snapshot's xmin, so "changed since" needs no trigger or log.
 */
export interface VerifyBaseline {
  /** Per database key: the xmin of the snapshot compared. */
  sourceHorizons: Record<string, string>;
  targetHorizons: Record<string, string>;
  /** Per table: the primary keys that differed then (changes in flight between the two snapshots). */
  inFlight: Map<LegacyTable, string[][]>;
}

/**
 * full: every row, chunk by chunk. baseline: the same, on live databases, keeping what differed
 * (cutover runs it before the read-only guard). incremental: after the freeze, only the rows whose
 * xmin is at or after the baseline's horizons, or that differed then, row by row, plus each
 * table's ordered key list; every other row is the version the baseline already compared.
 */
export type VerifyMode =
  | { kind: 'full' }
  | { kind: 'baseline'; beforeTargetSnapshot?: () => Promise<void>; maxInFlight: number }
  | { kind: 'incremental'; baseline: VerifyBaseline };

interface TableSql {
  relation: string;
  keys: string[];
  keyTypes: string[];
  columns: string[];
}

function tableSql(info: RelationInfo, plan: TablePlan): TableSql {
  const types = new Map(info.columns.map((c) => [c.name, c.type]));
  return {
    relation: qualified(info),
    keys: plan.primaryKey.map(quoteIdent),
    keyTypes: plan.primaryKey.map((k) => types.get(k) as string),
    columns: plan.columns.map(quoteIdent),
  };
}

/**
 * The row's hash over exactly the planned columns: the md5 of each column's text ('-' for NULL,
 * which no md5 can be) concatenated and hashed again. Equal text means equal values. Hashing
 * column by column costs about half of `md5(ROW(...)::text)`, whose record quoting copies every
 * large value once more.
 */
const rowHash = (sql: TableSql) => `md5(${sql.columns.map((c) => `coalesce(md5(${c}::text), '-')`).join(' || ')})`;
const keyText = (sql: TableSql) => `ARRAY[${sql.keys.map((k) => `${k}::text`).join(', ')}]`;

/** `(k1, k2) > ($1::t1, $2::t2)`, parameters starting at `first`. */
function keyBound(sql: TableSql, op: '>' | '<=', first: number): string {
  return `(${sql.keys.join(', ')}) ${op} (${sql.keyTypes.map((type, i) => `$${first + i}::${type}`).join(', ')})`;
}

function keyEquals(sql: TableSql): string {
  return `(${sql.keys.join(', ')}) = (${sql.keyTypes.map((type, i) => `$${i + 1}::${type}`).join(', ')})`;
}

function rangeWhere(sql: TableSql, lo: string[] | null, hi: string[] | null): { where: string; params: string[] } {
  const parts: string[] = [];
  const params: string[] = [];
  if (lo) {
    parts.push(keyBound(sql, '>', params.length + 1));
    params.push(...lo);
  }
  if (hi) {
    parts.push(keyBound(sql, '<=', params.length + 1));
    params.push(...hi);
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

interface Chunk {
  n: number;
  digest: string | null;
  last: string[] | null;
}

/** Source side: the next `limit` rows after `lo` in key order; their count, digest and last key. */
async function sourceChunk(client: Client, sql: TableSql, lo: string[] | null, limit: number): Promise<Chunk> {
  const { where, params } = rangeWhere(sql, lo, null);
  const order = sql.keys.join(', ');
  const { rows } = await client.query<Chunk>(
    `WITH c AS (SELECT ${sql.keys.join(', ')}, ${rowHash(sql)} AS h FROM ${sql.relation} ${where} ORDER BY ${order} LIMIT ${limit})
     SELECT count(*)::int AS n, md5(string_agg(h, '' ORDER BY ${order})) AS digest,
            (SELECT ${keyText(sql)} FROM c ORDER BY ${sql.keys.map((k) => `${k} DESC`).join(', ')} LIMIT 1) AS last
       FROM c`,
    params,
  );
  return rows[0];
}

/** Target side: the rows in the source chunk's key range (lo, hi]; hi null means "to the end". */
async function rangeChunk(client: Client, sql: TableSql, lo: string[] | null, hi: string[] | null): Promise<Chunk> {
  const { where, params } = rangeWhere(sql, lo, hi);
  const { rows } = await client.query<Chunk>(
    `SELECT count(*)::int AS n, md5(string_agg(h, '' ORDER BY ${sql.keys.map((_, i) => `k${i}`).join(', ')})) AS digest, NULL AS last
       FROM (SELECT ${sql.keys.map((k, i) => `${k} AS k${i}`).join(', ')}, ${rowHash(sql)} AS h FROM ${sql.relation} ${where}) c`,
    params,
  );
  return rows[0];
}

interface KeyedHash {
  key: string[];
  h: string;
}

async function rowHashes(client: Client, sql: TableSql, lo: string[] | null, hi: string[] | null) {
  const { where, params } = rangeWhere(sql, lo, hi);
  const { rows } = await client.query<KeyedHash>(
    `SELECT ${keyText(sql)} AS key, ${rowHash(sql)} AS h FROM ${sql.relation} ${where} ORDER BY ${sql.keys.join(', ')}`,
    params,
  );
  return rows;
}

/** The rows of `keys` (primary keys as text), with their hashes; keys that have no row are absent. */
async function hashesOf(client: Client, sql: TableSql, keys: string[][]): Promise<KeyedHash[]> {
  if (!keys.length) return [];
  const columns = sql.keys.map((_, i) => `c${i}`);
  const { rows } = await client.query<KeyedHash>(
    `SELECT ${keyText(sql)} AS key, ${rowHash(sql)} AS h FROM ${sql.relation}
      WHERE (${sql.keys.join(', ')}) IN (SELECT ${columns.map((c, i) => `${c}::${sql.keyTypes[i]}`).join(', ')}
                                           FROM unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${columns.join(', ')}))`,
    sql.keys.map((_, i) => keys.map((key) => key[i])),
  );
  return rows;
}

/** Keys of the row versions written by a transaction at or after `horizon` (an xid): age() keeps it right across xid wraparound. */
async function changedSince(client: Client, sql: TableSql, horizon: string): Promise<string[][]> {
  const { rows } = await client.query<{ key: string[] }>(
    `SELECT ${keyText(sql)} AS key FROM ${sql.relation} WHERE age(xmin) <= age($1::xid)`,
    [horizon],
  );
  return rows.map((row) => row.key);
}

/** The table's row count and the digest of its keys in key order: equal on both sides means the same rows exist. */
async function keyDigest(client: Client, sql: TableSql): Promise<{ n: number; digest: string | null }> {
  const { rows } = await client.query<{ n: number; digest: string | null }>(
    `SELECT count(*)::int AS n, md5(string_agg((${keyText(sql)})::text, ' ' ORDER BY ${sql.keys.join(', ')})) AS digest FROM ${sql.relation}`,
  );
  return rows[0];
}

/** Row by row: keys on one side only, and keys whose hashes differ. */
function* diffRows(a: KeyedHash[], b: KeyedHash[]): Generator<{ key: string[]; kind: RowDifference['kind'] }> {
  const targetByKey = new Map(b.map((row) => [JSON.stringify(row.key), row]));
  const sourceKeys = new Set<string>();
  for (const row of a) {
    const id = JSON.stringify(row.key);
    sourceKeys.add(id);
    const other = targetByKey.get(id);
    if (!other) yield { key: row.key, kind: 'missing on target' };
    else if (other.h !== row.h) yield { key: row.key, kind: 'differs' };
  }
  for (const row of b) if (!sourceKeys.has(JSON.stringify(row.key))) yield { key: row.key, kind: 'extra on target' };
}

/** Which columns of one row differ: per-column md5 on both sides (NULL kept apart from ''). */
async function differingColumns(
  source: Client,
  target: Client,
  s: TableSql,
  t: TableSql,
  key: string[],
  names: string[],
): Promise<string[]> {
  const probe = async (client: Client, sql: TableSql) => {
    const { rows } = await client.query<{ v: (string | null)[] }>(
      `SELECT ARRAY[${sql.columns.map((c) => `md5(${c}::text)`).join(', ')}] AS v FROM ${sql.relation} WHERE ${keyEquals(sql)}`,
      key,
    );
    return rows[0]?.v;
  };
  const [a, b] = await Promise.all([probe(source, s), probe(target, t)]);
  if (!a || !b) return [];
  return names.filter((_, i) => a[i] !== b[i]);
}

const formatKey = (names: string[], values: string[]) => names.map((name, i) => `${name}=${values[i]}`).join(', ');

/**
 * Appends the rows that differ between `a` (source) and `b` (target) to `into`, up to `max`,
 * naming the columns of a row that differs. `inFlight` (a baseline) receives every differing key
 * and skips the column probe.
 */
async function recordDifferences(
  sides: { source: Client; target: Client; s: TableSql; t: TableSql; plan: TablePlan },
  a: KeyedHash[],
  b: KeyedHash[],
  into: RowDifference[],
  max: number,
  inFlight?: string[][],
): Promise<void> {
  const { source, target, s, t, plan } = sides;
  for (const { key, kind } of diffRows(a, b)) {
    inFlight?.push(key);
    if (into.length >= max) {
      if (inFlight) continue;
      return;
    }
    const columns = kind === 'differs' && !inFlight ? await differingColumns(source, target, s, t, key, plan.columns) : undefined;
    into.push({ key: formatKey(plan.primaryKey, key), kind, ...(columns ? { columns } : {}) });
  }
}

/**
 * The whole table, chunk by chunk (the source's next chunk computed while the target checks this
 * one). `inFlight`, when given, receives the key of every differing row (a baseline verify).
 */
async function verifyTable(
  plan: TablePlan,
  source: Client,
  target: Client,
  options: VerifyOptions,
  onRows: (rows: number) => void,
  inFlight?: string[][],
): Promise<TableVerdict> {
  const started = Date.now();
  const s = tableSql(plan.source as RelationInfo, plan);
  const t = tableSql(plan.target as RelationInfo, plan);
  const verdict: TableVerdict = {
    table: plan.table,
    ok: true,
    sourceRows: 0,
    targetRows: 0,
    chunks: 0,
    differingChunks: 0,
    differences: [],
    columns: plan.columns.length,
    ms: 0,
  };
  const record = async (lo: string[] | null, hi: string[] | null) => {
    verdict.differingChunks++;
    if (!inFlight && verdict.differences.length >= options.maxDifferences) return;
    const [a, b] = await Promise.all([rowHashes(source, s, lo, hi), rowHashes(target, t, lo, hi)]);
    await recordDifferences({ source, target, s, t, plan }, a, b, verdict.differences, options.maxDifferences, inFlight);
  };

  if (!s.keys.length) {
    // No primary key: one ordered aggregate of row hashes (32 bytes a row) per side.
    const whole = async (client: Client, sql: TableSql) =>
      (
        await client.query<Chunk>(
          `SELECT count(*)::int AS n, md5(string_agg(h, '' ORDER BY h)) AS digest, NULL AS last FROM (SELECT ${rowHash(sql)} AS h FROM ${sql.relation}) c`,
        )
      ).rows[0];
    const [a, b] = await Promise.all([whole(source, s), whole(target, t)]);
    verdict.chunks = 1;
    verdict.sourceRows = a.n;
    verdict.targetRows = b.n;
    if (a.n !== b.n || a.digest !== b.digest) {
      verdict.differingChunks = 1;
      verdict.differences.push({ key: '(table without primary key)', kind: 'differs' });
    }
  } else {
    let lo: string[] | null = null;
    let next = sourceChunk(source, s, lo, options.chunkRows);
    for (;;) {
      const chunk = await next;
      const last = chunk.n < options.chunkRows;
      const hi = last ? null : chunk.last;
      // The source's next chunk is computed while the target checks this one.
      if (!last) next = sourceChunk(source, s, hi, options.chunkRows);
      const other = await rangeChunk(target, t, lo, hi);
      verdict.chunks++;
      verdict.sourceRows += chunk.n;
      verdict.targetRows += other.n;
      onRows(verdict.sourceRows);
      if (chunk.n !== other.n || chunk.digest !== other.digest) await record(lo, hi);
      if (last) break;
      lo = hi;
    }
  }
  verdict.ok = verdict.differingChunks === 0 && verdict.sourceRows === verdict.targetRows;
  verdict.ms = Date.now() - started;
  return verdict;
}

/**
 * After the freeze, against a baseline: the rows changed since on either side, and those that
 * differed then, compared row by row; then both sides' ordered key lists, which catch a row
 * deleted on one side only. Every other row is, on both sides, the version the baseline found
 * equal. Key lists that differ fall back to the full chunked comparison, which names the rows.
 */
async function recheckTable(
  plan: TablePlan,
  source: Client,
  target: Client,
  options: VerifyOptions,
  horizons: { source: string; target: string },
  inFlight: string[][],
): Promise<TableVerdict> {
  if (!plan.primaryKey.length) return verifyTable(plan, source, target, options, () => undefined);
  const started = Date.now();
  const s = tableSql(plan.source as RelationInfo, plan);
  const t = tableSql(plan.target as RelationInfo, plan);
  const [changedOnSource, changedOnTarget] = await Promise.all([
    changedSince(source, s, horizons.source),
    changedSince(target, t, horizons.target),
  ]);
  const keys = [...new Map([...changedOnSource, ...changedOnTarget, ...inFlight].map((key) => [JSON.stringify(key), key])).values()];
  const [a, b] = await Promise.all([hashesOf(source, s, keys), hashesOf(target, t, keys)]);
  const [sourceKeys, targetKeys] = await Promise.all([keyDigest(source, s), keyDigest(target, t)]);
  if (sourceKeys.n !== targetKeys.n || sourceKeys.digest !== targetKeys.digest) {
    return verifyTable(plan, source, target, options, () => undefined);
  }
  const differences: RowDifference[] = [];
  await recordDifferences({ source, target, s, t, plan }, a, b, differences, options.maxDifferences);
  return {
    table: plan.table,
    ok: differences.length === 0,
    sourceRows: sourceKeys.n,
    targetRows: targetKeys.n,
    chunks: 0,
    rechecked: keys.length,
    differingChunks: differences.length ? 1 : 0,
    differences,
    columns: plan.columns.length,
    ms: Date.now() - started,
  };
}

interface OrphanIds {
  rows: Map<string, number>;
}

async function orphansOn(
  side: Side,
  readers: ConnectionCache,
  plan: Plan,
  ref: CrossServiceReference,
  which: 'source' | 'target',
): Promise<OrphanIds> {
  const info = (t: TablePlan) => (which === 'source' ? t.source : t.target) as RelationInfo;
  const referencing = plan.tables.find((t) => t.table === ref.table) as TablePlan;
  const referenced = plan.tables.find((t) => t.table === ref.references) as TablePlan;
  const fromKey = side.keyFor(ref.table);
  const toKey = side.keyFor(ref.references);
  const column = quoteIdent(ref.column);
  const from = await readers.get(fromKey);
  const rows = new Map<string, number>();
  if (fromKey === toKey) {
    const result = await from.query<{ id: string; n: string }>(
      `SELECT r.${column}::text AS id, count(*) AS n FROM ${qualified(info(referencing))} r
        WHERE r.${column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${qualified(info(referenced))} x WHERE x.id = r.${column})
        GROUP BY r.${column}`,
    );
    for (const row of result.rows) rows.set(row.id, Number(row.n));
  } else {
    // Different databases: read the distinct referencing ids, then look them up on the other side.
    const ids = await from.query<{ id: string; n: string }>(
      `SELECT ${column}::text AS id, count(*) AS n FROM ${qualified(info(referencing))} WHERE ${column} IS NOT NULL GROUP BY ${column}`,
    );
    const to = await readers.get(toKey);
    const idType = info(referenced).columns.find((c) => c.name === 'id')?.type ?? 'uuid';
    const missing = await to.query<{ id: string }>(
      `SELECT x::text AS id FROM unnest($1::${idType}[]) AS x WHERE NOT EXISTS (SELECT 1 FROM ${qualified(info(referenced))} r WHERE r.id = x)`,
      [ids.rows.map((row) => row.id)],
    );
    const counts = new Map(ids.rows.map((row) => [row.id, Number(row.n)]));
    for (const row of missing.rows) rows.set(row.id, counts.get(row.id) ?? 0);
  }
  return { rows };
}

/** The xmin of each coordinator's snapshot, as an xid (the low 32 bits of the xid8). */
async function snapshotHorizons(group: SnapshotGroup): Promise<Record<string, string>> {
  const horizons: Record<string, string> = {};
  for (const [key, client] of Object.entries(group.coordinators)) {
    const { rows } = await client.query<{ x: string }>(
      'SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint % 4294967296)::text AS x',
    );
    horizons[key] = rows[0].x;
  }
  return horizons;
}

/**
 * Compares every planned table on both sides (row counts and chunked content checksums over the
 * same column list in primary-key order, each side in its own exported snapshot), then the
 * cross-service references. Orphans that already existed in the source (forms.tenant_id with no
 * tenant, hazard F01) are reported but pass; orphans the target has and the source had not fail.
 * `mode` (see VerifyMode) makes it a baseline on live databases or the incremental check after
 * the freeze.
 */
export async function runVerify(
  plan: Plan,
  options: VerifyOptions,
  out: Output,
  verb = 'verify',
  mode: VerifyMode = { kind: 'full' },
): Promise<VerifyResult> {
  const started = Date.now();
  const tables = tablesToCopy(plan);
  const sourceKeys = [...new Set(tables.map((t) => t.sourceKey))];
  const targetKeys = [...new Set(tables.map((t) => t.targetKey))];
  out.line(
    mode.kind === 'incremental'
      ? `${verb}: ${tables.length} table(s), incremental: the rows changed since the pre-verify or in flight then, row by row, and every table's ordered keys`
      : `${verb}: ${tables.length} table(s), row counts and md5 checksums over the same columns in primary-key order, chunks of ${options.chunkRows} rows, ${options.jobs} job(s)${mode.kind === 'baseline' ? ', the source still writable' : ''}`,
  );
  const sourceGroup = await SnapshotGroup.open(plan.source, sourceKeys);
  let targetGroup: SnapshotGroup | undefined;
  const verdicts: TableVerdict[] = [];
  const orphans: OrphanVerdict[] = [];
  const inFlight = new Map<LegacyTable, string[][]>();
  let baseline: VerifyBaseline | undefined;
  try {
    const sourceHorizons = mode.kind === 'baseline' ? await snapshotHorizons(sourceGroup) : {};
    if (mode.kind === 'baseline') await mode.beforeTargetSnapshot?.();
    targetGroup = await SnapshotGroup.open(plan.target, targetKeys);
    const targets = targetGroup;
    if (mode.kind === 'baseline') baseline = { sourceHorizons, targetHorizons: await snapshotHorizons(targets), inFlight };
    const sourceReaders = Array.from({ length: options.jobs }, () => new ConnectionCache((key) => sourceGroup.reader(key)));
    const targetReaders = Array.from({ length: options.jobs }, () => new ConnectionCache((key) => targets.reader(key)));
    const progress = createProgress(verb, options.progress, out.progressStream);
    const ordered = [...tables].sort((a, b) => (b.source?.bytes ?? 0) - (a.source?.bytes ?? 0));
    try {
      await runPool(ordered, options.jobs, async (table, worker) => {
        const source = await sourceReaders[worker].get(table.sourceKey);
        const target = await targetReaders[worker].get(table.targetKey);
        progress.start(
          table.table,
          table.rows ??
            Number((await source.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(table.source as RelationInfo)}`)).rows[0].n),
        );
        try {
          const onRows = (rows: number) => progress.update(table.table, rows, 0);
          let verdict: TableVerdict;
          if (mode.kind === 'incremental') {
            verdict = await recheckTable(
              table,
              source,
              target,
              options,
              { source: mode.baseline.sourceHorizons[table.sourceKey], target: mode.baseline.targetHorizons[table.targetKey] },
              mode.baseline.inFlight.get(table.table) ?? [],
            );
          } else {
            const keys: string[][] | undefined = mode.kind === 'baseline' ? [] : undefined;
            verdict = await verifyTable(table, source, target, options, onRows, keys);
            if (keys) inFlight.set(table.table, keys);
          }
          verdicts.push(verdict);
          progress.finish(
            table.table,
            verdict.ok
              ? `OK (${verdict.sourceRows} rows, ${verdict.rechecked === undefined ? `${verdict.chunks} chunk(s)` : `${verdict.rechecked} re-checked`}, ${formatSeconds(verdict.ms)})`
              : mode.kind === 'baseline'
                ? `${inFlight.get(table.table)?.length ?? 0} row(s) in flight`
                : `MISMATCH`,
          );
        } catch (error) {
          throw classifyDatabaseError(error, `${verb} ${table.table}`);
        }
      });
    } finally {
      progress.stop();
    }

    // A baseline is only the first half: references are checked after the freeze.
    const copied = new Set(mode.kind === 'baseline' ? [] : tables.map((t) => t.table));
    const sourceOrphanReaders = sourceReaders[0];
    const targetOrphanReaders = targetReaders[0];
    for (const ref of CROSS_SERVICE_REFERENCES) {
      if (!copied.has(ref.table) || !copied.has(ref.references)) continue;
      const [a, b] = await Promise.all([
        orphansOn(plan.source, sourceOrphanReaders, plan, ref, 'source'),
        orphansOn(plan.target, targetOrphanReaders, plan, ref, 'target'),
      ]);
      const newOnTarget = [...b.rows.keys()].filter((id) => !a.rows.has(id));
      const sum = (m: Map<string, number>) => [...m.values()].reduce((n, v) => n + v, 0);
      orphans.push({
        reference: `${ref.table}.${ref.column} -> ${ref.references}.id`,
        sourceIds: a.rows.size,
        sourceRows: sum(a.rows),
        targetIds: b.rows.size,
        targetRows: sum(b.rows),
        newOnTarget,
        ok: newOnTarget.length === 0,
      });
    }
    await Promise.all([...sourceReaders, ...targetReaders].map((cache) => cache.closeAll()));
  } finally {
    await targetGroup?.close();
    await sourceGroup.close();
  }

  verdicts.sort((a, b) => tables.findIndex((t) => t.table === a.table) - tables.findIndex((t) => t.table === b.table));
  const result: VerifyResult = {
    ok: verdicts.every((v) => v.ok) && orphans.every((o) => o.ok),
    mode: mode.kind,
    tables: verdicts,
    orphans,
    ms: Date.now() - started,
    baseline,
  };
  if (mode.kind === 'baseline') {
    const rows = [...inFlight.values()].reduce((n, keys) => n + keys.length, 0);
    out.line(
      `${verb} done: ${verdicts.reduce((n, v) => n + v.sourceRows, 0)} rows compared in ${formatSeconds(result.ms)}; ${rows} row(s) differed (changes in flight), re-checked after the freeze`,
    );
    if (rows > mode.maxInFlight) {
      const worst = verdicts
        .filter((v) => !v.ok)
        .map((v) => `${v.table} ${inFlight.get(v.table)?.length ?? 0}`)
        .join(', ');
      throw new DbSplitError(
        `${verb}: the targets differ from the live source in ${rows} rows (${worst}), more than changes in flight; nothing was made read-only`,
        ExitCode.MISMATCH,
        'check `sync status` (lag, apply errors) and run `verify --source URL`',
      );
    }
    return result;
  }
  printVerify(result, plan, out, verb);
  return result;
}

function printVerify(result: VerifyResult, plan: Plan, out: Output, verb: string): void {
  out.line(
    formatTable(
      [
        'table',
        `rows (${plan.source.name})`,
        `rows (${plan.target.name})`,
        'columns',
        result.mode === 'incremental' ? 're-checked' : 'chunks',
        'result',
      ],
      result.tables.map((v) => [
        v.table,
        String(v.sourceRows),
        String(v.targetRows),
        String(v.columns),
        String(v.rechecked ?? v.chunks),
        v.ok ? 'OK' : 'MISMATCH',
      ]),
    ),
  );
  for (const v of result.tables.filter((t) => !t.ok)) {
    out.line(
      `${v.table}: ${v.sourceRows} rows in the ${plan.source.name}, ${v.targetRows} in the ${plan.target.name}; ${v.differingChunks} differing chunk(s); first differences:`,
    );
    for (const d of v.differences) out.line(`  ${v.table} ${d.key}: ${d.kind}${d.columns?.length ? ` (${d.columns.join(', ')})` : ''}`);
  }
  const skippedColumns = plan.tables.filter((t) => t.status === 'copy' && (t.missingOnSource.length || t.missingOnTarget.length));
  for (const t of skippedColumns)
    out.line(`note: ${t.table}: columns on one side only, not compared: ${[...t.missingOnTarget, ...t.missingOnSource].join(', ')}`);
  for (const t of plan.tables.filter((t) => t.status === 'ignored')) out.line(`note: ${t.table}: ignored (--ignore-table), not verified`);
  if (result.orphans.length) {
    out.line('cross-service references (rows pointing at no user / tenant; reported, only orphans the source did not have fail):');
    for (const o of result.orphans) {
      const state = o.targetIds === 0 ? 'none' : `${o.targetRows} row(s), ${o.targetIds} id(s) point at nothing`;
      const verdict = o.ok
        ? o.targetIds
          ? `already orphaned in the ${plan.source.name} (${o.sourceRows} rows): not a failure`
          : 'OK'
        : `NEW orphans: ${o.newOnTarget.slice(0, 5).join(', ')}`;
      out.line(`  ${o.reference}: ${state}; ${verdict}`);
    }
  }
  const bad = result.tables.filter((t) => !t.ok).map((t) => t.table);
  const newOrphans = result.orphans.filter((o) => !o.ok).map((o) => o.reference);
  out.line(
    result.ok
      ? `${verb} OK: ${result.tables.length} table(s) match, ${result.tables.reduce((n, t) => n + t.sourceRows, 0)} rows, in ${formatSeconds(result.ms)}`
      : `${verb} FAILED: ${[bad.length ? `mismatching table(s): ${bad.join(', ')}` : '', newOrphans.length ? `new orphans: ${newOrphans.join(', ')}` : ''].filter(Boolean).join('; ')}`,
  );
}
