import { availableParallelism } from 'node:os';

import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import { monolithSide, splitSide } from './lib/catalog';
import { type Endpoint, type Env, redactUrl, settingsFromUrl, targetEndpoints, withClient } from './lib/connections';
import { runCopy } from './lib/copy';
import { runCreate } from './lib/create';
import { runCutoverGuard } from './lib/cutover-guard';
import { DbSplitError, ExitCode, type ExitCodeValue, throwFirstFailure } from './lib/errors';
import type { Output } from './lib/output';
import { assertPlanAccepted, blockingProblems, buildPlan, type Plan, planAsJson, printPlan, refusalCode } from './lib/plan';
import type { ProgressMode } from './lib/progress';
import { assertServerReady } from './lib/replication';
import { runSchema } from './lib/schema';
import { fallbackLinks, forwardLinks, type LinkRef, linksOf, linkStatus, printStatus, startLinks, stopLinks, switchOver } from './lib/sync';
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
    .option(
      '--ignore-table <name>',
      'leave this table out (an unknown extra table, or a legacy table the source lacks); repeatable',
      collect,
      [],
    )
    .option(
      '--allow-missing-column <table.column>',
      'accept a column that exists on one side only (`table.*` for all of a table); repeatable',
      collect,
      [],
    );
}

function withRun(command: Command): Command {
  return withSelection(command)
    .option('--jobs <n>', 'tables processed in parallel', positiveInt, DEFAULT_JOBS)
    .addOption(
      new Option('--progress <mode>', 'progress display: a bar on a terminal, plain lines otherwise')
        .choices(['auto', 'bar', 'lines', 'none'])
        .default('auto'),
    )
    .option('--json', 'print a JSON summary on stdout (the report goes to stderr)');
}

