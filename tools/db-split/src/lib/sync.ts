import { type ServiceName, TABLE_OWNERSHIP, tablesOwnedBy } from '@nafs/contracts';
import type { Client } from 'pg';

import { type Side } from './catalog';
import { allowWrites, connectEach, dbLabel, type Endpoint, KeyedQueue, withClient } from './connections';
import { runCopy } from './copy';
import { runCutoverGuard } from './cutover-guard';
import { classifyDatabaseError, DbSplitError, ExitCode, throwFirstFailure } from './errors';
import { holdLauncherBack } from './launcher-gate';
import { debugPhase, formatBytes, formatSeconds, formatTable, type Output } from './output';
import { type Plan, qualified, quoteIdent, tablesToCopy } from './plan';
import type { ProgressMode } from './progress';
import {
  assertPublisherReady,
  assertSubscriberReady,
  conninfo,
  type CreatedSlot,
  createSlotWithSnapshot,
  dropSlot,
  dropSubscription,
  endpointId,
  ensureStateTable,
  ensureToolTables,
  fallbackNames,
  forwardNames,
  type Link,
  MARKER,
  parseConninfo,
  publicationTables,
  publisherFacts,
  readStates,
  rowsChanged,
  SYNC_STATE,
  waitForMarker,
} from './replication';
import { ConnectionCache } from './snapshot';
import { runVerify, type VerifyBaseline } from './verify';

export interface StartOptions {
  jobs: number;
  progress: ProgressMode;
  /** fallback start: empty the monolith's tables first (it is usually the old, now stale, source). */
  truncate: boolean;
  failAfterTables?: number;
}

/** A session that may write even in a database made read-only by the cut-over guard. */
async function writable<T>(endpoint: Endpoint, work: (client: Client) => Promise<T>): Promise<T> {
  return withClient(endpoint, async (client) => work(await allowWrites(client)));
}

/** The links of a plan: one per service that has tables, publisher = the plan's source side. */
export function linksOf(plan: Plan, direction: Link['direction']): Link[] {
  const tables = tablesToCopy(plan);
  const services = direction === 'forward' ? Object.keys(plan.target.endpoints) : Object.keys(plan.source.endpoints);
  return services
    .map((service) => {
      const mine = tables.filter((t) => (direction === 'forward' ? t.targetKey : t.sourceKey) === service);
      const publisher = direction === 'forward' ? plan.source.endpoints[mine[0]?.sourceKey ?? 'source'] : plan.source.endpoints[service];
      const subscriber = direction === 'forward' ? plan.target.endpoints[service] : Object.values(plan.target.endpoints)[0];
      const names = direction === 'forward' ? forwardNames(service, subscriber) : fallbackNames(service, subscriber);
      const subscriberRelations = mine.map((t) => qualified(t.target as NonNullable<typeof t.target>));
      return { service, direction, publisher, subscriber, tables: mine, subscriberRelations, ...names };
    })
    .filter((link) => link.tables.length > 0);
}

/** The copy plan of a sync: each service's tables read in the snapshot of that service's slot. */
function copyPlanFor(plan: Plan, links: Link[], direction: Link['direction']): Plan {
  const services = new Set(links.map((l) => l.service));
  if (direction === 'fallback') {
    return { ...plan, tables: plan.tables.filter((t) => services.has(t.sourceKey)) };
  }
  // One source database, three snapshots: give the source one key per service, all the same
  // database, so the copy engine opens one snapshot group member per slot.
  const [sourceKey] = Object.keys(plan.source.endpoints);
  const source: Side = {
    name: plan.source.name,
    endpoints: Object.fromEntries([...services].map((s) => [s, plan.source.endpoints[sourceKey]])),
    keyFor: (table) => TABLE_OWNERSHIP[table],
  };
  return {
    ...plan,
    source,
    sourceCatalogs: Object.fromEntries([...services].map((s) => [s, plan.sourceCatalogs[sourceKey]])),
    tables: plan.tables.filter((t) => services.has(t.targetKey)).map((t) => ({ ...t, sourceKey: t.targetKey })),
  };
}

async function subscriptionExists(client: Client, name: string): Promise<boolean> {
  const { rowCount } = await client.query(
    'SELECT 1 FROM pg_subscription WHERE subname = $1 AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())',
    [name],
  );
  return Boolean(rowCount);
}

