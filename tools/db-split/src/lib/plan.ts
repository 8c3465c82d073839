import { isLegacyTable, LEGACY_TABLES, LEGACY_VIEWS, type LegacyTable } from '@nafs/contracts';

import { type DatabaseCatalog, isSplit, readCatalog, type RelationInfo, type Side } from './catalog';
import { dbLabel, withClient } from './connections';
import { classifyDatabaseError, DbSplitError, ExitCode } from './errors';
import { LEGACY_COLUMNS } from './legacy-columns';
import { formatBytes, formatTable, type Output } from './output';

export interface PlanOptions {
  /** Tables to leave out: unknown extra tables, or legacy tables the source lacks. */
  ignoreTables: string[];
  /** `table.column` or `table.*`: columns allowed to exist on one side only. */
  allowMissingColumns: string[];
  /** copy/verify/rollback need the target tables to exist; plan alone does not. */
  requireTargets: boolean;
  /** Count rows on the source (plan shows them; copy counts inside its snapshot instead). */
  countRows: boolean;
}

export type ProblemKind = 'unknown-table' | 'missing-table' | 'missing-column' | 'no-target-table' | 'rls' | 'privilege';

export interface Problem {
  kind: ProblemKind;
  subject: string;
  message: string;
  /** The option that accepts it; undefined when nothing but a fix will do. */
  override?: string;
  overridden: boolean;
}

export interface TablePlan {
  table: LegacyTable;
  sourceKey: string;
  targetKey: string;
  source?: RelationInfo;
  target?: RelationInfo;
  /** Where the target column list came from: the migrated target, or the built-in legacy list. */
  targetColumnsFrom: 'target' | 'expected' | 'none';
  /** Columns copied and compared: the source's, in source order, that the target also has. */
  columns: string[];
  missingOnTarget: string[];
  missingOnSource: string[];
  typeDifferences: string[];
  primaryKey: string[];
  /** COPY format: binary when every copied column has the same binary-safe type on both sides
   *  (exact and cheaper: no timestamp or uuid text to print and parse), text otherwise. */
  format: 'binary' | 'text';
  status: 'copy' | 'ignored' | 'missing-in-source';
  rows?: number;
}

export interface Plan {
  source: Side;
  target: Side;
  sourceCatalogs: Record<string, DatabaseCatalog>;
  targetCatalogs: Record<string, DatabaseCatalog | undefined>;
  tables: TablePlan[];
  unknownTables: (RelationInfo & { rows?: number })[];
  notes: string[];
  problems: Problem[];
}

export function blockingProblems(plan: Plan): Problem[] {
  return plan.problems.filter((problem) => !problem.overridden);
}

export function tablesToCopy(plan: Plan): TablePlan[] {
  return plan.tables.filter((table) => table.status === 'copy');
}

function columnAllowed(patterns: string[], table: string, column: string): boolean {
  return patterns.includes(`${table}.${column}`) || patterns.includes(`${table}.*`);
}

async function readSide(side: Side, optional: boolean): Promise<Record<string, DatabaseCatalog | undefined>> {
  const entries = await Promise.all(
    Object.entries(side.endpoints).map(async ([key, endpoint]) => {
      try {
        return [key, await withClient(endpoint, (client) => readCatalog(client, endpoint))] as const;
      } catch (error) {
        const wrapped = classifyDatabaseError(error, endpoint.label);
        // Before `create`, plan compares with the built-in legacy column list instead.
        if (optional && wrapped.exitCode === ExitCode.UNREACHABLE && /3D000/.test(wrapped.message)) return [key, undefined] as const;
        throw wrapped;
      }
    }),
  );
  return Object.fromEntries(entries);
}

