/** The pipeline: source → store → derived, for one day or a range. Idempotent: a day is replaced whole. */
import type { Day } from '../domain/dates.js';
import { totalSkipped, type DaySummary, type Source } from '../sources/types.js';
import type { Store } from '../store/types.js';
import { withAllPackagesTotals } from './derived.js';
import { retainedFrom } from './retention.js';

export interface LoadOptions {
  retentionDays: number;
}

export interface DayLoadResult {
  day: Day;
  summary: DaySummary;
  rows: number;
  packages: number;
  purgedDays: Day[];
  seconds: number;
}

/** Another process holds the day's lock: it is loading that day now. */
export class DayBusyError extends Error {
  constructor(readonly day: Day) {
    super(`${day} is being loaded by another process; try again when it has finished`);
  }
}

export function dayLockName(day: Day): string {
  return `load ${day}`;
}

/**
 * Loads one day under its lock, so two processes never load one day at once, and keeps the attempt
 * in the store's load history.
 */
export async function loadDay(store: Store, source: Source, day: Day, options: LoadOptions): Promise<DayLoadResult> {
  return (await loadUnderLock(store, source, day, options, false))!;
}

/** As loadDay, but a day already loaded (by this process or another) is left as it is: null. */
export function loadDayIfMissing(store: Store, source: Source, day: Day, options: LoadOptions): Promise<DayLoadResult | null> {
  return loadUnderLock(store, source, day, options, true);
}

async function loadUnderLock(
  store: Store,
  source: Source,
  day: Day,
  options: LoadOptions,
  onlyIfMissing: boolean,
): Promise<DayLoadResult | null> {
  const lock = await store.tryLock(dayLockName(day));
  if (lock === null) throw new DayBusyError(day);
  try {
    if (onlyIfMissing && (await store.loadedDays()).some((loaded) => loaded.day === day)) return null;
    const attempt = await store.startLoad(day, source.name);
    try {
      const result = await writeDay(store, source, day, options);
      const { summary } = result;
      const skipped = totalSkipped(summary.skipped);
      await store.finishLoad(attempt, {
        status: 'succeeded',
        eventsIn: summary.downloads + summary.metadataFetches + skipped,
        rowsOut: result.rows,
        skipped,
      });
      return result;
    } catch (error) {
      await store.finishLoad(attempt, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  } finally {
    await lock.release();
  }
}

async function writeDay(store: Store, source: Source, day: Day, options: LoadOptions): Promise<DayLoadResult> {
  const started = performance.now();
  const keepFrom = retainedFrom(await store.latestDay(), [day], options.retentionDays)!;
  const { summary, rows } = await source.aggregateDay(day);
  const written = await store.replaceDay({
    day,
    source: source.name,
    summary,
    rows: withAllPackagesTotals(rows),
    purgeBefore: keepFrom,
  });
  return { day, summary, ...written, seconds: (performance.now() - started) / 1000 };
}

export interface RangeProgress {
  done: number;
  total: number;
  last: DayLoadResult;
}

/**
 * Loads days in order, each in its own transaction; stops at the first failure (the days before
 * it stay loaded, the failed one keeps its previous state).
 */
export async function loadDays(
  store: Store,
  source: Source,
  days: readonly Day[],
  options: LoadOptions & { onDay?: (progress: RangeProgress) => void; signal?: AbortSignal },
): Promise<DayLoadResult[]> {
  // Checked for the whole range first, so a range never stops half-way on this.
  retainedFrom(await store.latestDay(), days, options.retentionDays);
  const results: DayLoadResult[] = [];
  for (const day of days) {
    options.signal?.throwIfAborted();
    const result = await loadDay(store, source, day, options);
    results.push(result);
    options.onDay?.({ done: results.length, total: days.length, last: result });
  }
  return results;
}