function formatOption(): Option {
  return new Option(
    '--format <format>',
    'COPY format: auto = binary for tables whose column types match exactly on both sides, text otherwise',
  )
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

/**
 * The publishers' server checks (wal_level, the role's REPLICATION) and the plan, side by side:
 * the plan only reads catalogs, and a server that cannot replicate is still the refusal reported
 * (the first such publisher's), before anything is created.
 */
async function planToReplicate(publishers: Endpoint[], planning: Promise<Plan>): Promise<Plan> {
  const [checks, [planned]] = await Promise.all([
    Promise.allSettled(publishers.map((endpoint) => withClient(endpoint, (client) => assertServerReady(endpoint, client)))),
    Promise.allSettled([planning]),
  ]);
  throwFirstFailure([...checks, planned]);
  return (planned as PromiseFulfilledResult<Plan>).value;
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
        ignoreTables: options.ignoreTable,
        allowMissingColumns: options.allowMissingColumn,
        requireTargets: false,
        countRows: true,
      });
      printPlan(plan, report);
      if (options.json) out.line(JSON.stringify(planAsJson(plan), null, 2));
      const blocking = blockingProblems(plan);
      setExit(blocking.length ? refusalCode(blocking) : ExitCode.OK);
    });

  program
    .command('create')
    .description(
      'create the three databases and their login roles (each owning only its database, CONNECT revoked from PUBLIC); idempotent',
    )
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
        ignoreTables: options.ignoreTable,
        allowMissingColumns: options.allowMissingColumn,
        requireTargets: true,
        countRows: false,
      });
      assertPlanAccepted(plan);
      printAccepted(plan, report);
      const failAfter = env.DB_SPLIT_FAIL_AFTER_TABLES ? Number(env.DB_SPLIT_FAIL_AFTER_TABLES) : undefined;
      const result = await runCopy(
        plan,
        {
          jobs: options.jobs,
          truncate: Boolean(options.truncate),
          dryRun: Boolean(options.dryRun),
          progress: options.progress,
          format: options.format,
          failAfterTables: failAfter,
        },
        report,
      );
      if (options.json) out.line(JSON.stringify(result, null, 2));
    });

  withRun(program.command('verify'))
    .description('compare row counts and chunked content checksums of every table on both sides; report cross-service orphans')
    .option(
      '--source <url>',
      'the monolith database (postgres://...); without it, --target-monolith is compared with the service databases',
    )
    .option('--target-monolith <url>', 'compare the source with this monolith-shaped database instead of the service databases')
    .option('--chunk-rows <n>', 'rows per checksum chunk', positiveInt, 1000)
    .option('--max-differences <n>', 'differing keys listed per table', positiveInt, 5)
    .action(async (options: RunOptions & { source?: string; targetMonolith?: string; chunkRows: number; maxDifferences: number }) => {
      const report = reportOutput(out, options.json);
      if (!options.source && !options.targetMonolith)
        throw new DbSplitError('verify needs --source, --target-monolith, or both', ExitCode.USAGE);
      const target = options.targetMonolith
        ? monolithSide('monolith', { label: 'target monolith', settings: settingsFromUrl(options.targetMonolith, '--target-monolith') })
        : targets();
      // Without --source: the service databases against a monolith (one kept current by `fallback start`).
      const from = options.source ? source(options.source) : splitSide('split databases', targetEndpoints(env));
      const plan = await buildPlan(from, target, {
        ignoreTables: options.ignoreTable,
        allowMissingColumns: options.allowMissingColumn,
        requireTargets: true,
        countRows: false,
      });
      assertPlanAccepted(plan);
      printAccepted(plan, report);
      const result = await runVerify(
        plan,
        { jobs: options.jobs, chunkRows: options.chunkRows, maxDifferences: options.maxDifferences, progress: options.progress },
        report,
      );
      if (options.json) out.line(JSON.stringify(result, null, 2));
      setExit(verifyExit(result));
    });

  withSwitch(withRun(program.command('rollback')))
    .description(
      'copy the three service databases back into an empty monolith-shaped database, then verify it the same way (after `fallback start`: a short read-only window and a verify instead)',
    )
    .requiredOption('--target-monolith <url>', 'an empty database created from the legacy schema (postgres://...)')
    .option('--truncate', 'empty the monolith tables (and the journal) first')
    .option('--dry-run', 'show what would be copied')
    .addOption(formatOption())
    .option('--chunk-rows <n>', 'rows per checksum chunk', positiveInt, 1000)
    .option('--max-differences <n>', 'differing keys listed per table', positiveInt, 5)
    .action(
      async (
        options: RunOptions &
          SwitchFlags & {
            targetMonolith: string;
            truncate?: boolean;
            dryRun?: boolean;
            chunkRows: number;
            maxDifferences: number;
            format: 'auto' | 'text';
          },
      ) => {
        const report = reportOutput(out, options.json);
        const split = splitSide('split databases', targetEndpoints(env));
        const monolith = monolithSide('monolith', {
          label: 'target monolith',
          settings: settingsFromUrl(options.targetMonolith, '--target-monolith'),
        });
        const plan = await buildPlan(split, monolith, {
          ignoreTables: options.ignoreTable,
          allowMissingColumns: options.allowMissingColumn,
          requireTargets: true,
          countRows: false,
        });
        assertPlanAccepted(plan);
        printAccepted(plan, report);
        const fallback = linksOf(plan, 'fallback');
        const streaming = (await Promise.all(fallback.map((link) => linkStatus(link)))).filter((s) => s.state === 'streaming');
        if (streaming.length && !options.dryRun) {
          if (streaming.length !== fallback.length)
            throw new DbSplitError(
              `rollback: only ${streaming.map((s) => s.service).join(', ')} of the fallback links stream; run \`fallback start\` again`,
              ExitCode.FAILED,
            );
          report.line(
            'rollback: the monolith is kept current by `fallback start`: a short read-only window on the service databases, then verify, instead of a copy',
          );
          await switchOver(plan, fallback, switchOptions(options), report, 'rollback');
          await runCutoverGuard(monolith.endpoints.monolith, 'off', { dryRun: false, terminateOthers: false }, report);
          report.line('rollback: the monolith is writable; point the application back at it');
          return;
        }
        report.line(
          'rollback: the auth, web and forms databases -> the monolith (stop the services first: each database is read in its own snapshot)',
        );
        const copy = await runCopy(
          plan,
          {
            jobs: options.jobs,
            truncate: Boolean(options.truncate),
            dryRun: Boolean(options.dryRun),
            progress: options.progress,
            format: options.format,
          },
          report,
          'rollback',
        );
        if (options.dryRun) return;
        const verify = await runVerify(
          plan,
          { jobs: options.jobs, chunkRows: options.chunkRows, maxDifferences: options.maxDifferences, progress: options.progress },
          report,
          'rollback verify',
        );
        if (options.json) out.line(JSON.stringify({ copy, verify }, null, 2));
        setExit(verifyExit(verify));
      },
    );

  program
    .command('cutover-guard')
    .description('make the source read-only for new sessions during the copy window (on), lift it (off), or show it (status)')
    .requiredOption('--source <url>', 'the monolith database (postgres://...); needs its owner or a superuser')
    .addArgument(new Argument('<mode>', 'on, off or status').choices(['on', 'off', 'status']))
    .option('--dry-run', 'show the statement without running it')
    .option('--terminate-others', 'with on: end the other sessions so they reconnect read-only')
    .action(async (mode: 'on' | 'off' | 'status', options: { source: string; dryRun?: boolean; terminateOthers?: boolean }) => {
      await runCutoverGuard(
        { label: 'source', settings: settingsFromUrl(options.source, '--source') },
        mode,
        {
          dryRun: Boolean(options.dryRun),
          terminateOthers: Boolean(options.terminateOthers),
        },
        out,
      );
    });

  const sync = program.command('sync').description('keep the service databases current from the live monolith with logical replication');
  withRun(sync.command('start'))
    .description(
      'publications on the source, a slot per service whose exported snapshot the copy engine reads, then subscriptions streaming from it',
    )
    .requiredOption(
      '--source <url>',
      'the monolith database (postgres://...); its role needs REPLICATION (or superuser) and must own the tables',
    )
    .action(async (options: RunOptions & { source: string }) => {
      const src = source(options.source);
      out.line(`sync start: source ${redactUrl(options.source)} -> the auth, web and forms databases (the source stays writable)`);
      const plan = await planToReplicate(
        [src.endpoints.source],
        buildPlan(src, targets(), {
          ignoreTables: options.ignoreTable,
          allowMissingColumns: options.allowMissingColumn,
          requireTargets: true,
          countRows: false,
        }),
      );
      assertPlanAccepted(plan);
      printAccepted(plan, out);
      const failAfter = env.DB_SPLIT_FAIL_AFTER_TABLES ? Number(env.DB_SPLIT_FAIL_AFTER_TABLES) : undefined;
      await startLinks(
        plan,
        'forward',
        { jobs: options.jobs, progress: options.progress, truncate: false, failAfterTables: failAfter },
        out,
      );
      out.line('sync start done: `sync status` shows the lag; `cutover --source URL` switches with a short read-only window');
    });
  withStatus(sync.command('status'))
    .description(
      'per service: state, lag in bytes and seconds, WAL retained by the slot, rows applied (and the fallback links with --target-monolith)',
    )
    .option('--source <url>', 'the monolith (default: read from the subscriptions)')
    .option('--target-monolith <url>', 'also show the fallback links into this monolith')
    .action(async (options: StatusFlags & { source?: string; targetMonolith?: string }) => {
      const links = async (): Promise<LinkRef[]> => [
        ...(await forwardLinks(targetEndpoints(env), options.source ? source(options.source).endpoints.source : undefined)),
        ...(options.targetMonolith ? fallbackLinks(targetEndpoints(env), monolithEndpoint(options.targetMonolith)) : []),
      ];
      await runStatus(links, options, out);
    });
  sync
    .command('stop')
    .description('drop every subscription, slot and publication `sync start` made (a forgotten slot keeps WAL on the source)')
    .option('--source <url>', 'the monolith (default: read from the subscriptions)')
    .action(async (options: { source?: string }) => {
      await stopLinks(await forwardLinks(targetEndpoints(env), options.source ? source(options.source).endpoints.source : undefined), out);
      out.line('sync stop done: no db-split slot, publication or subscription is left for the service databases');
    });

  withSwitch(withSelection(program.command('cutover')))
    .description(
      'source read-only, wait until every subscription applied its final changes, verify, move sequences, drop the subscriptions; prints the write outage',
    )
    .requiredOption('--source <url>', 'the monolith database (postgres://...)')
    .option('--jobs <n>', 'tables verified in parallel', positiveInt, DEFAULT_JOBS)
    .option('--chunk-rows <n>', 'rows per checksum chunk', positiveInt, 1000)
    .option('--max-differences <n>', 'differing keys listed per table', positiveInt, 5)
    .addOption(new Option('--progress <mode>', 'progress display').choices(['auto', 'bar', 'lines', 'none']).default('none'))
    .action(
      async (
        options: SelectionOptions &
          SwitchFlags & { source: string; jobs: number; chunkRows: number; maxDifferences: number; progress: ProgressMode },
      ) => {
        const plan = await buildPlan(source(options.source), targets(), {
          ignoreTables: options.ignoreTable,
          allowMissingColumns: options.allowMissingColumn,
          requireTargets: true,
          countRows: false,
        });
        assertPlanAccepted(plan);
        await switchOver(plan, linksOf(plan, 'forward'), switchOptions(options), out, 'cutover');
        out.line(
          'cutover: switch the application to the services now; `fallback start --target-monolith URL` keeps a monolith current for the way back',
        );
      },
    );

  const fallback = program
    .command('fallback')
    .description('after the cut-over: keep a monolith current from the service databases, so `rollback` needs no copy');
  withRun(fallback.command('start'))
    .description(
      'publications on the three service databases, slots with exported snapshots, the copy engine into the monolith, subscriptions on it',
    )
    .requiredOption(
      '--target-monolith <url>',
      'a monolith-shaped database (the old source, or one created from the legacy schema); its login must be a superuser',
    )
    .option('--truncate', 'empty the monolith tables first (needed when it still holds the old data)')
    .action(async (options: RunOptions & { targetMonolith: string; truncate?: boolean }) => {
      const plan = await planToReplicate(
        Object.values(targetEndpoints(env)),
        buildPlan(splitSide('split databases', targetEndpoints(env)), monolithSide('monolith', monolithEndpoint(options.targetMonolith)), {
          ignoreTables: options.ignoreTable,
          allowMissingColumns: options.allowMissingColumn,
          requireTargets: true,
          countRows: false,
        }),
      );
      assertPlanAccepted(plan);
      printAccepted(plan, out);
      await startLinks(plan, 'fallback', { jobs: options.jobs, progress: options.progress, truncate: Boolean(options.truncate) }, out);
      out.line(
        'fallback start done: the monolith receives every write of the service databases; `rollback --target-monolith URL` switches back',
      );
    });
  fallback
    .command('stop')
    .description('drop the fallback subscriptions, slots and publications')
    .requiredOption('--target-monolith <url>', 'the monolith given to `fallback start`')
    .action(async (options: { targetMonolith: string }) => {
      await stopLinks(fallbackLinks(targetEndpoints(env), monolithEndpoint(options.targetMonolith)), out);
      out.line('fallback stop done: no db-split fallback slot, publication or subscription is left');
    });

  return program;
}