async function slotExists(client: Client, slot: string): Promise<boolean> {
  return Boolean((await client.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rowCount);
}

/** Drops what one link made (subscription, slot, publication, state row); each step tolerates absence. */
async function dropLink(link: LinkRef, out: Output, publisherReachable = true): Promise<void> {
  await writable(link.subscriber, async (client) => {
    if (await dropSubscription(client, link.subscription))
      out.line(`${link.direction} ${link.service}: dropped subscription ${link.subscription} in ${link.subscriber.settings.database}`);
    if ((await client.query('SELECT to_regclass($1) IS NOT NULL AS found', [SYNC_STATE])).rows[0].found) {
      await client.query(`DELETE FROM ${SYNC_STATE} WHERE subscription = $1`, [link.subscription]);
    }
  });
  if (!publisherReachable || !link.publisher) return;
  const publisher = link.publisher;
  await writable(publisher, async (client) => {
    if (await dropSlot(client, link.slot))
      out.line(`${link.direction} ${link.service}: dropped replication slot ${link.slot} on ${dbLabel(publisher.settings)}`);
    const { rowCount } = await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [link.publication]);
    if (rowCount) {
      await client.query(`DROP PUBLICATION ${quoteIdent(link.publication)}`);
      out.line(`${link.direction} ${link.service}: dropped publication ${link.publication} in ${publisher.settings.database}`);
    }
  });
}

