/**
 * Demo data through the real pipeline: the generator writes raw-event Parquet files, the files
 * source aggregates them, the store loads them: the same path as a BigQuery export.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { addDays, dayRange, todayUtc, type Day } from '../domain/dates.js';
import { enabledDimensions } from '../domain/dimensions.js';
import { DEMO_SOURCE } from '../domain/demo.js';
import type { DuckDb } from '../sources/duckdb.js';
import { FileSource } from '../sources/files.js';
import { AccessLogSource } from '../sources/access-log.js';
import type { CountryDatabaseChoice } from '../sources/countries.js';
import { writeAccessLog } from '../sources/synthetic-access-log.js';
import { writeDemoDay, type DemoOptions } from '../sources/synthetic.js';
import type { Source } from '../sources/types.js';
import type { Store } from '../store/types.js';
import { refuseFuture } from './guards.js';
import { loadDay, type DayLoadResult, type LoadOptions, type RangeProgress } from './load.js';

export interface DemoRun extends DemoOptions {
  days: number;
  /** The last day of demo data (default: yesterday, UTC). */
  endDay: Day;
  retentionDays: number;
  /** LOAD_MIN_SHARE: demo days far below the days already loaded around them are refused too. */
  minShare?: number;
  /** Today, UTC (default: from the system clock): an end day after it is refused. */
  today?: Day;
  mirrorInstallers: readonly string[];
  /** The dimensions on (config.dimensions: names, since a run crosses into the load worker); default every one. */
  dimensions?: readonly string[];
  /** Keep the raw files here; without it they go to a temporary folder, removed after each day. */
  outDir?: string;
  /**
   * Write each day's events as a private index's nginx access log into this folder
   * (`access-YYYY-MM-DD.log.gz`, kept) and load the days from those logs through the access-log
   * source, rather than from the raw event files.
   */
  accessLogDir?: string;
  /** The access-log source's country database (default: the shipped one). */
  countries?: CountryDatabaseChoice;
  onDay?: (progress: RangeProgress) => void;
  onAttempt?: LoadOptions['onAttempt'];
  signal?: AbortSignal;
}

export function demoDays(endDay: Day, days: number): Day[] {
  return dayRange(addDays(endDay, -(days - 1)), endDay);
}

export async function runDemo(store: Store, duck: DuckDb, run: DemoRun): Promise<DayLoadResult[]> {
  const today = run.today ?? todayUtc();
  // Before any file is generated: a demo of days to come is refused whole.
  refuseFuture(run.endDay, today);
  const keep = run.outDir !== undefined;
  const dir = run.outDir ?? (await mkdtemp(path.join(os.tmpdir(), 'pypistats-demo-')));
  await mkdir(dir, { recursive: true });
  const dimensions = run.dimensions ? { dimensions: enabledDimensions(run.dimensions) } : {};
  const logDir = run.accessLogDir;
  if (logDir !== undefined) await mkdir(logDir, { recursive: true });
  const logOf = (day: string) => path.join(logDir ?? dir, `access-${day}.log.gz`);
  const files =
    logDir === undefined
      ? new FileSource(duck, { inputs: [path.join(dir, '{date}.parquet')], mirrorInstallers: run.mirrorInstallers, ...dimensions })
      : new AccessLogSource(duck, { inputs: [logOf('{date}')], mirrorInstallers: run.mirrorInstallers, countries: run.countries, ...dimensions });
  // Read as files (or access logs) are, recorded as demo data: the site and `status` label it so.
  const source: Source = { name: DEMO_SOURCE, aggregateDay: (day) => files.aggregateDay(day) };
  const days = demoDays(run.endDay, run.days);
  const results: DayLoadResult[] = [];
  try {
    for (const day of days) {
      run.signal?.throwIfAborted();
      const file = path.join(dir, `${day}.parquet`);
      await writeDemoDay(duck, run, day, file);
      if (logDir !== undefined) await writeAccessLog(duck, file, logOf(day), { seed: run.seed, countries: run.countries });
      const result = await loadDay(store, source, day, { retentionDays: run.retentionDays, minShare: run.minShare, today, onAttempt: run.onAttempt });
      if (!keep) await rm(file, { force: true });
      results.push(result);
      run.onDay?.({ done: results.length, total: days.length, last: result });
    }
  } finally {
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
  return results;
}
