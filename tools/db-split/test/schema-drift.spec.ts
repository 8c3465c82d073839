import { createLegacyDatabase, type TestDatabase } from '@nafs/database/testing';

import { count, dumpOnFailure, runCli, seedLegacy, type SplitTargets, splitTargets, withDb } from './support/harness';

const MIGRATION_029 = ['package_checksum', 'package_algorithm', 'checksum_verified_at'];
const ALLOW_029 = MIGRATION_029.flatMap((column) => ['--allow-missing-column', `export_jobs.${column}`]);

// A real monolith differs from the fixture: the repo's own migration runner stopped before 029
// (three export_jobs columns missing) and a code generator added a table nobody owns.
describe('db-split on a drifted source: missing 029 columns and an extra table', () => {
  let source: TestDatabase;
  let targets: SplitTargets;

  beforeAll(async () => {
    source = await createLegacyDatabase('dbdrift');
    targets = splitTargets('drift');
    await withDb(source.url, async (client) => {
      await client.query(`ALTER TABLE export_jobs ${MIGRATION_029.map((c) => `DROP COLUMN ${c}`).join(', ')}`);
      await client.query('CREATE TABLE generated_widgets (id serial PRIMARY KEY, label text NOT NULL)');
      await client.query("INSERT INTO generated_widgets (label) SELECT 'widget ' || n FROM generate_series(1, 7) n");
    });
    await seedLegacy(source.url, 1); // the seed skips the absent 029 columns itself
    for (const step of ['create', 'schema']) {
      const run = await runCli([step], targets.env);
      if (run.code !== 0) throw new Error(`${step} failed: ${dumpOnFailure(run)}`);
    }
  });
  afterAll(() => Promise.all([source?.drop(), targets?.drop()]));

  it('plan reports the unknown table and the missing columns, names the options, and refuses (exit 3)', async () => {
    const run = await runCli(['plan', '--source', source.url], targets.env);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/unknown tables .*\n\s+generated_widgets \(table, 7 rows/);
    for (const column of MIGRATION_029) {
      expect(run.stdout).toContain(`export_jobs.${column}: exists in the targets but not in the source`);
      expect(run.stdout).toContain(`(accept with --allow-missing-column export_jobs.${column})`);
    }
    expect(run.stdout).toContain('(accept with --ignore-table generated_widgets)');
    expect(run.stdout).toContain('plan REFUSED: 4 problem(s)');

    const json = JSON.parse((await runCli(['plan', '--source', source.url, '--json'], targets.env)).stdout);
    expect(json.unknownTables).toEqual([expect.objectContaining({ table: 'generated_widgets', rows: 7 })]);
    expect(json.tables.find((t: { table: string }) => t.table === 'export_jobs').missingOnSource).toEqual(MIGRATION_029);

    const accepted = await runCli(['plan', '--source', source.url, '--ignore-table', 'generated_widgets', ...ALLOW_029], targets.env);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('plan OK');
  });

  it('copy refuses without the explicit options and writes nothing', async () => {
    for (const args of [[], ['--ignore-table', 'generated_widgets'], ALLOW_029]) {
      const run = await runCli(['copy', '--source', source.url, ...args], targets.env);
      expect({ args, code: run.code }).toEqual({ args, code: 3 });
      expect(run.stderr).toContain('refusing to continue');
    }
    const run = await runCli(['copy', '--source', source.url], targets.env);
    expect(run.stderr).toContain('generated_widgets: table in the source that is not one of the 17 legacy tables');
    expect(run.stderr).toMatch(/hint: if that is intended, pass: .*--ignore-table generated_widgets/);
    expect(await count(targets.urlFor('export_jobs'), '(SELECT count(*) FROM export_jobs)')).toBe(0);
    expect(await count(targets.urlFor('tenants'), '(SELECT count(*) FROM tenants)')).toBe(1); // the migration's default tenant only
  });

  it('copy and verify succeed with --ignore-table and --allow-missing-column; the absent columns get their defaults', async () => {
    const options = ['--ignore-table', 'generated_widgets', ...ALLOW_029];
    // --format text: the text COPY path, which every table can use whatever its column types.
    const copy = await runCli(['copy', '--source', source.url, '--format', 'text', ...options], targets.env);
    expect({ code: copy.code, log: copy.code ? dumpOnFailure(copy) : '' }).toEqual({ code: 0, log: '' });
    expect(copy.stderr).toMatch(/copy export_jobs: \d+ rows, [\d.]+ kB \(text\)/);
    expect(copy.stdout).toContain('accepted: export_jobs.package_checksum');
    expect(copy.stdout).toContain('copy done: 17 table(s) loaded');

    const verify = await runCli(['verify', '--source', source.url, ...options], targets.env);
    expect({ code: verify.code, log: verify.code ? dumpOnFailure(verify) : '' }).toEqual({ code: 0, log: '' });
    expect(verify.stdout).toContain(`note: export_jobs: columns on one side only, not compared: ${MIGRATION_029.join(', ')}`);
    // What migration 029 itself would have left on old rows: NULL checksums, the 'sha256' default.
    expect(
      await count(
        targets.urlFor('export_jobs'),
        "(SELECT count(*) FROM export_jobs WHERE package_checksum IS NOT NULL OR checksum_verified_at IS NOT NULL OR package_algorithm <> 'sha256')",
      ),
    ).toBe(0);
    expect(await count(targets.urlFor('export_jobs'), '(SELECT count(*) FROM export_jobs)')).toBe(
      await count(source.url, '(SELECT count(*) FROM export_jobs)'),
    );
    for (const service of ['auth', 'web', 'forms'] as const) {
      expect(await count(targets.url(service), "(SELECT count(*) FROM pg_class WHERE relname = 'generated_widgets')")).toBe(0);
    }
  });
});