/** Removes the marker and state tables (and the db_split schema when empty) once no link of ours uses the database. */
async function dropToolTablesIfUnused(endpoint: Endpoint): Promise<void> {
  await writable(endpoint, async (client) => {
    const used = await client.query(
      `SELECT 1 FROM pg_publication WHERE pubname LIKE 'db\\_split\\_%'
       UNION ALL SELECT 1 FROM pg_subscription WHERE subname LIKE 'db\\_split\\_%' AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    if (used.rowCount) return;
    await client.query(`DROP TABLE IF EXISTS ${MARKER}, ${SYNC_STATE}`);
    const left = await client.query("SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'db_split'");
    if (!left.rowCount) await client.query('DROP SCHEMA IF EXISTS db_split');
  });
}

/**
 * The sessions `startLinks` checks and prepares with: one per database, opened on first use, able
 * to write where the cut-over guard made the database read-only (see `writable`).
 */
class SetupSessions {
  private readonly cache = new ConnectionCache((id) => this.open(id));
  private readonly endpoints = new Map<string, Endpoint>();
  /** A session runs one unit of work at a time, in order. */
  private readonly queue = new KeyedQueue();

  private async open(id: string): Promise<Client> {
    const [client] = await connectEach([this.endpoints.get(id) as Endpoint], allowWrites);
    return client;
  }

  /**
   * Runs `work` on the endpoint's session once the work queued there before it is done (so a
   * unit's statements never interleave with another's); a database error names the endpoint, as
   * withClient's do.
   */
  run<T>(endpoint: Endpoint, work: (client: Client) => Promise<T>): Promise<T> {
    const id = endpointId(endpoint);
    this.endpoints.set(id, endpoint);
    return this.queue.run(id, async () => {
      const client = await this.cache.get(id);
      try {
        return await work(client);
      } catch (error) {
        throw classifyDatabaseError(error, `${endpoint.label} (${dbLabel(endpoint.settings)})`);
      }
    });
  }

  async close(): Promise<void> {
    await this.queue.idle();
    await this.cache.closeAll();
  }
}

/**
 * sync start / fallback start: publications, slots with exported snapshots, the copy engine in
 * those snapshots, then subscriptions that stream from the slots' consistent points. Links already
 * streaming are left alone; a link an earlier run left half way (killed during the copy, before
 * its subscription existed) is rebuilt from a new slot, its tables reloaded.
 */
export async function startLinks(plan: Plan, direction: Link['direction'], options: StartOptions, out: Output): Promise<Link[]> {
  const verb = direction === 'forward' ? 'sync start' : 'fallback start';
  const links = linksOf(plan, direction);
  const publishers = [...new Map(links.map((l) => [endpointId(l.publisher), l.publisher])).values()];
  const subscribers = [...new Map(links.map((l) => [endpointId(l.subscriber), l.subscriber])).values()];

  // One session per database for the checks and the setup, opened side by side: every step below
  // is a few round trips, so a connection of its own per step cost more than the step.
  const sessions = new SetupSessions();
  const slots: CreatedSlot[] = [];
  const created = new Set<Link>();
  let pending: Link[] = [];
  let creating = false;
  let enables: PendingEnables | undefined;
  try {
    // Everything is checked before anything is created.
    const streaming = await Promise.all(
      links.map((link) =>
        sessions.run(link.subscriber, async (client) => {
          const state = (await readStates(client, direction)).find((s) => s.subscription === link.subscription);
          return state?.phase === 'streaming' && (await subscriptionExists(client, link.subscription));
        }),
      ),
    );
    pending = links.filter((link, i) => {
      if (streaming[i]) out.line(`${verb}: ${link.service} is already streaming (${link.subscription}); left alone`);
      return !streaming[i];
    });
    await Promise.all([
      ...publishers.map((publisher) => {
        const mine = pending.filter((l) => endpointId(l.publisher) === endpointId(publisher));
        return sessions.run(publisher, async (client) => {
          const facts = await publisherFacts(client, mine.length ? mine.flatMap((l) => l.tables) : links.flatMap((l) => l.tables));
          let existing = 0;
          for (const link of mine) if (await slotExists(client, link.slot)) existing++;
          assertPublisherReady(facts, publisher, mine.length - existing);
        });
      }),
      ...subscribers.map((subscriber) => sessions.run(subscriber, (client) => assertSubscriberReady(client, subscriber))),
    ]);
    debugPhase('sync: checked');
    if (!pending.length) {
      await sessions.close();
      return links;
    }
    await noteLauncherThrottle(pending, verb, out, sessions);

    out.line(
      `${verb}: ${pending.map((l) => `${l.service} (${l.tables.length} tables: ${dbLabel(l.publisher.settings)} -> ${dbLabel(l.subscriber.settings)})`).join(', ')}`,
    );
    // The tool's tables once per database (one session each, so one CREATE TABLE IF NOT EXISTS at
    // a time), then the links side by side.
    creating = true;
    await Promise.all([
      ...subscribers.map((subscriber) => sessions.run(subscriber, ensureStateTable)),
      ...publishers.map((publisher) => sessions.run(publisher, ensureToolTables)),
    ]);
    const prepared = await Promise.allSettled(
      pending.map(async (link) => {
        // Leftovers of a run killed half way: its subscription never streamed, its slot's snapshot is gone.
        await sessions.run(link.subscriber, async (client) => {
          if (await dropSubscription(client, link.subscription))
            out.line(`${verb}: ${link.service}: dropped the subscription an interrupted run left`);
        });
        await sessions.run(link.publisher, async (client) => {
          if (await dropSlot(client, link.slot))
            out.line(`${verb}: ${link.service}: dropped the slot an interrupted run left; its tables are reloaded`);
          const exists = (await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [link.publication])).rowCount;
          await client.query(
            `${exists ? 'ALTER' : 'CREATE'} PUBLICATION ${quoteIdent(link.publication)} ${exists ? 'SET' : 'FOR'} TABLE ${publicationTables(link)}`,
          );
        });
        created.add(link);
        await sessions.run(link.subscriber, (client) =>
          client.query(
            `INSERT INTO ${SYNC_STATE} (subscription, direction, service, publisher, publication, slot, phase)
             VALUES ($1, $2, $3, $4, $5, $6, 'copying')
             ON CONFLICT (subscription) DO UPDATE SET publisher = EXCLUDED.publisher, publication = EXCLUDED.publication, slot = EXCLUDED.slot,
               phase = 'copying', started_at = now(), streaming_since = NULL`,
            [link.subscription, direction, link.service, endpointId(link.publisher), link.publication, link.slot],
          ),
        );
      }),
    );
    throwFirstFailure(prepared);
    debugPhase('sync: prepared');
    // In parallel: creating a logical slot waits for every transaction running on the publisher's
    // server to end, and three waits in a row would add up. The subscriptions are made meanwhile,
    // disabled (nothing is applied until the copy is done), so only ENABLE is left after the copy.
    const [made, subscribed] = await Promise.all([
      Promise.allSettled(pending.map((link) => createSlotWithSnapshot(link.publisher, link.slot))),
      Promise.allSettled(pending.map((link) => sessions.run(link.subscriber, (client) => createDisabledSubscription(client, link)))),
    ]);
    for (const result of made) if (result.status === 'fulfilled') slots.push(result.value);
    throwFirstFailure([...made, ...subscribed]);
    await sessions.close();
    debugPhase('sync: slots+subs');
    for (const slot of slots) out.line(`${verb}: slot ${slot.slot} created at ${slot.consistentPoint}, snapshot ${slot.snapshot}`);
    const snapshots = Object.fromEntries(pending.map((link, i) => [link.service, slots[i].snapshot]));
    // The ENABLEs are made ready beside the copy and only committed after it, so that all that is
    // left once the last table is in is a commit. (Enabling each service as soon as its own tables
    // were loaded was tried: on one server its WAL sender then decodes the rest of the copy's WAL,
    // ~0.27 s of CPU per sender for 200 MB, inside the copy; after the copy that decoding is the
    // first catch-up instead.)
    const [ready, copied] = await Promise.allSettled([
      PendingEnables.prepare(pending),
      runCopy(
        copyPlanFor(plan, pending, direction),
        {
          jobs: options.jobs,
          truncate: options.truncate,
          dryRun: false,
          progress: options.progress,
          format: 'auto',
          snapshots,
          reloadJournaled: true,
          liveSource: true,
          failAfterTables: options.failAfterTables,
        },
        out,
        `${verb} copy`,
      ),
    ]);
    if (ready.status === 'fulfilled') enables = ready.value;
    throwFirstFailure([copied, ready]);
    // Every reader has imported the slots' snapshots: their sessions may go.
    await Promise.all([...slots.splice(0).map((slot) => slot.connection.end().catch(() => undefined)), enables?.commit()]);
    for (const link of pending) out.line(`${verb}: ${link.service}: subscription ${link.subscription} streaming from slot ${link.slot}`);
    debugPhase('sync: copied and enabled');
  } catch (error) {
    await Promise.all([sessions.close(), enables?.close()]);
    // A refusal (the checks) created nothing, so there is nothing to remove.
    if (!creating) throw error;
    await Promise.all(slots.map((slot) => slot.connection.end().catch(() => undefined)));
    // Leave nothing behind that would hold WAL on the publisher; copied tables stay journaled and
    // are reloaded by the next start.
    for (const link of created) await dropLink(link, { ...out, line: () => undefined }).catch(() => undefined);
    for (const endpoint of [...publishers, ...subscribers]) await dropToolTablesIfUnused(endpoint).catch(() => undefined);
    throw error;
  }
  try {
    await enables?.waitForWorkers(60_000);
  } finally {
    await enables?.close();
  }
  debugPhase('sync: streaming');
  return links;
}

function createDisabledSubscription(client: Client, link: Link) {
  return client.query(
    `CREATE SUBSCRIPTION ${quoteIdent(link.subscription)} CONNECTION '${conninfo(link.publisher, link.subscription).replace(/'/g, "''")}'
     PUBLICATION ${quoteIdent(link.publication)} WITH (create_slot = false, slot_name = '${link.slot}', copy_data = false, enabled = false)`,
  );
}

/** Runs a step of enabling `link`; a database error names the link. */
async function enabling(link: Link, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    throw classifyDatabaseError(error, `${link.subscriber.label}: enabling ${link.subscription}`);
  }
}

/**
 * The links' ENABLEs, made ready in open transactions while the copy runs and committed together
 * once it is done, with the launcher held back on PostgreSQL < 16 servers (see holdLauncherBack)
 * so that it starts all their workers in one pass. Nothing is enabled until `commit`: a copy that
 * fails, or a process that dies, rolls the ENABLEs back with their sessions.
 */
class PendingEnables {
  private constructor(
    private readonly links: Link[],
    private readonly clients: Client[],
  ) {}

  static async prepare(links: Link[]): Promise<PendingEnables> {
    const clients = await connectEach(
      links.map((link) => link.subscriber),
      (client, i) =>
        enabling(links[i], async () => {
          await allowWrites(client);
          await client.query('BEGIN');
          // Not waiting for the WAL flush lets the commits land microseconds apart rather than a
          // flush apart. A crash right after loses only the ENABLE: the state row, in the same
          // transaction, then still says copying and the next start redoes the link.
          await client.query('SET LOCAL synchronous_commit = off');
          await client.query(`ALTER SUBSCRIPTION ${quoteIdent(links[i].subscription)} ENABLE`);
        }),
    );
    return new PendingEnables(links, clients);
  }

  /** Marks every link streaming (rows applied count from here) and commits the ENABLEs together. */
  async commit(): Promise<void> {
    await Promise.all(
      this.links.map((link, i) =>
        enabling(link, async () => {
          const client = this.clients[i];
          await client.query(
            `UPDATE ${SYNC_STATE} SET phase = 'streaming', streaming_since = now(), applied_base = $2 WHERE subscription = $1`,
            [link.subscription, await rowsChanged(client, link)],
          );
        }),
      ),
    );
    const gates = await holdLauncherBack(
      this.links.map((link) => link.subscriber),
      this.clients,
    );
    await Promise.all(this.clients.filter((client) => !gates.includes(client)).map((client) => client.query('COMMIT')));
    await Promise.all(gates.map((client) => client.query('COMMIT')));
  }

  /** Waits, on the same sessions, until every link has its apply worker. */
  async waitForWorkers(timeoutMs: number): Promise<void> {
    const started = Date.now();
    await Promise.all(
      this.links.map(async (link, i) => {
        for (;;) {
          const { rows } = await this.clients[i].query<{ pid: number | null }>(
            'SELECT st.pid FROM pg_subscription s LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL WHERE s.subname = $1',
            [link.subscription],
          );
          if (rows[0]?.pid) return;
          if (Date.now() - started > timeoutMs) {
            throw new DbSplitError(
              `${link.subscription}: no apply worker after ${timeoutMs / 1000} s`,
              ExitCode.FAILED,
              'check max_logical_replication_workers / max_worker_processes on the subscriber and its log',
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }),
    );
  }

  /** Ends the sessions; one ended inside its transaction rolls it back (nothing enabled). */
  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.end().catch(() => undefined)));
  }
}

/**
 * Before PostgreSQL 16 the logical replication launcher starts apply workers on a server at most
 * once per wal_retrieve_retry_interval (5 s by default), for all its subscriptions together: the
 * second subscription made on one server waits that long for its worker. Said, not changed: the
 * setting is the server's.
 */
async function noteLauncherThrottle(pending: Link[], verb: string, out: Output, sessions: SetupSessions): Promise<void> {
  const byServer = new Map<string, Link[]>();
  for (const link of pending) {
    const server = `${link.subscriber.settings.host}:${link.subscriber.settings.port}`;
    byServer.set(server, [...(byServer.get(server) ?? []), link]);
  }
  for (const [server, shared] of byServer) {
    if (shared.length < 2) continue;
    const { rows } = await sessions.run(shared[0].subscriber, (client) =>
      client.query<{ version: number; ms: number }>(
        "SELECT current_setting('server_version_num')::int AS version, setting::int AS ms FROM pg_settings WHERE name = 'wal_retrieve_retry_interval'",
      ),
    );
    if (rows[0].version >= 160000 || rows[0].ms < 1000) continue;
    out.line(
      `${verb}: note: ${shared.length} subscriptions on ${server} (PostgreSQL ${Math.floor(rows[0].version / 10000)}): its launcher starts their apply workers ${rows[0].ms / 1000} s apart (wal_retrieve_retry_interval); ALTER SYSTEM SET wal_retrieve_retry_interval = '200ms' and SELECT pg_reload_conf() there shortens that`,
    );
  }
}

export interface LinkStatus {
  service: string;
  direction: string;
  subscription: string;
  slot: string;
  state: string;
  lagBytes: number | null;
  lagSeconds: number | null;
  retainedBytes: number | null;
  rowsApplied: number | null;
  applyErrors: number | null;
}

/** One row per link: state, lag (bytes and seconds), WAL the slot retains, rows applied since streaming began. */
export type LinkRef = Omit<Link, 'publisher'> & { publisher?: Endpoint };

export async function linkStatus(link: LinkRef): Promise<LinkStatus> {
  const status: LinkStatus = {
    service: link.service,
    direction: link.direction,
    subscription: link.subscription,
    slot: link.slot,
    state: 'not started',
    lagBytes: null,
    lagSeconds: null,
    retainedBytes: null,
    rowsApplied: null,
    applyErrors: null,
  };
  const sub = await withClient(link.subscriber, async (client) => {
    const state = (await readStates(client, link.direction)).find((s) => s.subscription === link.subscription);
    const { rows } = await client.query<{ enabled: boolean; pid: number | null; errors: string | null }>(
      `SELECT s.subenabled AS enabled, st.pid, ss.apply_error_count::text AS errors
         FROM pg_subscription s
         LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL
         LEFT JOIN pg_stat_subscription_stats ss ON ss.subid = s.oid
        WHERE s.subname = $1 AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [link.subscription],
    );
    const applied = state?.phase === 'streaming' ? (await rowsChanged(client, link)) - Number(state.applied_base) : null;
    return { state, sub: rows[0], applied };
  });
  if (sub.state) status.state = sub.state.phase === 'copying' ? 'copying (or interrupted: rerun start)' : 'streaming';
  if (sub.sub) {
    // During the copy the subscription exists, disabled until the copy is done.
    if (!sub.sub.enabled) status.state = sub.state?.phase === 'copying' ? status.state : 'disabled';
    else if (!sub.sub.pid) status.state = 'down (no apply worker)';
    status.applyErrors = Number(sub.sub.errors ?? 0);
  }
  status.rowsApplied = sub.applied;
  if (!link.publisher) {
    if (sub.state || sub.sub) status.state += ' (publisher unknown: pass --source)';
    return status;
  }
  const publisher = link.publisher;
  await withClient(publisher, async (client) => {
    const { rows } = await client.query<{ lag: string | null; retained: string | null; replay: string | null; active: boolean }>(
      `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint::text AS lag,
              pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)::bigint::text AS retained,
              EXTRACT(epoch FROM r.replay_lag)::text AS replay, s.active
         FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
        WHERE s.slot_name = $1`,
      [link.slot],
    );
    if (!rows.length) return;
    status.lagBytes = Number(rows[0].lag);
    status.retainedBytes = Number(rows[0].retained);
    // replay_lag is NULL once the subscriber has confirmed everything and nothing new arrives.
    status.lagSeconds = rows[0].replay !== null ? Number(rows[0].replay) : rows[0].active ? 0 : null;
  });
  return status;
}

