import { availableParallelism } from 'node:os';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { monolithSide, splitSide } from './lib/catalog';
import { type Env, redactUrl, settingsFromUrl, targetEndpoints } from './lib/connections';
import { runCopy } from './lib/copy';
import { runCreate } from './lib/create';
import { runCutoverGuard } from './lib/cutover-guard';
import { DbSplitError, ExitCode, type ExitCodeValue } from './lib/errors';
import type { Output } from './lib/output';
import { assertPlanAccepted, blockingProblems, buildPlan, type Plan, planAsJson, printPlan, refusalCode } from './lib/plan';
import type { ProgressMode } from './lib/progress';
import { runSchema } from './lib/schema';
import { runVerify, type VerifyResult } from './lib/verify';

const collect = (value: string, previous: string[]) => [...previous, value];

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

interface SelectionOptions {
  ignoreTable: string[];
  allowMissingColumn: string[];
}

interface RunOptions extends SelectionOptions {
  jobs: number;
  progress: ProgressMode;
  json?: boolean;
}

// One more job than cores: a job's time is split between the source, the target and this
// process, so cores + 1 keeps the machine busy while the last large tables finish.
const DEFAULT_JOBS = Math.max(2, Math.min(4, availableParallelism() + 1));

function withSelection(command: Command): Command {
  return command
    .option('--ignore-table <name>', 'leave this table out (an unknown extra table, or a legacy table the source lacks); repeatable', collect, [])
    .option('--allow-missing-column <table.column>', 'accept a column that exists on one side only (`table.*` for all of a table); repeatable', collect, []);
}

function withRun(command: Command): Command {
  return withSelection(command)
    .option('--jobs <n>', 'tables processed in parallel', positiveInt, DEFAULT_JOBS)
    .addOption(new Option('--progress <mode>', 'progress display: a bar on a terminal, plain lines otherwise').choices(['auto', 'bar', 'lines', 'none']).default('auto'))
    .option('--json', 'print a JSON summary on stdout (the report goes to stderr)');
}

function formatOption(): Option {
  return new Option('--format <format>', 'COPY format: auto = binary for tables whose column types match exactly on both sides, text otherwise')
    .choices(['auto', 'text'])
    .default('auto');
}

/** In --json mode the human report moves to stderr so stdout holds one JSON document. */
function reportOutput(out: Output, json: boolean | undefined): Output {
  return json ? { ...out, line: out.warn } : out;
}

function printAccepted(plan: Plan, out: Output): void {
  for (const problem of plan.problems.filter((p) => p.overridden)) out.line(`accepted: ${problem.message} (${problem.override})`);
  for (const note of plan.notes) out.line(`note: ${note}`);
}

function verifyExit(result: VerifyResult): ExitCodeValue {
  return result.ok ? ExitCode.OK : ExitCode.MISMATCH;
}

/**
 * Builds the command line. Every action prints what it is about to do, never prompts, and sets
 * the exit code through `setExit`; errors surface as DbSplitError with their own codes.
 */
