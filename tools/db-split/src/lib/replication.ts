import { createHash } from 'node:crypto';

import { pgClientConfig } from '@nafs/database';
import { Client } from 'pg';

import { TOOL_SCHEMA } from './catalog';
import { dbLabel, type Endpoint } from './connections';
import { classifyDatabaseError, DbSplitError, ExitCode } from './errors';
import { qualified, quoteIdent, type TablePlan } from './plan';

/**
 * The PostgreSQL objects behind one replication link (one service's tables, one direction):
 * a publication on the publisher, a logical slot there, and a subscription on the subscriber.
 * Names are derived, never random, so a rerun after a crash finds what an earlier run made.
 */
export interface Link {
  /** The service whose tables travel over this link. */
  service: string;
  direction: 'forward' | 'fallback';
  publisher: Endpoint;
  subscriber: Endpoint;
  /** The plan's tables of this link (empty when built for status or stop without a plan). */
  tables: TablePlan[];
  /** The link's tables on the subscriber, schema-qualified (for rows-applied statistics). */
  subscriberRelations: string[];
  publication: string;
  subscription: string;
  slot: string;
}

/** Rows inserted here on the publisher prove, once seen on the subscriber, that everything committed before them was applied. */
export const MARKER = `${TOOL_SCHEMA}.sync_marker`;
/** One row per link, in the subscriber database: what the tool made and how far it got. */
export const SYNC_STATE = `${TOOL_SCHEMA}.sync_state`;

export function endpointId(endpoint: Endpoint): string {
  const { host, port, database } = endpoint.settings;
  return `${host}:${port}/${database}`;
}

function shortHash(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 10);
}

export function forwardNames(service: string, subscriber: Endpoint): Pick<Link, 'publication' | 'subscription' | 'slot'> {
  // A slot name is unique per publisher cluster; several split targets may follow one source.
  return {
    publication: `db_split_${service}`,
    subscription: `db_split_${service}`,
    slot: `db_split_${service}_${shortHash(endpointId(subscriber))}`,
  };
}

export function fallbackNames(service: string, monolith: Endpoint): Pick<Link, 'publication' | 'subscription' | 'slot'> {
  return {
    publication: 'db_split_fallback',
    subscription: `db_split_fallback_${service}`,
    slot: `db_split_fb_${service}_${shortHash(endpointId(monolith))}`,
  };
}

function conninfoValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The libpq connection string the subscriber's apply worker uses to reach the publisher. */
export function conninfo(endpoint: Endpoint, applicationName: string): string {
  const s = endpoint.settings;
  const parts: [string, string | undefined][] = [
    ['host', s.host],
    ['port', String(s.port)],
    ['dbname', s.database],
    ['user', s.user],
    ['password', s.password],
    ['sslmode', s.ssl ? 'require' : undefined],
    ['application_name', applicationName],
  ];
  return parts
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${conninfoValue(v as string)}`)
    .join(' ');
}

/** Reads back a connection string written by `conninfo` (from pg_subscription.subconninfo). */
export function parseConninfo(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [, key, quoted, bare] of text.matchAll(/(\w+)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|(\S+))/g)) {
    result[key] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : bare;
  }
  return result;
}

/** A replication-protocol connection (`replication: 'database'`), used to create slots with an exported snapshot. */
export async function replicationClient(endpoint: Endpoint): Promise<Client> {
  const client = new Client({ ...pgClientConfig(endpoint.settings), replication: 'database' } as ConstructorParameters<typeof Client>[0]);
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw classifyDatabaseError(error, `${endpoint.label} (${dbLabel(endpoint.settings)}), replication connection`);
  }
}

export interface CreatedSlot {
  slot: string;
  /** The LSN from which the slot streams: everything committed before it is in the snapshot. */
  consistentPoint: string;
  snapshot: string;
  /** Holds the exported snapshot: it stays valid until this connection runs anything else or closes. */
  connection: Client;
}

/**
 * `CREATE_REPLICATION_SLOT ... LOGICAL pgoutput (SNAPSHOT 'export')`: the slot streams every
 * transaction committed after its consistent point, and the exported snapshot shows exactly the
 * transactions committed before it, so a copy made in that snapshot plus the stream is every row
 * once (no gap, no duplicate).
 */
export async function createSlotWithSnapshot(endpoint: Endpoint, slot: string): Promise<CreatedSlot> {
  const connection = await replicationClient(endpoint);
  try {
    const { rows } = await connection.query<{ slot_name: string; consistent_point: string; snapshot_name: string }>(
      `CREATE_REPLICATION_SLOT ${quoteIdent(slot)} LOGICAL pgoutput (SNAPSHOT 'export')`,
    );
    return { slot, consistentPoint: rows[0].consistent_point, snapshot: rows[0].snapshot_name, connection };
  } catch (error) {
    await connection.end().catch(() => undefined);
    throw classifyDatabaseError(error, `${endpoint.label}: creating replication slot ${slot}`);
  }
}

/** Drops a slot of ours on the publisher, waiting briefly for a walsender that still holds it to exit. */
export async function dropSlot(client: Client, slot: string): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const { rows } = await client.query<{ active_pid: number | null }>('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [
      slot,
    ]);
    if (!rows.length) return false;
    if (rows[0].active_pid === null) {
      try {
        await client.query('SELECT pg_drop_replication_slot($1)', [slot]);
        return true;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006') throw error; // object_in_use: retry
      }
    } else if (attempt > 10) {
      await client.query('SELECT pg_terminate_backend($1)', [rows[0].active_pid]);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new DbSplitError(
    `replication slot ${slot} is still in use; drop it with SELECT pg_drop_replication_slot('${slot}')`,
    ExitCode.FAILED,
  );
}

export async function ensureToolTables(client: Client): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${TOOL_SCHEMA}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${MARKER} (
    id   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    link text NOT NULL,
    at   timestamptz NOT NULL DEFAULT clock_timestamp()
  )`);
}

export async function ensureStateTable(client: Client): Promise<void> {
  await ensureToolTables(client);
  await client.query(`CREATE TABLE IF NOT EXISTS ${SYNC_STATE} (
    subscription    text PRIMARY KEY,
    direction       text NOT NULL,
    service         text NOT NULL,
    publisher       text NOT NULL,
    publication     text NOT NULL,
    slot            text NOT NULL,
    phase           text NOT NULL,
    consistent_lsn  pg_lsn,
    applied_base    bigint NOT NULL DEFAULT 0,
    started_at      timestamptz NOT NULL DEFAULT now(),
    streaming_since timestamptz
  )`);
}

export interface LinkState {
  subscription: string;
  direction: string;
  service: string;
  publisher: string;
  publication: string;
  slot: string;
  phase: 'copying' | 'streaming';
  applied_base: string;
  streaming_since: Date | null;
}

export async function readStates(client: Client, direction?: Link['direction']): Promise<LinkState[]> {
  const exists = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [SYNC_STATE]);
  if (!exists.rows[0].found) return [];
  const { rows } = await client.query<LinkState>(
    `SELECT subscription, direction, service, publisher, publication, slot, phase, applied_base::text AS applied_base, streaming_since
       FROM ${SYNC_STATE} WHERE $1::text IS NULL OR direction = $1 ORDER BY service`,
    [direction ?? null],
  );
  return rows;
}

/** Sum of rows inserted, updated and deleted in the link's tables on the subscriber (cumulative statistics). */
export async function rowsChanged(client: Client, link: Pick<Link, 'subscriberRelations'>): Promise<number> {
  const relations = link.subscriberRelations;
  const { rows } = await client.query<{ n: string }>(
    `SELECT COALESCE(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint AS n FROM pg_stat_user_tables WHERE relid = ANY(SELECT to_regclass(r) FROM unnest($1::text[]) r)`,
    [relations],
  );
  return Number(rows[0].n);
}