export function printStatus(statuses: LinkStatus[], warnRetainedBytes: number, out: Output): string[] {
  const dash = (v: number | null, f: (n: number) => string) => (v === null ? '-' : f(v));
  out.line(
    formatTable(
      ['service', 'direction', 'state', 'lag', 'lag s', 'retained WAL', 'rows applied', 'errors'],
      statuses.map((s) => [
        s.service,
        s.direction,
        s.state,
        dash(s.lagBytes, formatBytes),
        dash(s.lagSeconds, (n) => n.toFixed(3)),
        dash(s.retainedBytes, formatBytes),
        dash(s.rowsApplied, String),
        dash(s.applyErrors, String),
      ]),
    ),
  );
  const warnings = statuses
    .filter((s) => s.retainedBytes !== null && s.retainedBytes > warnRetainedBytes)
    .map(
      (s) =>
        `warning: slot ${s.slot} retains ${formatBytes(s.retainedBytes as number)} of WAL (threshold ${formatBytes(warnRetainedBytes)}); a stopped subscriber fills the publisher's disk: fix it or run \`${s.direction === 'forward' ? 'sync' : 'fallback'} stop\``,
    );
  for (const w of warnings) out.warn(w);
  return warnings;
}

export async function stopLinks(links: LinkRef[], out: Output): Promise<void> {
  for (const link of links) {
    if (!link.publisher) {
      out.warn(
        `warning: ${link.service}: the publisher is unknown (no subscription left to read it from): pass --source to drop slot ${link.slot} and publication ${link.publication} there`,
      );
    }
    const publisher = link.publisher;
    const reachable = !publisher
      ? false
      : await withClient(publisher, async () => true).catch((error) => {
          out.warn(
            `warning: ${publisher?.label} unreachable (${(error as Error).message}): its slot ${link.slot} and publication ${link.publication} stay; rerun stop when it is back`,
          );
          return false;
        });
    await dropLink(link, out, reachable);
  }
  const endpoints = [
    ...new Map(links.flatMap((l) => (l.publisher ? [l.publisher, l.subscriber] : [l.subscriber])).map((e) => [endpointId(e), e])).values(),
  ];
  for (const endpoint of endpoints) await dropToolTablesIfUnused(endpoint).catch(() => undefined);
}

