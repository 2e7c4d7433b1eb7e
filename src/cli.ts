/** The `pypistats` command line. It parses arguments and wires parts together; the work is elsewhere. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import {
  describeBackfillDryRuns,
  describeBackfilledMonth,
  describeDayLoad,
  describeDryRuns,
  describeRangeFailure,
  describeSkippedMonth,
  describeStatus,
} from './cli/format.js';
import { dayProgress, monthProgress } from './cli/progress.js';
import { backfillMonths, parseBackfillRange, planBackfill, spansOf, type BackfilledMonth, type BackfillRange } from './pipeline/backfill.js';
import { dimensionNamed } from './domain/dimensions.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { dayRange, dayNumber, parseDay, todayUtc, yesterdayUtc } from './domain/dates.js';
import { runDemo } from './pipeline/demo.js';
import { recordJob } from './pipeline/jobs.js';
import { loadDays, RangeLoadError } from './pipeline/load.js';
import { purgeStart } from './pipeline/retention.js';
import { serve } from './server.js';
import { DuckDb } from './sources/duckdb.js';
import { openBigQuerySource, openSource, type SourceChoice } from './sources/open-source.js';
import { openStore, type OpenOptions } from './store/open.js';
import type { Store } from './store/types.js';

class UsageError extends Error {}

/** A job's log in the CLI: its lines are the command's own output; only trouble recording it is told. */
const CLI_JOB_LOG = {
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`pypistats: ${message}\n`),
  error: (message: string) => process.stderr.write(`pypistats: ${message}\n`),
};

