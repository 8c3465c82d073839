import type { LegacyTable } from '@nafs/contracts';
import { createLegacyDatabase, type TestDatabase } from '@nafs/database/testing';

import { monolithSide, splitSide } from '../src/lib/catalog';
import { settingsFromUrl, targetEndpoints } from '../src/lib/connections';
import type { Output } from '../src/lib/output';
import { buildPlan, type Plan } from '../src/lib/plan';
import { runVerify, type VerifyBaseline, type VerifyResult } from '../src/lib/verify';
import { dumpOnFailure, runCli, seedLegacy, type SplitTargets, splitTargets, withDb } from './support/harness';

jest.setTimeout(120_000);

// The cut-over's incremental verify (pre-verify on live databases, then only what changed since)
// must fail exactly where a full verify fails. Each kind of drift is made on its own table after
// (or, for one, before) the baseline, then both verifies run on the same frozen state.
describe('db-split incremental verify: after a live baseline, every kind of drift is caught', () => {
  let source: TestDatabase;
  let targets: SplitTargets;
  let plan: Plan;
  const lines: string[] = [];
  const out: Output = { line: (text) => lines.push(text), warn: (text) => lines.push(text), progressStream: process.stderr };
  const options = { jobs: 2, chunkRows: 50, maxDifferences: 10, progress: 'none' as const };

  beforeAll(async () => {
    source = await createLegacyDatabase('dbiv');
    targets = splitTargets('iv');
    await seedLegacy(source.url, 1);
    for (const step of [['create'], ['schema'], ['copy', '--source', source.url, '--progress', 'none']]) {
      const run = await runCli(step, targets.env);
      if (run.code !== 0) throw new Error(`${step[0]} failed: ${dumpOnFailure(run)}`);
    }
    plan = await buildPlan(
      monolithSide('source', { label: 'source', settings: settingsFromUrl(source.url, '--source') }),
      splitSide('targets', targetEndpoints(targets.env)),
      { ignoreTables: [], allowMissingColumns: [], requireTargets: true, countRows: false },
    );
    // A baseline's horizon is its snapshot's xmin: the oldest transaction still running anywhere on
    // the server. One that another test file holds open from before this load (a copy's, a
    // sync start's) would make every row here count as changed since, and be re-checked: safe,
    // but not what this file asserts. So first wait until every transaction older than the load
    // has ended.
    await withDb(source.url, async (c) => {
      const { rows } = await c.query<{ loaded: string }>('SELECT pg_current_xact_id()::text AS loaded');
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
        const ended = await c.query<{ ok: boolean }>('SELECT pg_snapshot_xmin(pg_current_snapshot()) > $1::xid8 AS ok', [rows[0].loaded]);
        if (ended.rows[0].ok) return;
      }
    });
  });
  afterAll(() => Promise.all([source?.drop(), targets?.drop()]));

  const onSource = (sql: string) => withDb(source.url, (c) => c.query(sql));
  const onTarget = (table: LegacyTable, sql: string) => withDb(targets.urlFor(table), (c) => c.query(sql));
  const firstId = async (table: LegacyTable, offset = 0) =>
    (await withDb(source.url, (c) => c.query<{ id: string }>(`SELECT id::text FROM ${table} ORDER BY id OFFSET ${offset} LIMIT 1`))).rows[0]
      .id;
  const verdicts = (result: VerifyResult) =>
    Object.fromEntries(
      result.tables
        .filter((t) => !t.ok)
        .map((t) => [t.table, t.differences.map((d) => `${d.key} ${d.kind} ${(d.columns ?? []).join(',')}`.trim())]),
    );

  it('a clean baseline re-checks nothing; updates, inserts and deletes on either side, and a difference already there, all fail it as a full verify does', async () => {
    const clean = await runVerify(plan, options, out, 'test pre-verify', { kind: 'baseline', maxInFlight: 1000 });
    const quiet = await runVerify(plan, options, out, 'test verify', { kind: 'incremental', baseline: clean.baseline as VerifyBaseline });
    expect({ ok: quiet.ok, rechecked: quiet.tables.reduce((n, t) => n + (t.rechecked ?? 0), 0) }).toEqual({ ok: true, rechecked: 0 });

    // Drift that exists before the baseline and is never touched again: the baseline lists it in flight.
    const user = await firstId('users');
    await onTarget('users', `UPDATE users SET first_name = 'Tampered' WHERE id = '${user}'`);
    const result = await runVerify(plan, options, out, 'test pre-verify', { kind: 'baseline', maxInFlight: 1000 });
    expect(result.baseline?.inFlight.get('users')).toEqual([[user]]);

    const form = await firstId('forms');
    const link = await firstId('short_links');
    const tool = await firstId('tools');
    const [sessionA, sessionB] = [await firstId('sessions', 0), await firstId('sessions', 1)];
    await onTarget('forms', `UPDATE forms SET title = 'changed on the target' WHERE id = '${form}'`);
    await onTarget('short_links', `DELETE FROM short_links WHERE id = '${link}'`);
    await onSource(`UPDATE tools SET name = 'changed on the source' WHERE id = '${tool}'`);
    const inserted = (
      await onSource(
        `INSERT INTO audit_logs SELECT * FROM jsonb_populate_record(NULL::audit_logs,
           (SELECT to_jsonb(a) || jsonb_build_object('id', gen_random_uuid()) FROM audit_logs a LIMIT 1)) RETURNING id::text`,
      )
    ).rows[0].id;
    // One row gone on each side, so the counts still agree: only the key lists tell.
    await onSource(`DELETE FROM sessions WHERE id = '${sessionA}'`);
    await onTarget('sessions', `DELETE FROM sessions WHERE id = '${sessionB}'`);

    const expected = {
      // The legacy triggers move updated_at (and a tool's slug with its name).
      users: [`id=${user} differs first_name,updated_at`],
      forms: [`id=${form} differs title,updated_at`],
      short_links: [`id=${link} missing on target`],
      tools: [`id=${tool} differs name,updated_at,slug`],
      audit_logs: [`id=${inserted} missing on target`],
      sessions: [`id=${sessionA} extra on target`, `id=${sessionB} missing on target`].sort(),
    };
    const incremental = await runVerify(plan, options, out, 'test verify', {
      kind: 'incremental',
      baseline: result.baseline as VerifyBaseline,
    });
    const full = await runVerify(plan, options, out, 'test full verify');
    const sorted = (v: Record<string, string[]>) => Object.fromEntries(Object.entries(v).map(([k, d]) => [k, [...d].sort()]));
    expect(sorted(verdicts(incremental))).toEqual(expected);
    expect(sorted(verdicts(full))).toEqual(expected);
    expect(incremental.ok).toBe(false);
    // Rows unchanged since the baseline are not hashed again.
    expect(incremental.tables.find((t) => t.table === 'tools')?.rechecked).toBe(1);
    expect(incremental.tables.find((t) => t.table === 'form_submissions')).toMatchObject({ ok: true, rechecked: 0 });
  });

  it('a baseline whose targets differ from the live source in more rows than changes in flight refuses before anything is frozen', async () => {
    await onTarget('form_submissions', 'UPDATE form_submissions SET metadata = \'{"x": 1}\'::jsonb');
    await expect(runVerify(plan, options, out, 'test pre-verify', { kind: 'baseline', maxInFlight: 5 })).rejects.toThrow(
      /the targets differ from the live source in \d+ rows \(.*form_submissions \d+.*\), more than changes in flight/,
    );
  });
});