/**
 * The links of the split databases in `targets` as found on the subscribers, for status and
 * stop: the publisher is `source` when given, else read back from the subscription.
 */
export async function forwardLinks(targets: Record<string, Endpoint>, source: Endpoint | undefined): Promise<LinkRef[]> {
  return Promise.all(
    Object.entries(targets).map(async ([service, subscriber]) => {
      const names = forwardNames(service, subscriber);
      const publisher = source ?? (await publisherFromSubscription(subscriber, names.subscription));
      return {
        service,
        direction: 'forward' as const,
        publisher,
        subscriber,
        tables: [],
        subscriberRelations: tablesOwnedBy(service as ServiceName).map((t) => `public.${t}`),
        ...names,
      };
    }),
  );
}

/** The fallback links into `monolith`: each service database publishes its own tables. */
export function fallbackLinks(targets: Record<string, Endpoint>, monolith: Endpoint): LinkRef[] {
  return Object.entries(targets).map(([service, publisher]) => ({
    service,
    direction: 'fallback' as const,
    publisher,
    subscriber: monolith,
    tables: [],
    subscriberRelations: tablesOwnedBy(service as ServiceName).map((t) => `public.${t}`),
    ...fallbackNames(service, monolith),
  }));
}

async function publisherFromSubscription(subscriber: Endpoint, subscription: string): Promise<Endpoint | undefined> {
  const info = await withClient(subscriber, async (client) => {
    const { rows } = await client.query<{ conninfo: string }>(
      'SELECT subconninfo AS conninfo FROM pg_subscription WHERE subname = $1 AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())',
      [subscription],
    );
    return rows[0]?.conninfo;
  });
  if (!info) return undefined;
  const c = parseConninfo(info);
  return {
    label: 'source',
    settings: {
      host: c.host,
      port: Number(c.port ?? 5432),
      database: c.dbname,
      user: c.user,
      password: c.password,
      poolSize: 1,
      ssl: c.sslmode === 'require',
    },
  };
}