export interface PublisherFacts {
  walLevel: string;
  superuser: boolean;
  replication: boolean;
  role: string;
  canCreate: boolean;
  freeSlots: number;
  /** Tables whose replica identity cannot identify a row (no primary key, REPLICA IDENTITY NOTHING). */
  noIdentity: string[];
  /** Tables the role does not own (CREATE PUBLICATION ... FOR TABLE needs ownership). */
  notOwned: string[];
}

export async function publisherFacts(client: Client, tables: TablePlan[]): Promise<PublisherFacts> {
  const who = await client.query<{
    wal_level: string;
    rolsuper: boolean;
    rolreplication: boolean;
    role: string;
    can_create: boolean;
    free_slots: number;
  }>(
    `SELECT current_setting('wal_level') AS wal_level, r.rolsuper, r.rolreplication, current_user AS role,
            has_database_privilege(current_database(), 'CREATE') AS can_create,
            current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_replication_slots)::int AS free_slots
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const relations = tables.map((t) => qualified(t.source as NonNullable<TablePlan['source']>));
  const rels = await client.query<{ name: string; identity: string; has_pk: boolean; owned: boolean }>(
    `SELECT c.oid::regclass::text AS name, c.relreplident AS identity,
            EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk,
            pg_has_role(current_user, c.relowner, 'USAGE') AS owned
       FROM pg_class c WHERE c.oid = ANY($1::regclass[])`,
    [relations],
  );
  const [me] = who.rows;
  return {
    walLevel: me.wal_level,
    superuser: me.rolsuper,
    replication: me.rolreplication,
    role: me.role,
    canCreate: me.can_create,
    freeSlots: me.free_slots,
    noIdentity: rels.rows.filter((r) => r.identity === 'n' || (r.identity === 'd' && !r.has_pk)).map((r) => r.name),
    notOwned: me.rolsuper ? [] : rels.rows.filter((r) => !r.owned).map((r) => r.name),
  };
}

/**
 * Refuses, before anything is created, a publisher that cannot serve logical replication: the
 * messages carry the fix. Exit 8 for the server or schema, 6 for the role.
 */
export function assertPublisherReady(facts: PublisherFacts, endpoint: Endpoint, slotsNeeded: number): void {
  const where = `${endpoint.label} (${dbLabel(endpoint.settings)})`;
  assertServerFacts(facts, where);
  if (facts.noIdentity.length) {
    throw new DbSplitError(
      `${where}: table(s) without a replica identity, so their UPDATEs and DELETEs cannot be replicated: ${facts.noIdentity.join(', ')}`,
      ExitCode.NOT_REPLICABLE,
      'add a primary key (ALTER TABLE ... ADD PRIMARY KEY (...)) or, if none exists, ALTER TABLE ... REPLICA IDENTITY FULL (slow on large tables)',
    );
  }
  if (!facts.superuser && (!facts.canCreate || facts.notOwned.length)) {
    throw new DbSplitError(
      `${where}: role ${facts.role} may not create the publication: ${[!facts.canCreate ? 'no CREATE privilege on the database' : '', facts.notOwned.length ? `does not own ${facts.notOwned.join(', ')}` : ''].filter(Boolean).join('; ')}`,
      ExitCode.PRIVILEGE,
      `connect as the owner of the tables (with GRANT CREATE ON DATABASE ... TO ${quoteIdent(facts.role)}) or as a superuser`,
    );
  }
  if (facts.freeSlots < slotsNeeded) {
    throw new DbSplitError(
      `${where}: ${facts.freeSlots} free replication slot(s), ${slotsNeeded} needed`,
      ExitCode.NOT_REPLICABLE,
      'raise max_replication_slots (and max_wal_senders) with ALTER SYSTEM and restart, or drop unused slots',
    );
  }
}

/**
 * The server-level half of the checks (wal_level, the role's REPLICATION), run before the plan so
 * a server that cannot replicate is refused first, with nothing read or created.
 */
export async function assertServerReady(endpoint: Endpoint, client: Client): Promise<void> {
  assertServerFacts(await publisherFacts(client, []), `${endpoint.label} (${dbLabel(endpoint.settings)})`);
}

function assertServerFacts(facts: PublisherFacts, where: string): void {
  if (facts.walLevel !== 'logical') {
    throw new DbSplitError(
      `${where}: wal_level is ${facts.walLevel}, logical replication needs wal_level = logical`,
      ExitCode.NOT_REPLICABLE,
      'run ALTER SYSTEM SET wal_level = logical; on that server and restart it (also check max_replication_slots and max_wal_senders: one slot and sender per service)',
    );
  }
  if (!facts.superuser && !facts.replication) {
    throw new DbSplitError(
      `${where}: role ${facts.role} has neither REPLICATION nor SUPERUSER, so it can neither create replication slots nor stream changes`,
      ExitCode.PRIVILEGE,
      `ALTER ROLE ${quoteIdent(facts.role)} REPLICATION; (run as a superuser), or connect as a superuser`,
    );
  }
}

/** CREATE SUBSCRIPTION needs a superuser on PostgreSQL 15; checked before anything is created. */
export async function assertSubscriberReady(client: Client, endpoint: Endpoint): Promise<void> {
  const { rows } = await client.query<{ rolsuper: boolean; role: string }>(
    'SELECT rolsuper, current_user AS role FROM pg_roles WHERE rolname = current_user',
  );
  if (!rows[0].rolsuper) {
    throw new DbSplitError(
      `${endpoint.label} (${dbLabel(endpoint.settings)}): role ${rows[0].role} is not a superuser; CREATE SUBSCRIPTION needs one`,
      ExitCode.PRIVILEGE,
      'set DB_SPLIT_ADMIN_USER / DB_SPLIT_ADMIN_PASSWORD (or the --target-monolith user) to a superuser of that server',
    );
  }
}

/** The publication's table list: exactly the copied columns, so columns one side lacks never travel. */
export function publicationTables(link: Link): string {
  // The plan's source side is always the publisher (the monolith forward, a service database back).
  const tables = link.tables.map(
    (t) => `${qualified(t.source as NonNullable<TablePlan['source']>)} (${t.columns.map(quoteIdent).join(', ')})`,
  );
  return [...tables, MARKER].join(', ');
}

export async function dropSubscription(client: Client, name: string): Promise<boolean> {
  const { rows } = await client.query<{ slot: string | null }>(
    'SELECT subslotname AS slot FROM pg_subscription WHERE subname = $1 AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())',
    [name],
  );
  if (!rows.length) return false;
  // Detach the slot first: DROP SUBSCRIPTION would otherwise need the publisher to be reachable;
  // the tool drops the slot itself, on the publisher, right after.
  await client.query(`ALTER SUBSCRIPTION ${quoteIdent(name)} DISABLE`);
  await client.query(`ALTER SUBSCRIPTION ${quoteIdent(name)} SET (slot_name = NONE)`);
  await client.query(`DROP SUBSCRIPTION ${quoteIdent(name)}`);
  return true;
}

/** Polls until a marker row inserted on the publisher is visible on the subscriber. */
export async function waitForMarker(client: Client, id: string, timeoutMs: number, describe: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    const { rowCount } = await client.query(`SELECT 1 FROM ${MARKER} WHERE id = $1`, [id]);
    if (rowCount) return Date.now() - started;
    if (Date.now() - started > timeoutMs) {
      throw new DbSplitError(
        `${describe}: the final changes were not applied within ${Math.round(timeoutMs / 1000)} s`,
        ExitCode.FAILED,
        'check `sync status` and the subscriber server log',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