/** Load attempts `status` shows. */
const STATUS_HISTORY = 10;

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function wholeNumber(value: string | undefined, option: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${option} must be a whole number of at least ${min}, got "${value}"`);
  }
  return Number(value);
}

function day(value: string, option: string): string {
  try {
    return parseDay(value, option);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function withStore<T>(config: Config, work: (store: Store) => Promise<T>, options: OpenOptions = {}): Promise<T> {
  const store = await openStore(config.database, options);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

function daysToLoad(values: { date?: string; from?: string; to?: string }): string[] {
  if (values.date !== undefined) {
    if (values.from !== undefined || values.to !== undefined) throw new UsageError('give either --date or --from and --to, not both');
    return [day(values.date, '--date')];
  }
  if (values.from !== undefined && values.to !== undefined) {
    const from = day(values.from, '--from');
    const to = day(values.to, '--to');
    if (dayNumber(from) > dayNumber(to)) throw new UsageError(`--from (${from}) is after --to (${to})`);
    return dayRange(from, to);
  }
  throw new UsageError('load needs --date D, or --from A and --to B');
}

interface LoadFlags {
  date?: string;
  from?: string;
  to?: string;
  source: string;
  input: string[];
  dryRun?: boolean;
  allowEmpty?: boolean;
  allowDrop?: boolean;
}

function sourceChoice(values: LoadFlags): SourceChoice {
  if (values.source === 'files') {
    if (values.dryRun) throw new UsageError('--dry-run is for --source bigquery');
    if (values.input.length === 0) throw new UsageError('load --source files needs --input GLOB');
    return { kind: 'files', inputs: values.input };
  }
  if (values.source === 'bigquery') {
    if (values.input.length > 0) throw new UsageError('--input is for --source files or access-log; --source bigquery reads BIGQUERY_TABLE');
    return { kind: 'bigquery' };
  }
  if (values.source === 'access-log') {
    if (values.dryRun) throw new UsageError('--dry-run is for --source bigquery');
    if (values.input.length === 0) throw new UsageError("load --source access-log needs --input GLOB (such as '/var/log/nginx/access.log*')");
    return { kind: 'access-log', inputs: values.input };
  }
  throw new UsageError(`--source must be "files", "bigquery" or "access-log", got "${values.source}"`);
}

async function load(values: LoadFlags, config: Config): Promise<void> {
  const choice = sourceChoice(values);
  const days = daysToLoad(values);
  if (values.dryRun) {
    const source = await openBigQuerySource(config);
    const runs = [];
    for (const day of days) runs.push(await source.dryRun(day));
    console.log(describeDryRuns(runs, config.bigquery.pricePerTib));
    return;
  }
  const source = await openSource(config, choice);
  try {
    await withStore(config, async (store) => {
      const progress = dayProgress(days.length);
      // Off a terminal each day's line is printed as it loads; on one, after the bar.
      const linesPrinted = !process.stderr.isTTY;
      try {
        const results = await loadDays(store, source, days, {
          retentionDays: config.retentionDays,
          minShare: config.load.minShare,
          allowEmpty: values.allowEmpty,
          allowDrop: values.allowDrop,
          onDay: progress.onDay,
        });
        progress.stop();
        if (!linesPrinted) for (const result of results) console.log(describeDayLoad(result));
      } catch (error) {
        progress.stop();
        if (!(error instanceof RangeLoadError) || days.length === 1) throw error instanceof RangeLoadError ? error.reason : error;
        if (!linesPrinted) for (const result of error.loaded) console.log(describeDayLoad(result));
        console.log(describeRangeFailure(error));
        const { message } = error.reason;
        throw new Error(message.startsWith(`${error.failed}`) ? message : `${error.failed}: ${message}`);
      }
    });
  } finally {
    await source.close?.();
  }
}

interface BackfillFlags {
  from?: string;
  to?: string;
  source: string;
  input: string[];
  dimensions?: string;
  dryRun?: boolean;
}

/** The dimensions a backfill computes: --dimensions (the seed's four always), else DIMENSIONS. */
function backfillDimensions(values: BackfillFlags, config: Config): string[] {
  if (values.dimensions === undefined) return config.dimensions;
  // As DIMENSIONS=none: the seed's four only.
  if (values.dimensions.trim().toLowerCase() === 'none') return [];
  const names = values.dimensions.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    try {
      dimensionNamed(name);
    } catch (error) {
      throw new UsageError(`--dimensions: ${(error as Error).message}`);
    }
  }
  return names;
}

async function backfill(values: BackfillFlags, base: Config): Promise<void> {
  let range: BackfillRange;
  try {
    range = parseBackfillRange(values.from, values.to, base.retentionDays);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const choice = sourceChoice({ ...values, dryRun: values.dryRun });
  if (choice.kind === 'access-log') throw new UsageError('backfill reads --source files or bigquery: access logs are loaded a day at a time, with load');
  const config = { ...base, dimensions: backfillDimensions(values, base) };
  await withStore(config, async (store) => {
    const plans = await planBackfill(store, range);
    const todo = plans.filter((plan) => !plan.done && plan.days.length > 0);
    if (values.dryRun) {
      const source = await openBigQuerySource(config);
      const runs = [];
      for (const plan of todo) runs.push(await source.dryRunSpans(spansOf(plan.days), plan.month));
      console.log(describeBackfillDryRuns(runs, config.bigquery.pricePerTib));
      return;
    }
    // Recorded as a job asked by `cli`: the admin console's history shows it as it shows its own,
    // and a cancel there stops it between months.
    const job = await store.accounts.createJob({ kind: 'backfill', from: range.from, to: range.to, source: choice.kind, requestedBy: 'cli' });
    const recorded = await recordJob({ store, log: CLI_JOB_LOG }, job.id, new AbortController(), async (_job, jobProgress, _errors, signal, beat) => {
      jobProgress.done = plans.length - todo.length;
      for (const plan of plans) if (!todo.includes(plan)) console.log(describeSkippedMonth(plan));
      if (todo.length === 0) return;
      const source = await openSource(config, choice);
      const progress = monthProgress(todo.length, describeBackfilledMonth);
      const written: BackfilledMonth[] = [];
      try {
        await backfillMonths(
          store,
          source,
          todo,
          async (done) => {
            written.push(done);
            progress.onMonth(done);
            jobProgress.done += 1;
            jobProgress.rows += done.rows;
            jobProgress.skipped += done.skipped;
            // Each month's progress in the job history at once, and a cancel asked there heard before the next month.
            await beat();
          },
          signal,
        );
      } finally {
        progress.stop();
        if (!progress.printsLines) for (const done of written) console.log(describeBackfilledMonth(done));
        await source.close?.();
      }
      if (signal.aborted) throw new Error(`cancelled in the admin console (job ${job.id}) after ${written.length} of ${todo.length} months`);
      console.log(`backfill: ${written.length} months written (${written[0]?.month} to ${written.at(-1)?.month})`);
    });
    if (recorded !== false && recorded.thrown !== undefined) throw recorded.thrown;
  });
}

interface DemoFlags {
  days?: string;
  packages?: string;
  seed?: string;
  eventsPerDay?: string;
  endDate?: string;
  out?: string;
  accessLog?: string;
}

async function demo(values: DemoFlags, config: Config): Promise<void> {
  const days = wholeNumber(values.days, '--days', config.demo.days);
  if (days > config.retentionDays) throw new UsageError(`--days (${days}) is more than RETENTION_DAYS (${config.retentionDays}) keeps`);
  const options = {
    days,
    packages: wholeNumber(values.packages, '--packages', config.demo.packages),
    seed: wholeNumber(values.seed, '--seed', config.demo.seed, 0),
    eventsPerDay: wholeNumber(values.eventsPerDay, '--events-per-day', config.demo.eventsPerDay),
    endDay: values.endDate ? day(values.endDate, '--end-date') : yesterdayUtc(),
  };
  const duck = await DuckDb.open();
  try {
    await withStore(config, async (store) => {
      const progress = dayProgress(days);
      try {
        const results = await runDemo(store, duck, {
          ...options,
          retentionDays: config.retentionDays,
          minShare: config.load.minShare,
          mirrorInstallers: config.mirrorInstallers,
          dimensions: config.dimensions,
          outDir: values.out,
          accessLogDir: values.accessLog,
          countries: config.accessLog.countries,
          onDay: progress.onDay,
        });
        progress.stop();
        const rows = results.reduce((sum, result) => sum + result.rows, 0);
        console.log(`demo: loaded ${results.length} days (${results[0]?.day} to ${results.at(-1)?.day}), ${rows} rows`);
      } finally {
        progress.stop();
      }
    });
  } finally {
    duck.close();
  }
}

async function purge(values: { dryRun?: boolean }, config: Config): Promise<void> {
  await withStore(
    config,
    async (store) => {
      const loaded = (await store.loadedDays()).map((loadedDay) => loadedDay.day);
      const latest = loaded.at(-1);
      if (latest === undefined) {
        console.log('purge: the store is empty');
        return;
      }
      const keepFrom = purgeStart(latest, config.retentionDays, todayUtc());
      const window = `the window of RETENTION_DAYS (${config.retentionDays}) starts at ${keepFrom}`;
      const doomed = loaded.filter((loadedDay) => dayNumber(loadedDay) < dayNumber(keepFrom));
      if (doomed.length === 0) {
        console.log(`purge: nothing to delete: ${window}`);
        return;
      }
      const which = `${doomed.length} days (${doomed[0]} to ${doomed.at(-1)})`;
      if (values.dryRun) {
        console.log(`purge: would delete ${which}: ${window}; nothing was deleted`);
        return;
      }
      const purged = await store.purgeBefore(keepFrom);
      console.log(`purge: deleted ${purged.length} days (${purged[0]} to ${purged.at(-1)}): ${window}`);
    },
    { mustExist: true },
  );
}

async function status(values: { json?: boolean }, config: Config): Promise<void> {
  await withStore(
    config,
    async (store) => {
      const current = await store.status();
      const loads = await store.loadHistory(STATUS_HISTORY);
      console.log(values.json ? JSON.stringify({ ...current, loads }, null, 2) : describeStatus(current, loads));
    },
    { mustExist: true },
  );
}

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((line) => `  ${line}`).join('\n')}\n`;

/** The commands, their options and help; each action gets its options and the configuration. */
function program(): Command {
  const cli = new Command('pypistats')
    .description('PyPI download statistics: load raw download events into a store, serve the JSON API and website.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .addHelpText('after', '\nConfiguration comes from environment variables (DATABASE_URL, PORT, HOST, RETENTION_DAYS, ...): see the README.')
    .showSuggestionAfterError(false)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  const command = (name: string) => cli.command(name).helpOption('-h, --help', 'print this help').showSuggestionAfterError(false).allowExcessArguments(false);

  command('serve')
    .description('Serve the API and the website (loads demo data into an empty database unless DEMO_DATA=off or LOAD_SOURCE is set)')
    .option('--index-name <name>', 'the private index these downloads are from, shown on the site (default INDEX_NAME)')
    .addHelpText(
      'after',
      examples(
        'pypistats serve',
        'HOST=0.0.0.0 PORT=8080 DATABASE_URL=postgres://db/pypistats LOAD_SOURCE=bigquery pypistats serve',
        "LOAD_SOURCE=access-log LOAD_INPUT='/var/log/nginx/access.log*' pypistats serve --index-name packages.example.com",
      ),
    )
    .action(async (values: { indexName?: string }) => serve(loadConfig(values.indexName === undefined ? process.env : { ...process.env, INDEX_NAME: values.indexName })));

  command('load')
    .description('Load days of raw download events into the store, each day in its own transaction')
    .option('--date <day>', 'the day to load, YYYY-MM-DD (UTC)')
    .option('--from <day>', 'the first day of a range')
    .option('--to <day>', 'the last day of a range')
    .addOption(new Option('--source <source>', 'where the events come from: files, bigquery or access-log (a private index\'s web server logs)').default('files'))
    .option('--input <glob>', 'files exported from BigQuery (Parquet, NDJSON, .gz), or access logs (plain or .gz); repeat for more; {date} stands for the day', (value: string, all: string[]) => [...all, value], [])
    .option('--dry-run', 'with --source bigquery: print the SQL, the bytes it would scan and their cost; run nothing')
    .option('--allow-empty', 'load a day whose source holds no downloads, as an empty day')
    .option('--allow-drop', 'load a day however far its downloads fall below the days around it (LOAD_MIN_SHARE)')
    .addHelpText(
      'after',
      examples(
        "pypistats load --date 2026-11-20 --input 'exports/2026-11-20/*.parquet'",
        "pypistats load --from 2026-11-01 --to 2026-11-20 --input 'exports/{date}/*.json.gz'",
        'pypistats load --date 2026-11-20 --source bigquery --dry-run',
        "pypistats load --date 2026-11-20 --source access-log --input '/var/log/nginx/access.log*'",
      ),
    )
    .action(async (values: LoadFlags) => load(values, loadConfig()));

  command('backfill')
    .description('Fill monthly totals of history before the daily loads, a month at a time (each in its own transaction; a rerun continues where one stopped)')
    .option('--from <month>', 'the first month, YYYY-MM (UTC)')
    .option('--to <month>', 'the last month, YYYY-MM, not after this one')
    .addOption(new Option('--source <source>', 'where the events come from: files or bigquery').default('files'))
    .option('--input <glob>', 'raw event files of any span (Parquet, NDJSON, .gz); repeat for more; {month} stands for the month', (value: string, all: string[]) => [...all, value], [])
    .option('--dimensions <names>', 'the breakdowns to compute, comma-separated, or none (the seed\'s four always; default DIMENSIONS): fewer scan, and cost, less')
    .option('--dry-run', 'with --source bigquery: print the SQL, per month the bytes it would scan and their cost, and the total; run nothing')
    .addHelpText(
      'after',
      examples(
        'pypistats backfill --from 2018-01 --to 2026-05 --source bigquery --dry-run',
        'pypistats backfill --from 2018-01 --to 2026-05 --source bigquery --dimensions version,installer',
        "pypistats backfill --from 2025-01 --to 2025-12 --input 'exports/{month}/*.parquet'",
      ),
    )
    .action(async (values: BackfillFlags) => backfill(values, loadConfig()));

  command('demo')
    .description('Generate demo raw events and load them through the real pipeline')
    .option('--days <n>', 'days of demo data, ending at --end-date (default DEMO_DAYS)')
    .option('--packages <n>', 'packages in the demo data (default DEMO_PACKAGES)')
    .option('--seed <n>', 'the same seed gives the same data (default DEMO_SEED)')
    .option('--events-per-day <n>', 'average raw events per day (default DEMO_EVENTS_PER_DAY)')
    .option('--end-date <day>', 'the last day, YYYY-MM-DD, not after today (default yesterday, UTC)')
    .option('--out <dir>', 'keep the generated raw event files in this folder')
    .option('--access-log <dir>', "also write each day as a private index's nginx access log into this folder (access-YYYY-MM-DD.log.gz, kept), and load the days from those logs")
    .addHelpText('after', examples('pypistats demo --days 30 --packages 500 --seed 7', 'pypistats demo --days 7 --access-log logs/'))
    .action(async (values: DemoFlags) => demo(values, loadConfig()));

  command('purge')
    .description('Delete the days before the retention window (RETENTION_DAYS ending at the latest day, or today if that is earlier)')
    .option('--dry-run', 'print what it would delete, and delete nothing')
    .addHelpText('after', examples('pypistats purge --dry-run', 'RETENTION_DAYS=90 pypistats purge'))
    .action(async (values: { dryRun?: boolean }) => purge(values, loadConfig()));

  command('status')
    .description('Loaded days, rows, the latest day and the latest load attempts')
    .option('--json', 'print it as JSON')
    .addHelpText('after', examples('pypistats status', 'pypistats status --json'))
    .action(async (values: { json?: boolean }) => status(values, loadConfig()));
  return cli;
}

/**
 * A reader that stops early (`pypistats load --help | head -1`) closes the pipe; writing to it
 * then fails with EPIPE, which unhandled ends the process with a stack trace, a load included.
 * What is left to print is dropped instead, and the command runs to its end.
 */
function dropOutputToClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') > 0) continue;
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  dropOutputToClosedPipes();
  const cli = program();
  try {
    if (argv.length === 0) {
      console.log(cli.helpInformation());
      return 2;
    }
    await cli.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      const message =
        error.code === 'commander.unknownCommand'
          ? `unknown command "${argv[0]}" (try: pypistats help)`
          : error.message.replace(/^error: /, '');
      process.stderr.write(`pypistats: ${message.split('\n')[0]}\n`);
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`pypistats: ${error instanceof ConfigError ? 'configuration: ' : ''}${message.split('\n')[0]}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