export interface SwitchOptions {
  terminateOthers: boolean;
  timeoutMs: number;
  jobs: number;
  chunkRows: number;
  maxDifferences: number;
  progress: ProgressMode;
  /** Verify every row inside the read-only window instead of a live pre-verify and an incremental one. */
  fullVerify: boolean;
}

/** Rows that may differ in a pre-verify (changes in flight) before the cut-over refuses to start. */
const MAX_IN_FLIGHT_ROWS = 100_000;

/**
 * Inserts a marker row on every publisher and waits until each link's subscriber has applied it:
 * from then on each subscriber holds everything its publisher had committed before the insert.
 */
async function markAndWait(links: Link[], verb: string, timeoutMs: number, out?: Output): Promise<void> {
  const markers = new Map<string, { id: string; lsn: string }>();
  for (const publisher of new Map(links.map((l) => [endpointId(l.publisher), l.publisher])).values()) {
    markers.set(
      endpointId(publisher),
      await writable(publisher, async (client) => {
        const { rows } = await client.query<{ id: string; lsn: string }>(
          `INSERT INTO ${MARKER} (link) VALUES ($1) RETURNING id::text, pg_current_wal_lsn()::text AS lsn`,
          [verb],
        );
        return rows[0];
      }),
    );
  }
  out?.line(
    `${verb}: final LSN ${[...markers.values()].map((m) => m.lsn).join(', ')}; waiting for ${links.length} subscription(s) to apply it`,
  );
  await Promise.all(
    links.map((link) =>
      withClient(link.subscriber, async (client) => {
        const ms = await waitForMarker(
          client,
          (markers.get(endpointId(link.publisher)) as { id: string }).id,
          timeoutMs,
          `${verb} ${link.service}`,
        );
        out?.line(`${verb}: ${link.service}: caught up (${ms} ms)`);
      }),
    ),
  );
}

