/** The pipeline: source → store → derived, for one day or a range. Idempotent: a day is replaced whole. */
import type { Day } from '../domain/dates.js';
import type { DaySummary, Source } from '../sources/types.js';
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

export async function loadDay(store: Store, source: Source, day: Day, options: LoadOptions): Promise<DayLoadResult> {
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
