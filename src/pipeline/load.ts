/** The pipeline: source → store → derived, for one day or a range. Idempotent: a day is replaced whole. */
import { dayNumber, todayUtc, type Day } from '../domain/dates.js';
import { totalNotCounted, totalSkipped, type DaySummary } from '../domain/aggregates.js';
import { type DayAggregation, type Source } from '../sources/types.js';
import type { Store } from '../store/types.js';
import { withAllPackagesTotals } from './derived.js';
import { LoadRefusedError, refuseFuture, refuseSummary, type GuardOptions } from './guards.js';
import { purgeForLoad, retainedFrom } from './retention.js';

export interface LoadOptions extends GuardOptions {
  retentionDays: number;
  /** Today, UTC (default: from the system clock); a day after it is refused. */
  today?: Day;
  /** Told the load history's id of the attempt once it is recorded as running (a load worker reports it to its host). */
  onAttempt?: (attempt: { day: Day; id: number }) => void;
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

/** A range stopped at `failed`: the days before it are loaded, the days after it were not tried. */
export class RangeLoadError extends Error {
  constructor(
    readonly loaded: DayLoadResult[],
    readonly failed: Day,
    readonly reason: Error,
    readonly notAttempted: Day[],
  ) {
    super(reason.message);
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
  let result: DayLoadResult | null = null;
  try {
    if (onlyIfMissing && (await store.loadedDays()).some((loaded) => loaded.day === day)) return null;
    const attempt = await store.startLoad(day, source.name);
    options.onAttempt?.({ day, id: attempt });
    try {
      result = await writeDay(store, source, day, options, attempt);
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Conditional on the attempt still running: it never overwrites a success the write committed.
      await store
        .finishLoad(attempt, { status: error instanceof LoadRefusedError ? 'refused' : 'failed', error: message })
        .catch(() => undefined);
      throw error;
    }
  } finally {
    // After a committed load, a lock that cannot be released (a full disk) must not turn it into
    // a failure: a lock dies with its process or connection anyway.
    await lock.release().catch((error: unknown) => {
      if (result === null) throw error;
    });
  }
}

async function writeDay(store: Store, source: Source, day: Day, options: LoadOptions, attempt: number): Promise<DayLoadResult> {
  const started = performance.now();
  const today = options.today ?? todayUtc();
  refuseFuture(day, today);
  const loaded = await store.loadedDays();
  const latest = loaded.at(-1)?.day ?? null;
  try {
    retainedFrom(latest, [day], options.retentionDays, today);
  } catch (error) {
    throw new LoadRefusedError(day, 'retention', (error as Error).message);
  }
  const aggregation = await source.aggregateDay(day);
  const { summary } = aggregation;
  try {
    refuseSummary(summary, loaded, options);
  } catch (error) {
    await discardRows(aggregation);
    throw error;
  }
  const purgeBefore = purgeForLoad(
    loaded.map((other) => other.day),
    day,
    options.retentionDays,
    today,
  );
  const written = await store.replaceDay({
    day,
    source: source.name,
    summary,
    rows: withAllPackagesTotals(aggregation.rows),
    ...(purgeBefore === null ? {} : { purgeBefore }),
    attempt: { id: attempt, ...attemptCounts(summary) },
  });
  return { day, summary, ...written, seconds: (performance.now() - started) / 1000 };
}

/** A refused day's rows are never read; ending their iteration lets the source let go of what it holds. */
async function discardRows(aggregation: DayAggregation): Promise<void> {
  await aggregation.rows[Symbol.asyncIterator]().return?.();
}

/** Runs a check of a whole range; a refusal is kept in the load history, as the day it names. */
async function recorded(store: Store, source: Source, day: Day, check: () => unknown): Promise<void> {
  try {
    check();
  } catch (error) {
    const refusal = error instanceof LoadRefusedError ? error : new LoadRefusedError(day, 'retention', (error as Error).message);
    // Under the day's lock, as startLoad requires; a day another process is loading is not marked.
    const lock = await store.tryLock(dayLockName(refusal.day));
    if (lock !== null) {
      try {
        const attempt = await store.startLoad(refusal.day, source.name);
        await store.finishLoad(attempt, { status: 'refused', error: refusal.message });
      } finally {
        await lock.release();
      }
    }
    throw refusal;
  }
}

export interface RangeProgress {
  done: number;
  total: number;
  last: DayLoadResult;
}

/**
 * Loads days in order, each in its own transaction; stops at the first failure (the days before
 * it stay loaded, the failed one keeps its previous state), throwing a RangeLoadError that says
 * which days are which.
 */
export async function loadDays(
  store: Store,
  source: Source,
  days: readonly Day[],
  options: LoadOptions & { onDay?: (progress: RangeProgress) => void; signal?: AbortSignal },
): Promise<DayLoadResult[]> {
  const today = options.today ?? todayUtc();
  const latest = await store.latestDay();
  // Checked for the whole range first, so a range never stops half-way on these.
  const future = days.find((day) => dayNumber(day) > dayNumber(today));
  if (future !== undefined) await recorded(store, source, future, () => refuseFuture(future, today));
  await recorded(store, source, days[0]!, () => retainedFrom(latest, days, options.retentionDays, today));
  const results: DayLoadResult[] = [];
  for (const [index, day] of days.entries()) {
    options.signal?.throwIfAborted();
    let result: DayLoadResult;
    try {
      result = await loadDay(store, source, day, { ...options, today });
    } catch (error) {
      throw new RangeLoadError(results, day, error instanceof Error ? error : new Error(String(error)), days.slice(index + 1));
    }
    results.push(result);
    options.onDay?.({ done: results.length, total: days.length, last: result });
  }
  return results;
}

/** What the load history records: events read and skipped; for an access log, its lines read and not counted. */
function attemptCounts(summary: DaySummary): { eventsIn: number; skipped: number } {
  if (summary.logLines) return { eventsIn: summary.logLines.lines, skipped: summary.logLines.lines - summary.downloads - summary.metadataFetches };
  return { eventsIn: summary.downloads + summary.metadataFetches + totalSkipped(summary.skipped), skipped: totalSkipped(summary.skipped) };
}