interface SwitchFlags {
  terminateOthers?: boolean;
  fullVerify?: boolean;
  timeout: number;
  jobs: number;
  chunkRows: number;
  maxDifferences: number;
  progress: ProgressMode;
}

function withSwitch(command: Command): Command {
  return command
    .option('--terminate-others', 'end the sessions connected before the read-only guard (else the command waits for them to leave)')
    .option('--timeout <seconds>', 'how long to wait for the final changes to be applied', positiveInt, 60)
    .option(
      '--full-verify',
      'compare every row inside the read-only window (default: every row while the source is writable, then only what changed since)',
    );
}

function switchOptions(options: SwitchFlags) {
  return {
    terminateOthers: Boolean(options.terminateOthers),
    fullVerify: Boolean(options.fullVerify),
    timeoutMs: options.timeout * 1000,
    jobs: options.jobs,
    chunkRows: options.chunkRows,
    maxDifferences: options.maxDifferences,
    progress: options.progress,
  };
}

interface StatusFlags {
  watch?: boolean;
  interval: number;
  count?: number;
  json?: boolean;
  warnRetainedMb: number;
}

function withStatus(command: Command): Command {
  return command
    .option('--watch', 'refresh until interrupted: a redrawn display on a terminal, plain timestamped lines otherwise')
    .option('--interval <seconds>', 'refresh interval of --watch', positiveInt, 2)
    .option('--count <n>', 'with --watch: stop after n refreshes', positiveInt)
    .option('--json', 'print the status as JSON')
    .option('--warn-retained-mb <n>', 'warn when a slot retains more WAL than this', positiveInt, 1024);
}

async function runStatus(links: () => Promise<LinkRef[]>, options: StatusFlags, out: Output): Promise<void> {
  const tty = Boolean(process.stdout.isTTY) && !options.json;
  let stop = false;
  const onSigint = () => (stop = true);
  if (options.watch) process.once('SIGINT', onSigint);
  try {
    for (let round = 1; ; round++) {
      const statuses = await Promise.all((await links()).map((link) => linkStatus(link)));
      if (options.json) out.line(JSON.stringify(statuses));
      else {
        if (options.watch && tty) process.stdout.write('\x1b[H\x1b[2J');
        if (options.watch) out.line(`sync status at ${new Date().toISOString()}${tty ? ' (Ctrl-C to stop)' : ''}`);
        printStatus(statuses, options.warnRetainedMb * 1024 * 1024, out);
      }
      if (!options.watch || stop || (options.count !== undefined && round >= options.count)) return;
      await new Promise((resolve) => setTimeout(resolve, options.interval * 1000));
      if (stop) return;
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

function monolithEndpoint(url: string) {
  return { label: 'target monolith', settings: settingsFromUrl(url, '--target-monolith') };
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
