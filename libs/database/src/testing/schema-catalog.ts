import { Client } from 'pg';

export interface TableCatalog {
  columns: { name: string; type: string; notNull: boolean; default: string | null; collation: string | null }[];
  constraints: Map<string, string>;
  indexes: Map<string, string>;
  triggers: Map<string, string>;
}

/** Reads what the schema-equality check compares, straight from pg_catalog. */
export async function readTableCatalogs(url: string, tables: readonly string[]): Promise<Map<string, TableCatalog>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const catalogs = new Map<string, TableCatalog>();
    for (const table of tables) {
      const columns = await client.query(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull",
                pg_get_expr(d.adbin, d.adrelid) AS default, co.collname AS collation
           FROM pg_attribute a
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
           LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 0
          WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY a.attnum`,
        [`public.${table}`],
      );
      const pairs = async (sql: string) =>
        new Map((await client.query(sql, [`public.${table}`])).rows.map((row) => [row.name as string, row.def as string]));
      catalogs.set(table, {
        columns: columns.rows,
        constraints: await pairs(
          `SELECT conname AS name, pg_get_constraintdef(oid) || CASE WHEN condeferrable THEN ' DEFERRABLE' ELSE '' END AS def
             FROM pg_constraint WHERE conrelid = to_regclass($1)`,
        ),
        indexes: await pairs(
          `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = to_regclass($1)`,
        ),
        triggers: await pairs(
          `SELECT tgname AS name, pg_get_triggerdef(oid) AS def
             FROM pg_trigger WHERE tgrelid = to_regclass($1) AND NOT tgisinternal`,
        ),
      });
    }
    return catalogs;
  } finally {
    await client.end();
  }
}

export interface SchemaDiffOptions {
  /** Constraints present in legacy that the target deliberately lacks, as `table.constraint`. */
  droppedConstraints?: readonly string[];
  /** Columns the target adds after the legacy ones, as `table.column` (added by later migrations). */
  addedColumns?: readonly string[];
  /** Indexes the target adds, as `table.index`. */
  addedIndexes?: readonly string[];
}

export interface SchemaDiff {
  differences: string[];
  compared: { tables: number; columns: number; constraints: number; indexes: number; triggers: number };
}

function diffNamed(
  kind: string,
  table: string,
  legacy: Map<string, string>,
  target: Map<string, string>,
  skipMissing: Set<string>,
  skipExtra: Set<string>,
): string[] {
  const out: string[] = [];
  for (const [name, def] of legacy) {
    if (skipMissing.has(`${table}.${name}`)) {
      if (target.has(name)) out.push(`${table}: ${kind} ${name} should have been dropped but exists`);
      continue;
    }
    if (!target.has(name)) out.push(`${table}: ${kind} ${name} missing (${def})`);
    else if (target.get(name) !== def) out.push(`${table}: ${kind} ${name} differs: legacy "${def}" vs target "${target.get(name)}"`);
  }
  for (const [name, def] of target) {
    if (!legacy.has(name) && !skipExtra.has(`${table}.${name}`)) out.push(`${table}: unexpected ${kind} ${name} (${def})`);
  }
  return out;
}

/** Every difference between the legacy and target catalogs that is not a documented one. */
export function diffCatalogs(
  legacy: Map<string, TableCatalog>,
  target: Map<string, TableCatalog>,
  options: SchemaDiffOptions = {},
): SchemaDiff {
  const dropped = new Set(options.droppedConstraints ?? []);
  const addedColumns = new Set(options.addedColumns ?? []);
  const addedIndexes = new Set(options.addedIndexes ?? []);
  const differences: string[] = [];
  const compared = { tables: 0, columns: 0, constraints: 0, indexes: 0, triggers: 0 };
  for (const [table, old] of legacy) {
    const now = target.get(table);
    if (!now || now.columns.length === 0) {
      differences.push(`${table}: table missing in target`);
      continue;
    }
    compared.tables += 1;
    old.columns.forEach((column, position) => {
      compared.columns += 1;
      const actual = now.columns[position];
      if (!actual || JSON.stringify(actual) !== JSON.stringify(column)) {
        differences.push(`${table}: column ${position + 1} legacy ${JSON.stringify(column)} vs target ${JSON.stringify(actual ?? null)}`);
      }
    });
    for (const extra of now.columns.slice(old.columns.length)) {
      if (!addedColumns.has(`${table}.${extra.name}`)) differences.push(`${table}: unexpected column ${extra.name}`);
    }
    compared.constraints += old.constraints.size;
    compared.indexes += old.indexes.size;
    compared.triggers += old.triggers.size;
    differences.push(
      ...diffNamed('constraint', table, old.constraints, now.constraints, dropped, new Set()),
      ...diffNamed('index', table, old.indexes, now.indexes, new Set(), addedIndexes),
      ...diffNamed('trigger', table, old.triggers, now.triggers, new Set(), new Set()),
    );
  }
  return { differences, compared };
}