async function countRows(catalogs: Record<string, DatabaseCatalog>, relations: { key: string; info: RelationInfo }[]) {
  const counts = new Map<RelationInfo, number>();
  const byKey = new Map<string, RelationInfo[]>();
  for (const { key, info } of relations) {
    if (!info.canSelect || info.rlsApplies || (info.kind !== 'table' && info.kind !== 'partitioned')) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), info]);
  }
  await Promise.all(
    [...byKey].map(([key, infos]) =>
      withClient(catalogs[key].endpoint, async (client) => {
        for (const info of infos) {
          const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(info)}`);
          counts.set(info, Number(rows[0].n));
        }
      }),
    ),
  );
  return counts;
}

export function qualified(info: Pick<RelationInfo, 'schema' | 'name'>): string {
  return `${quoteIdent(info.schema)}.${quoteIdent(info.name)}`;
}

export function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/**
 * Introspects both sides and decides, table by table, what will be copied over which columns.
 * Everything that could lose data (a table nobody owns, a column one side lacks) is a problem
 * that stops the run unless the user accepted exactly that item with an option.
 */
export async function buildPlan(source: Side, target: Side, options: PlanOptions): Promise<Plan> {
  // Both sides at once; if both fail, the source's error is the one reported (a wrong --source
  // is likelier than a target behind it).
  const [sourceRead, targetRead] = await Promise.allSettled([readSide(source, false), readSide(target, !options.requireTargets)]);
  if (sourceRead.status === 'rejected') throw sourceRead.reason;
  if (targetRead.status === 'rejected') throw targetRead.reason;
  const sourceCatalogs = sourceRead.value as Record<string, DatabaseCatalog>;
  const targetCatalogs = targetRead.value;
  const ignore = new Set(options.ignoreTables);
  const problems: Problem[] = [];
  const notes: string[] = [];
  const tables: TablePlan[] = [];

  for (const table of LEGACY_TABLES) {
    const sourceKey = source.keyFor(table);
    const targetKey = target.keyFor(table);
    const sourceInfo = sourceCatalogs[sourceKey].relations.get(table);
    const targetCatalog = targetCatalogs[targetKey];
    const targetInfo = targetCatalog?.relations.get(table);
    const plan: TablePlan = {
      table,
      sourceKey,
      targetKey,
      source: sourceInfo,
      target: targetInfo,
      targetColumnsFrom: 'none',
      columns: [],
      missingOnTarget: [],
      missingOnSource: [],
      typeDifferences: [],
      primaryKey: sourceInfo?.primaryKey ?? [],
      format: 'text',
      status: 'copy',
    };
    tables.push(plan);
    if (ignore.has(table)) {
      plan.status = 'ignored';
      notes.push(`${table}: ignored (--ignore-table): not copied, not verified`);
      continue;
    }
    if (!sourceInfo || (sourceInfo.kind !== 'table' && sourceInfo.kind !== 'partitioned')) {
      plan.status = 'missing-in-source';
      problems.push({
        kind: 'missing-table',
        subject: table,
        override: `--ignore-table ${table}`,
        overridden: false,
        message: `${table}: not a table in the ${source.name} (${sourceCatalogs[sourceKey].endpoint.settings.database})`,
      });
      continue;
    }
    if (!sourceInfo.canSelect) {
      problems.push({
        kind: 'privilege',
        subject: table,
        overridden: false,
        message: `${table}: role ${sourceCatalogs[sourceKey].role} may not SELECT it on the ${source.name}`,
      });
    } else if (sourceInfo.rlsApplies) {
      problems.push({
        kind: 'rls',
        subject: table,
        overridden: false,
        message: `${table}: row-level security applies to role ${sourceCatalogs[sourceKey].role} on the ${source.name}, so rows would be hidden; connect as the table owner or a superuser`,
      });
    }

    let targetColumns: { name: string; type?: string; generated: boolean; notNull?: boolean; hasDefault?: boolean; binarySafe?: boolean }[];
    if (targetInfo) {
      plan.targetColumnsFrom = 'target';
      targetColumns = targetInfo.columns;
    } else if (!options.requireTargets) {
      plan.targetColumnsFrom = 'expected';
      targetColumns = LEGACY_COLUMNS[table].map((name) => ({ name, generated: false }));
      if (targetCatalog)
        notes.push(
          `${table}: not in ${target.endpoints[targetKey].settings.database} yet (run \`schema\`); compared with the legacy column list`,
        );
    } else {
      problems.push({
        kind: 'no-target-table',
        subject: table,
        overridden: false,
        message: `${table}: missing in the ${target.name} database ${target.endpoints[targetKey].settings.database}; run \`schema\` first`,
      });
      continue;
    }

    const targetByName = new Map(targetColumns.map((column) => [column.name, column]));
    const sourceNames = new Set(sourceInfo.columns.map((column) => column.name));
    for (const column of sourceInfo.columns) {
      const other = targetByName.get(column.name);
      if (!other) plan.missingOnTarget.push(column.name);
      else if (other.generated) notes.push(`${table}.${column.name}: generated on the ${target.name}; not copied`);
      else {
        plan.columns.push(column.name);
        if (other.type && other.type !== column.type) plan.typeDifferences.push(`${column.name} ${column.type} -> ${other.type}`);
      }
    }
    const sourceByName = new Map(sourceInfo.columns.map((column) => [column.name, column]));
    plan.format = plan.columns.every((name) => {
      const [a, b] = [sourceByName.get(name), targetByName.get(name)];
      return a?.binarySafe && b?.binarySafe && a.type === b.type;
    })
      ? 'binary'
      : 'text';
    plan.missingOnSource = targetColumns
      .filter((column) => !sourceNames.has(column.name) && !column.generated)
      .map((column) => column.name);
    for (const column of plan.missingOnTarget) {
      problems.push({
        kind: 'missing-column',
        subject: `${table}.${column}`,
        override: `--allow-missing-column ${table}.${column}`,
        overridden: columnAllowed(options.allowMissingColumns, table, column),
        message: `${table}.${column}: exists in the ${source.name} but not in the ${target.name}; its values would be lost`,
      });
    }
    for (const name of plan.missingOnSource) {
      const column = targetByName.get(name) as (typeof targetColumns)[number];
      if (column.notNull && !column.hasDefault) {
        problems.push({
          kind: 'missing-column',
          subject: `${table}.${name}`,
          overridden: false,
          message: `${table}.${name}: NOT NULL without a default in the ${target.name} and absent from the ${source.name}; no row could be loaded`,
        });
      } else if (LEGACY_COLUMNS[table].includes(name)) {
        // A legacy column the source lacks: the source is older than the final legacy schema
        // (a monolith whose migration 029 never ran), so the rows would silently get defaults.
        problems.push({
          kind: 'missing-column',
          subject: `${table}.${name}`,
          override: `--allow-missing-column ${table}.${name}`,
          overridden: columnAllowed(options.allowMissingColumns, table, name),
          message: `${table}.${name}: exists in the ${target.name} but not in the ${source.name}; loaded rows would get ${column.hasDefault ? "the column's default" : 'NULL'}`,
        });
      } else {
        notes.push(`${table}.${name}: added by a service migration after the split (not a legacy column); loaded rows get its default`);
      }
    }
    for (const difference of plan.typeDifferences) notes.push(`${table}: type differs: ${difference} (copied as text)`);
    for (const trigger of targetInfo?.replicaTriggers ?? []) {
      notes.push(
        `${table}: trigger ${trigger} is ENABLE ALWAYS/REPLICA in the ${target.name}, so it fires even while loading in replica mode`,
      );
    }
    if (!plan.primaryKey.length) notes.push(`${table}: no primary key on the ${source.name}; verify orders by the whole row`);
  }

  // Anything else with rows: an extra table the generator added, a table in another schema.
  const unknownTables: Plan['unknownTables'] = [];
  const unknownWithKeys: { key: string; info: RelationInfo }[] = [];
  for (const [key, catalog] of Object.entries(sourceCatalogs)) {
    for (const info of catalog.relations.values()) {
      if (info.schema === 'public' && isLegacyTable(info.name)) continue;
      if (info.kind === 'view') {
        if (!(LEGACY_VIEWS as readonly string[]).includes(info.qualifiedName))
          notes.push(`view ${info.qualifiedName}: not data; not copied`);
        continue;
      }
      if (isSplit(source)) {
        // A service database also holds its migration history and the tables added after the
        // split; the monolith has no place for them.
        if (info.qualifiedName !== 'typeorm_migrations') notes.push(`${key}: ${info.qualifiedName} has no monolith table; not copied back`);
        continue;
      }
      unknownTables.push(info);
      unknownWithKeys.push({ key, info });
      const overridden = ignore.has(info.qualifiedName);
      problems.push({
        kind: 'unknown-table',
        subject: info.qualifiedName,
        override: `--ignore-table ${info.qualifiedName}`,
        overridden,
        message: `${info.qualifiedName}: ${info.kind} in the ${source.name} that is not one of the 17 legacy tables; no service owns it`,
      });
    }
  }
  for (const name of ignore) {
    if (!isLegacyTable(name) && !unknownTables.some((info) => info.qualifiedName === name))
      notes.push(`--ignore-table ${name}: no such table in the ${source.name}`);
  }

  if (options.countRows) {
    const relations = tables.filter((t) => t.source).map((t) => ({ key: t.sourceKey, info: t.source as RelationInfo }));
    const counts = await countRows(sourceCatalogs, [...relations, ...unknownWithKeys]);
    for (const t of tables) if (t.source) t.rows = counts.get(t.source);
    for (const info of unknownTables) info.rows = counts.get(info);
  }
  return { source, target, sourceCatalogs, targetCatalogs, tables, unknownTables, notes, problems };
}

/** The exit code of a refused plan: privileges first (no option fixes them), then the rest. */
export function refusalCode(problems: Problem[]): typeof ExitCode.PRIVILEGE | typeof ExitCode.PLAN_REFUSED {
  return problems.some((p) => p.kind === 'rls' || p.kind === 'privilege') ? ExitCode.PRIVILEGE : ExitCode.PLAN_REFUSED;
}

export function assertPlanAccepted(plan: Plan): void {
  const blocking = blockingProblems(plan);
  if (!blocking.length) return;
  const overrides = [...new Set(blocking.map((p) => p.override).filter(Boolean))];
  throw new DbSplitError(
    `refusing to continue: ${blocking.length} problem(s)\n${blocking.map((p) => `  - ${p.message}`).join('\n')}`,
    refusalCode(blocking),
    overrides.length ? `if that is intended, pass: ${overrides.join(' ')}` : undefined,
  );
}

export function printPlan(plan: Plan, out: Output): void {
  const { source, target } = plan;
  for (const [key, catalog] of Object.entries(plan.sourceCatalogs)) {
    out.line(
      `${source.name}${isSplit(source) ? ` (${key})` : ''}: ${dbLabel(catalog.endpoint.settings)}${catalog.readOnlyDefault ? ' [read-only]' : ''}${catalog.superuser ? ' [superuser]' : ''}`,
    );
  }
  for (const [key, endpoint] of Object.entries(target.endpoints)) {
    const catalog = plan.targetCatalogs[key];
    const state = !catalog
      ? 'does not exist yet (run `create`)'
      : [...catalog.relations.keys()].some((name) => isLegacyTable(name))
        ? 'migrated'
        : 'no tables yet (run `schema`)';
    out.line(`${target.name}${isSplit(target) ? ` (${key})` : ''}: ${dbLabel(endpoint.settings)}: ${state}`);
  }
  out.line('');
  out.line(
    formatTable(
      ['table', 'target', 'rows', 'size', 'columns', 'action'],
      plan.tables.map((t) => [
        t.table,
        isSplit(target)
          ? `${t.targetKey} (${target.endpoints[t.targetKey].settings.database})`
          : target.endpoints[t.targetKey].settings.database,
        t.rows === undefined ? '-' : String(t.rows),
        t.source ? formatBytes(t.source.bytes) : '-',
        t.status === 'copy' ? `${t.columns.length}${t.targetColumnsFrom === 'expected' ? ' (vs legacy list)' : ''}` : '-',
        t.status === 'copy' ? 'copy' : t.status === 'ignored' ? 'ignored' : 'MISSING in source',
      ]),
    ),
  );
  if (plan.unknownTables.length) {
    out.line('');
    out.line('unknown tables (no owner in libs/contracts TABLE_OWNERSHIP):');
    for (const info of plan.unknownTables) {
      out.line(
        `  ${info.qualifiedName} (${info.kind}, ${info.rows ?? '?'} rows, ${formatBytes(info.bytes)})${plan.problems.some((p) => p.subject === info.qualifiedName && p.overridden) ? ': ignored' : ''}`,
      );
    }
  }
  const columnProblems = plan.problems.filter((p) => p.kind === 'missing-column');
  if (columnProblems.length) {
    out.line('');
    out.line('columns missing on one side:');
    for (const p of columnProblems) out.line(`  ${p.message}${p.overridden ? ' [allowed]' : ''}`);
  }
  if (plan.notes.length) {
    out.line('');
    for (const note of plan.notes) out.line(`note: ${note}`);
  }
  const blocking = blockingProblems(plan);
  out.line('');
  if (!blocking.length) {
    const copy = tablesToCopy(plan);
    out.line(`plan OK: ${copy.length} table(s), ${copy.reduce((n, t) => n + (t.rows ?? 0), 0)} rows to copy`);
  } else {
    out.line(`plan REFUSED: ${blocking.length} problem(s):`);
    for (const p of blocking) out.line(`  - ${p.message}${p.override ? `  (accept with ${p.override})` : ''}`);
  }
}

export function planAsJson(plan: Plan) {
  return {
    tables: plan.tables.map((t) => ({
      table: t.table,
      target: t.targetKey,
      database: plan.target.endpoints[t.targetKey].settings.database,
      status: t.status,
      rows: t.rows,
      bytes: t.source?.bytes,
      columns: t.columns,
      missingOnTarget: t.missingOnTarget,
      missingOnSource: t.missingOnSource,
      targetColumnsFrom: t.targetColumnsFrom,
      format: t.format,
    })),
    unknownTables: plan.unknownTables.map((info) => ({ table: info.qualifiedName, kind: info.kind, rows: info.rows, bytes: info.bytes })),
    problems: plan.problems,
    notes: plan.notes,
    accepted: blockingProblems(plan).length === 0,
  };
}