/**
 * Client sessions that started before `since` (the publisher's clock once the guard committed) may
 * still write: they read default_transaction_read_only when they connected. Ended when asked.
 */
async function otherWriters(endpoint: Endpoint, since: Date, terminate: boolean): Promise<string[]> {
  return withClient(endpoint, async (client) => {
    const { rows } = await client.query<{ pid: number; who: string }>(
      `SELECT pid, pid || ' ' || usename || '/' || COALESCE(NULLIF(application_name, ''), '?') AS who FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND backend_start < $1`,
      [since],
    );
    if (terminate && rows.length)
      await client.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [rows.map((r) => r.pid)]);
    return rows.map((r) => r.who);
  });
}

/** Moves every subscriber sequence past the publisher's same-named sequence and past the keys its column holds. */
async function moveSequences(links: Link[], out: Output): Promise<void> {
  const pairs = [...new Map(links.map((l) => [`${endpointId(l.publisher)}>${endpointId(l.subscriber)}`, l])).values()];
  for (const link of pairs) {
    const published = await withClient(link.publisher, async (client) => {
      const { rows } = await client.query<{ name: string }>(
        "SELECT schemaname || '.' || sequencename AS name FROM pg_sequences WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'db_split')",
      );
      const values = new Map<string, string | null>();
      for (const { name } of rows) {
        const v = await client.query<{ v: string | null }>(
          `SELECT CASE WHEN is_called THEN last_value::text END AS v FROM ${name.split('.').map(quoteIdent).join('.')}`,
        );
        values.set(name, v.rows[0].v);
      }
      return values;
    });
    await writable(link.subscriber, async (client) => {
      const { rows } = await client.query<{ name: string; owner_table: string | null; owner_column: string | null }>(
        `SELECT s.schemaname || '.' || s.sequencename AS name, d.refobjid::regclass::text AS owner_table, a.attname AS owner_column
           FROM pg_sequences s
           JOIN pg_class c ON c.relname = s.sequencename JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname
           LEFT JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
           LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
          WHERE s.schemaname NOT IN ('pg_catalog', 'information_schema', 'db_split')`,
      );
      for (const row of rows) {
        const candidates: string[] = [];
        const fromPublisher = published.get(row.name);
        if (fromPublisher) candidates.push(`${fromPublisher}::bigint`);
        if (row.owner_table && row.owner_column)
          candidates.push(`(SELECT max(${quoteIdent(row.owner_column)})::bigint FROM ${row.owner_table})`);
        if (!candidates.length) continue;
        const seq = row.name.split('.').map(quoteIdent).join('.');
        const { rows: moved } = await client.query<{ before: string | null; after: string | null }>(
          `WITH cur AS (SELECT CASE WHEN is_called THEN last_value END AS v FROM ${seq}),
                want AS (SELECT GREATEST(${candidates.join(', ')}) AS v)
           SELECT (SELECT v FROM cur)::text AS before,
                  CASE WHEN (SELECT v FROM want) > COALESCE((SELECT v FROM cur), (SELECT v FROM want) - 1) THEN setval($1, (SELECT v FROM want), true)::text END AS after`,
          [row.name],
        );
        if (moved[0].after)
          out.line(`sequence ${row.name} in ${link.subscriber.settings.database}: ${moved[0].before ?? 'unused'} -> ${moved[0].after}`);
      }
    });
  }
}

/**
 * The switch of `cutover` (forward) and of `rollback` over a fallback: publishers read-only, one
 * marker per publisher, wait until every subscriber applied it (so everything committed before
 * the guard is there), verify, sequences, then drop the links. Returns the write-unavailability
 * window in ms. A failure before the links are dropped lifts the guard it set and says so.
 */