export function buildProgram(env: Env, out: Output, setExit: (code: ExitCodeValue) => void): Command {
  const program = new Command('db-split')
    .description('Split the legacy monolith database into the auth, web and forms databases, verify it, and roll it back.')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => out.line(s.trimEnd()), writeErr: (s) => out.warn(s.trimEnd()) });

  const targets = () => splitSide('targets', targetEndpoints(env));
  const source = (url: string) => monolithSide('source', { label: 'source', settings: settingsFromUrl(url, '--source') });

  withSelection(program.command('plan'))
    .description('introspect the source and map its tables to the services; refuse on unknown tables or missing columns')
    .requiredOption('--source <url>', 'the monolith database (postgres://...)')
    .option('--json', 'print the plan as JSON on stdout')
    .action(async (options: SelectionOptions & { source: string; json?: boolean }) => {
      const report = reportOutput(out, options.json);
      report.line('plan: read-only introspection of the source and the target databases; nothing is changed');
      const plan = await buildPlan(source(options.source), targets(), {
        ignoreTables: options.ignoreTable, allowMissingColumns: options.allowMissingColumn, requireTargets: false, countRows: true,
      });
      printPlan(plan, report);
      if (options.json) out.line(JSON.stringify(planAsJson(plan), null, 2));
      const blocking = blockingProblems(plan);
      setExit(blocking.length ? refusalCode(blocking) : ExitCode.OK);
    });

  program
    .command('create')
    .description('create the three databases and their login roles (each owning only its database, CONNECT revoked from PUBLIC); idempotent')
    .option('--dry-run', 'show what would be created or changed')
    .action(async (options: { dryRun?: boolean }) => {
      await runCreate(env, { dryRun: Boolean(options.dryRun) }, out);
    });

  program
    .command('schema')
    .description("run each service's own migrations on its database (node dist/apps/<service>/main.js migrate)")
    .option('--dry-run', 'show the commands without running them')
    .option('--services-dist <dir>', 'folder of the built services (default: <workspace>/dist/apps)')
    .action(async (options: { dryRun?: boolean; servicesDist?: string }) => {
      await runSchema(env, { dryRun: Boolean(options.dryRun), servicesDist: options.servicesDist ?? env.DB_SPLIT_SERVICES_DIST }, out);
    });

  withRun(program.command('copy'))
    .description('copy every row of the 17 tables from one snapshot of the source into the service databases; resumable')
    .requiredOption('--source <url>', 'the monolith database (postgres://...); read as its owner or a superuser')
    .option('--truncate', 'empty every target table (and the journal) first instead of refusing non-empty targets')
    .option('--dry-run', 'show what would be copied, skipped or reloaded')
    .addOption(formatOption())
    .action(async (options: RunOptions & { source: string; truncate?: boolean; dryRun?: boolean; format: 'auto' | 'text' }) => {
      const report = reportOutput(out, options.json);
      report.line(`copy: source ${redactUrl(options.source)} -> the auth, web and forms databases`);
      const plan = await buildPlan(source(options.source), targets(), {
        ignoreTables: options.ignoreTable, allowMissingColumns: options.allowMissingColumn, requireTargets: true, countRows: false,
      });
      assertPlanAccepted(plan);
      printAccepted(plan, report);
      const failAfter = env.DB_SPLIT_FAIL_AFTER_TABLES ? Number(env.DB_SPLIT_FAIL_AFTER_TABLES) : undefined;
      const result = await runCopy(plan, {
        jobs: options.jobs, truncate: Boolean(options.truncate), dryRun: Boolean(options.dryRun), progress: options.progress, format: options.format,
        failAfterTables: failAfter,
      }, report);
      if (options.json) out.line(JSON.stringify(result, null, 2));
    });

  withRun(program.command('verify'))
    .description('compare row counts and chunked content checksums of every table on both sides; report cross-service orphans')
    .requiredOption('--source <url>', 'the monolith database (postgres://...)')
    .option('--target-monolith <url>', 'compare the source with this monolith-shaped database instead of the service databases')
    .option('--chunk-rows <n>', 'rows per checksum chunk', positiveInt, 1000)
    .option('--max-differences <n>', 'differing keys listed per table', positiveInt, 5)
    .action(async (options: RunOptions & { source: string; targetMonolith?: string; chunkRows: number; maxDifferences: number }) => {
      const report = reportOutput(out, options.json);
      const target = options.targetMonolith
        ? monolithSide('monolith', { label: 'target monolith', settings: settingsFromUrl(options.targetMonolith, '--target-monolith') })
        : targets();
      const plan = await buildPlan(source(options.source), target, {
        ignoreTables: options.ignoreTable, allowMissingColumns: options.allowMissingColumn, requireTargets: true, countRows: false,
      });
      assertPlanAccepted(plan);
      printAccepted(plan, report);
      const result = await runVerify(plan, { jobs: options.jobs, chunkRows: options.chunkRows, maxDifferences: options.maxDifferences, progress: options.progress }, report);
      if (options.json) out.line(JSON.stringify(result, null, 2));
      setExit(verifyExit(result));
    });

  withRun(program.command('rollback'))
    .description('copy the three service databases back into an empty monolith-shaped database, then verify it the same way')
    .requiredOption('--target-monolith <url>', 'an empty database created from the legacy schema (postgres://...)')
    .option('--truncate', 'empty the monolith tables (and the journal) first')
    .option('--dry-run', 'show what would be copied')
    .addOption(formatOption())
    .option('--chunk-rows <n>', 'rows per checksum chunk', positiveInt, 1000)
    .option('--max-differences <n>', 'differing keys listed per table', positiveInt, 5)
    .action(async (options: RunOptions & { targetMonolith: string; truncate?: boolean; dryRun?: boolean; chunkRows: number; maxDifferences: number; format: 'auto' | 'text' }) => {
      const report = reportOutput(out, options.json);
      const split = splitSide('split databases', targetEndpoints(env));
      const monolith = monolithSide('monolith', { label: 'target monolith', settings: settingsFromUrl(options.targetMonolith, '--target-monolith') });
      report.line('rollback: the auth, web and forms databases -> the monolith (stop the services first: each database is read in its own snapshot)');
      const plan = await buildPlan(split, monolith, {
        ignoreTables: options.ignoreTable, allowMissingColumns: options.allowMissingColumn, requireTargets: true, countRows: false,
      });
      assertPlanAccepted(plan);
      printAccepted(plan, report);
      const copy = await runCopy(plan, {
        jobs: options.jobs, truncate: Boolean(options.truncate), dryRun: Boolean(options.dryRun), progress: options.progress, format: options.format,
      }, report, 'rollback');
      if (options.dryRun) return;
      const verify = await runVerify(plan, { jobs: options.jobs, chunkRows: options.chunkRows, maxDifferences: options.maxDifferences, progress: options.progress }, report, 'rollback verify');
      if (options.json) out.line(JSON.stringify({ copy, verify }, null, 2));
      setExit(verifyExit(verify));
    });

  program
    .command('cutover-guard')
    .description('make the source read-only for new sessions during the copy window (on), lift it (off), or show it (status)')
    .requiredOption('--source <url>', 'the monolith database (postgres://...); needs its owner or a superuser')
    .addArgument(new Argument('<mode>', 'on, off or status').choices(['on', 'off', 'status']))
    .option('--dry-run', 'show the statement without running it')
    .option('--terminate-others', 'with on: end the other sessions so they reconnect read-only')
    .action(async (mode: 'on' | 'off' | 'status', options: { source: string; dryRun?: boolean; terminateOthers?: boolean }) => {
      await runCutoverGuard({ label: 'source', settings: settingsFromUrl(options.source, '--source') }, mode, {
        dryRun: Boolean(options.dryRun), terminateOthers: Boolean(options.terminateOthers),
      }, out);
    });

  return program;
}

/** Runs one command line and returns its exit code; never throws. */
export async function runCli(argv: string[], env: Env, out: Output): Promise<ExitCodeValue> {
  let code: ExitCodeValue = ExitCode.OK;
  const program = buildProgram(env, out, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (error instanceof DbSplitError) {
      out.warn(`error: ${error.message}`);
      if (error.hint) out.warn(`hint: ${error.hint}`);
      return error.exitCode;
    }
    out.warn(`error: ${(error as Error)?.message ?? String(error)}`);
    if (env.DB_SPLIT_DEBUG) out.warn((error as Error)?.stack ?? '');
    return ExitCode.FAILED;
  }
}
