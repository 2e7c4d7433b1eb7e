/** The `pypistats` command line. It parses arguments and wires parts together; the work is elsewhere. */
import { parseArgs } from 'node:util';
import { describeDayLoad, describeDryRuns, describeStatus } from './cli/format.js';
import { dayProgress } from './cli/progress.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { dayRange, dayNumber, parseDay, yesterdayUtc } from './domain/dates.js';
import { runDemo } from './pipeline/demo.js';
import { loadDays } from './pipeline/load.js';
import { retentionStart } from './pipeline/retention.js';
import { serve } from './server.js';
import { DuckDb } from './sources/duckdb.js';
import { openBigQuerySource, openSource, type SourceChoice } from './sources/open-source.js';
import { openStore } from './store/open.js';
import type { Store } from './store/types.js';

const USAGE = `Usage: pypistats <command> [options]

Commands:
  serve                              Serve the API (loads demo data into an empty database unless DEMO_DATA=off)
  load --date D | --from A --to B    Load days of raw download events into the store
       --source files --input GLOB   Files exported from BigQuery's pypi.file_downloads (Parquet, NDJSON, .gz);
                                     repeat --input for more; {date} in a glob stands for the day loaded
       --source bigquery [--dry-run] The BigQuery table itself (GOOGLE_SERVICE_ACCOUNT_JSON or
                                     GOOGLE_APPLICATION_CREDENTIALS; BIGQUERY_PROJECT); --dry-run prints the
                                     SQL, the bytes it would scan and their cost, and runs nothing
  demo [--days N] [--packages M] [--seed S] [--events-per-day E] [--end-date D] [--out DIR]
                                     Generate demo raw events and load them through the real pipeline
  purge                              Delete days older than RETENTION_DAYS before the latest loaded day
  status [--json]                    Loaded days, rows, the latest day and the latest load attempts

Configuration comes from environment variables (DATABASE_URL, PORT, HOST, RETENTION_DAYS, ...): see the README.`;

class UsageError extends Error {}

/** Load attempts `status` shows. */
const STATUS_HISTORY = 10;

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

async function withStore<T>(config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config.database);
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

function sourceChoice(values: { source: string; input?: string[]; 'dry-run': boolean }): SourceChoice {
  if (values.source === 'files') {
    if (values['dry-run']) throw new UsageError('--dry-run is for --source bigquery');
    if (!values.input?.length) throw new UsageError('load --source files needs --input GLOB');
    return { kind: 'files', inputs: values.input };
  }
  if (values.source === 'bigquery') {
    if (values.input?.length) throw new UsageError('--input is for --source files; --source bigquery reads BIGQUERY_TABLE');
    return { kind: 'bigquery' };
  }
  throw new UsageError(`--source must be "files" or "bigquery", got "${values.source}"`);
}

async function load(args: string[], config: Config): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      date: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      source: { type: 'string', default: 'files' },
      input: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const choice = sourceChoice(values);
  const days = daysToLoad(values);
  if (values['dry-run']) {
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
      try {
        const results = await loadDays(store, source, days, { retentionDays: config.retentionDays, onDay: progress.onDay });
        progress.stop();
        if (process.stderr.isTTY) for (const result of results) console.log(describeDayLoad(result));
      } finally {
        progress.stop();
      }
    });
  } finally {
    await source.close?.();
  }
}

async function demo(args: string[], config: Config): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      days: { type: 'string' },
      packages: { type: 'string' },
      seed: { type: 'string' },
      'events-per-day': { type: 'string' },
      'end-date': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const days = wholeNumber(values.days, '--days', config.demo.days);
  if (days > config.retentionDays) throw new UsageError(`--days (${days}) is more than RETENTION_DAYS (${config.retentionDays}) keeps`);
  const duck = await DuckDb.open();
  try {
    await withStore(config, async (store) => {
      const progress = dayProgress(days);
      try {
        const results = await runDemo(store, duck, {
          days,
          packages: wholeNumber(values.packages, '--packages', config.demo.packages),
          seed: wholeNumber(values.seed, '--seed', config.demo.seed, 0),
          eventsPerDay: wholeNumber(values['events-per-day'], '--events-per-day', config.demo.eventsPerDay),
          endDay: values['end-date'] ? day(values['end-date'], '--end-date') : yesterdayUtc(),
          retentionDays: config.retentionDays,
          mirrorInstallers: config.mirrorInstallers,
          outDir: values.out,
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

async function purge(config: Config): Promise<void> {
  await withStore(config, async (store) => {
    const latest = await store.latestDay();
    if (latest === null) {
      console.log('purge: the store is empty');
      return;
    }
    const purged = await store.purgeBefore(retentionStart(latest, config.retentionDays));
    console.log(purged.length === 0 ? 'purge: nothing older than the retention window' : `purge: deleted ${purged.length} days (${purged[0]} to ${purged.at(-1)})`);
  });
}

async function status(args: string[], config: Config): Promise<void> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  await withStore(config, async (store) => {
    const current = await store.status();
    const loads = await store.loadHistory(STATUS_HISTORY);
    console.log(values.json ? JSON.stringify({ ...current, loads }, null, 2) : describeStatus(current, loads));
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    }
    const config = loadConfig();
    switch (command) {
      case 'serve':
        parseArgs({ args, options: {} });
        await serve(config);
        return 0;
      case 'load':
        await load(args, config);
        return 0;
      case 'demo':
        await demo(args, config);
        return 0;
      case 'purge':
        parseArgs({ args, options: {} });
        await purge(config);
        return 0;
      case 'status':
        await status(args, config);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}" (try: pypistats help)`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code ?? '';
    const usage = error instanceof UsageError || code.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`pypistats: ${error instanceof ConfigError ? 'configuration: ' : ''}${message.split('\n')[0]}\n`);
    return usage ? 2 : 1;
  }
}