export async function switchOver(plan: Plan, links: Link[], options: SwitchOptions, out: Output, verb: string): Promise<number> {
  const publishers = [...new Map(links.map((l) => [endpointId(l.publisher), l.publisher])).values()];
  for (const link of links) {
    const status = await linkStatus(link);
    if (status.state !== 'streaming') {
      throw new DbSplitError(
        `${verb}: ${link.service} is not streaming (${status.state}); nothing was changed`,
        ExitCode.FAILED,
        `run \`${link.direction === 'forward' ? 'sync start' : 'fallback start'}\` and check \`sync status\``,
      );
    }
  }
  const guarded: Endpoint[] = [];
  const wasReadOnly = new Map<string, boolean>();
  for (const p of publishers)
    wasReadOnly.set(
      endpointId(p),
      await withClient(p, async (c) => (await c.query("SELECT current_setting('default_transaction_read_only') = 'on' AS ro")).rows[0].ro),
    );
  const verifyOptions = {
    jobs: options.jobs,
    chunkRows: options.chunkRows,
    maxDifferences: options.maxDifferences,
    progress: options.progress,
  };
  // The full comparison runs while the source is still writable; the window then re-checks only
  // what changed since (see VerifyMode), so its length follows the write rate, not the data size.
  let baseline: VerifyBaseline | undefined;
  if (!options.fullVerify) {
    const pre = await runVerify(plan, verifyOptions, out, `${verb} pre-verify`, {
      kind: 'baseline',
      maxInFlight: MAX_IN_FLIGHT_ROWS,
      // The targets' snapshot is taken once they hold everything the source's snapshot holds.
      beforeTargetSnapshot: () => markAndWait(links, `${verb} pre-verify`, options.timeoutMs),
    });
    baseline = pre.baseline;
  }
  const phases: [string, number][] = [];
  let mark = Date.now();
  const phase = (name: string) => {
    const now = Date.now();
    phases.push([name, now - mark]);
    mark = now;
  };
  const windowStart = new Date();
  const started = Date.now();
  try {
    const guardedAt = new Map<string, Date>();
    for (const publisher of publishers) {
      if (!wasReadOnly.get(endpointId(publisher))) guarded.push(publisher);
      await runCutoverGuard(publisher, 'on', { dryRun: false, terminateOthers: options.terminateOthers }, out);
      guardedAt.set(
        endpointId(publisher),
        await withClient(publisher, async (c) => (await c.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0].t),
      );
    }
    phase('read-only guard');
    for (const publisher of publishers) {
      // Sessions that connected while the guard was being set may have missed it: end them too.
      const since = guardedAt.get(endpointId(publisher)) as Date;
      const deadline = Date.now() + Math.min(options.timeoutMs, 10_000);
      let writers = await otherWriters(publisher, since, options.terminateOthers);
      while (writers.length && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        writers = await otherWriters(publisher, since, options.terminateOthers);
      }
      if (writers.length) {
        throw new DbSplitError(
          `${verb}: ${writers.length} session(s) opened before the guard are still connected to ${dbLabel(publisher.settings)} and may write: ${writers.join(', ')}`,
          ExitCode.FAILED,
          'stop the application, or pass --terminate-others',
        );
      }
    }
    phase('writers gone');
    await markAndWait(links, verb, options.timeoutMs, out);
    phase('final changes applied');
    const verified = await runVerify(
      plan,
      verifyOptions,
      out,
      `${verb} verify`,
      baseline ? { kind: 'incremental', baseline } : { kind: 'full' },
    );
    if (!verified.ok) throw new DbSplitError(`${verb}: verify found differences`, ExitCode.MISMATCH);
    phase('verify');
    await moveSequences(links, out);
    phase('sequences');
  } catch (error) {
    for (const publisher of guarded) {
      await runCutoverGuard(publisher, 'off', { dryRun: false, terminateOthers: false }, { ...out, line: () => undefined }).catch(
        () => undefined,
      );
    }
    const wrapped = classifyDatabaseError(error, verb);
    out.warn(
      `${verb} ABORTED before the switch: ${guarded.length ? `${guarded.map((p) => p.settings.database).join(', ')} writable again` : 'nothing was made read-only'}; the subscriptions keep streaming`,
    );
    throw wrapped;
  }
  // The switch: from here on the publishers stay read-only.
  for (const link of links) await dropLink(link, out);
  for (const endpoint of [...new Map(links.flatMap((l) => [l.publisher, l.subscriber]).map((e) => [endpointId(e), e])).values()])
    await dropToolTablesIfUnused(endpoint).catch(() => undefined);
  phase('links dropped');
  const window = Date.now() - started;
  out.line(`${verb}: ${phases.map(([name, ms]) => `${name} ${formatSeconds(ms)}`).join(', ')}`);
  out.line(
    `${verb} done: write-unavailability window ${formatSeconds(window)} (read-only from ${windowStart.toISOString()}); ${publishers.map((p) => p.settings.database).join(', ')} stay${publishers.length === 1 ? 's' : ''} read-only`,
  );
  return window;
}
