import { LEGACY_TABLES, type LegacyTable, type ServiceName, TABLE_OWNERSHIP } from '@nafs/contracts';
import type { Client } from 'pg';

import type { Endpoint } from './connections';

/** The tool's own bookkeeping schema in each database it writes (see journal.ts). */
export const TOOL_SCHEMA = 'db_split';

export interface ColumnInfo {
  name: string;
  type: string;
  generated: boolean;
  notNull: boolean;
  hasDefault: boolean;
  /** Its binary COPY form carries no database-specific type OID (composite values and arrays of
   *  user-defined types do), so it can be loaded in binary into a column of the same type. */
  binarySafe: boolean;
}

export interface RelationInfo {
  schema: string;
  name: string;
  /** `public.x` tables are named `x`; anything else keeps its schema. */
  qualifiedName: string;
  kind: 'table' | 'partitioned' | 'view' | 'matview' | 'foreign';
  columns: ColumnInfo[];
  primaryKey: string[];
  bytes: number;
  canSelect: boolean;
  /** Row-level security would apply to the connected role (not owner, superuser or BYPASSRLS). */
  rlsApplies: boolean;
  /** Triggers that still fire with session_replication_role = replica (ENABLE ALWAYS / REPLICA). */
  replicaTriggers: string[];
}

export interface DatabaseCatalog {
  endpoint: Endpoint;
  role: string;
  superuser: boolean;
  readOnlyDefault: boolean;
  relations: Map<string, RelationInfo>;
}

const KINDS: Record<string, RelationInfo['kind']> = { r: 'table', p: 'partitioned', v: 'view', m: 'matview', f: 'foreign' };

/** Reads tables, views, columns, primary keys, sizes and RLS/privilege facts in four queries. */
export async function readCatalog(client: Client, endpoint: Endpoint): Promise<DatabaseCatalog> {
  const who = await client.query<{ role: string; superuser: boolean; read_only: string }>(
    `SELECT current_user AS role, r.rolsuper AS superuser, current_setting('default_transaction_read_only') AS read_only
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const relations = await client.query<{
    oid: number;
    schema: string;
    name: string;
    relkind: string;
    bytes: string;
    can_select: boolean;
    rls_applies: boolean;
  }>(
    `SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind,
            pg_total_relation_size(c.oid)::bigint AS bytes,
            has_table_privilege(c.oid, 'SELECT') AS can_select,
            (c.relrowsecurity AND NOT r.rolsuper AND NOT r.rolbypassrls
               AND (c.relforcerowsecurity OR NOT pg_has_role(current_user, c.relowner, 'USAGE'))) AS rls_applies
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_roles r ON r.rolname = current_user
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', $1)
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
        AND NOT c.relispartition
      ORDER BY c.oid`,
    [TOOL_SCHEMA],
  );
  const oids = relations.rows.map((row) => row.oid);
  const columns = await client.query<{
    oid: number;
    name: string;
    type: string;
    generated: boolean;
    not_null: boolean;
    has_default: boolean;
    binary_safe: boolean;
  }>(
    `SELECT a.attrelid AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attgenerated <> '' AS generated,
            a.attnotnull AS not_null, a.atthasdef AS has_default,
            (t.typtype IN ('b', 'e', 'r', 'm') AND NOT (t.typelem <> 0 AND t.typelem >= 16384)) AS binary_safe
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attrelid, a.attnum`,
    [oids],
  );
  const keys = await client.query<{ oid: number; columns: string[] }>(
    `SELECT i.indrelid AS oid, array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indisprimary AND i.indrelid = ANY($1::oid[])
      GROUP BY i.indrelid`,
    [oids],
  );
  const triggers = await client.query<{ oid: number; name: string }>(
    `SELECT t.tgrelid AS oid, t.tgname AS name FROM pg_trigger t
      WHERE t.tgrelid = ANY($1::oid[]) AND NOT t.tgisinternal AND t.tgenabled IN ('A', 'R')`,
    [oids],
  );

  const byOid = new Map<number, RelationInfo>();
  const result = new Map<string, RelationInfo>();
  for (const row of relations.rows) {
    const qualifiedName = row.schema === 'public' ? row.name : `${row.schema}.${row.name}`;
    const info: RelationInfo = {
      schema: row.schema,
      name: row.name,
      qualifiedName,
      kind: KINDS[row.relkind],
      columns: [],
      primaryKey: [],
      bytes: Number(row.bytes),
      canSelect: row.can_select,
      rlsApplies: row.rls_applies,
      replicaTriggers: [],
    };
    byOid.set(row.oid, info);
    result.set(qualifiedName, info);
  }
  for (const row of columns.rows) {
    byOid.get(row.oid)?.columns.push({
      name: row.name,
      type: row.type,
      generated: row.generated,
      notNull: row.not_null,
      hasDefault: row.has_default,
      binarySafe: row.binary_safe,
    });
  }
  for (const row of keys.rows) {
    const info = byOid.get(row.oid);
    if (info) info.primaryKey = row.columns;
  }
  for (const row of triggers.rows) byOid.get(row.oid)?.replicaTriggers.push(row.name);
  const [me] = who.rows;
  return { endpoint, role: me.role, superuser: me.superuser, readOnlyDefault: me.read_only === 'on', relations: result };
}

/**
 * Where the 17 tables live on one side of a copy: all in one monolith database, or split over the
 * three service databases by TABLE_OWNERSHIP.
 */
export interface Side {
  name: string;
  /** Database key ('monolith', 'source', or a service name) to endpoint. */
  endpoints: Record<string, Endpoint>;
  keyFor(table: LegacyTable): string;
}

export function monolithSide(name: string, endpoint: Endpoint): Side {
  return { name, endpoints: { [name]: endpoint }, keyFor: () => name };
}

export function splitSide(name: string, endpoints: Record<ServiceName, Endpoint>): Side {
  return { name, endpoints, keyFor: (table) => TABLE_OWNERSHIP[table] };
}

export function isSplit(side: Side): boolean {
  return Object.keys(side.endpoints).length > 1;
}

export { LEGACY_TABLES };
