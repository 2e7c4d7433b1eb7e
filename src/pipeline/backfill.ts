/**
 * A history backfill: months before the daily loads, each summed by the source in one query (so
 * only monthly rows come back) and written whole, atomically, as the month's backfilled part (see
 * src/store/months.ts for the rule of a month with daily days too).
 *
 * Which days of a month a backfill counts: those before the retention window ending today (the
 * days after are the daily loads', which would refuse a day a backfill counted) that no daily load
 * counts and that are not in the future. A month already backfilled with exactly those days is
 * done: an interrupted backfill, run again, continues with the first month not written, and gives
 * the numbers a run without the interruption gives.
 */
import { totalSkipped } from '../domain/aggregates.js';
import { addDays, dayNumber, todayUtc, type Day } from '../domain/dates.js';
import { firstDayOf, lastDayOf, monthOfDay, monthRange, parseMonth, type Month } from '../domain/months.js';
import type { DaySpan, SpanSource } from '../sources/types.js';
import type { Store } from '../store/types.js';
import { withAllPackagesTotals } from './derived.js';
import { retentionStart } from './retention.js';

export interface MonthPlan {
  month: Month;
  /** The days the backfill counts, ascending; empty: nothing of the month to backfill. */
  days: Day[];
  /** Already backfilled with exactly these days (by an earlier, perhaps interrupted, run). */
  done: boolean;
}

export interface BackfillRange {
  from: Month;
  to: Month;
  retentionDays: number;
  today?: Day;
}

/** Refuses a range that cannot be meant: reversed, or reaching past the current month. */
export function checkBackfillRange({ from, to, today = todayUtc() }: BackfillRange): void {
  if (from > to) throw new Error(`--from (${from}) is after --to (${to})`);
  const current = monthOfDay(today);
  if (to > current) throw new Error(`--to ${to} is a month in the future (today is ${today}); a backfill fills months that have happened`);
}

/**
 * The range a person asked for (`pypistats backfill --from --to`, or the admin console's backfill
 * form), checked as checkBackfillRange does: both given, both months, in order, none to come. One
 * set of refusals and messages for both.
 */
export function parseBackfillRange(from: string | undefined, to: string | undefined, retentionDays: number): BackfillRange {
  if (from === undefined || to === undefined) throw new Error('backfill needs --from and --to (months, YYYY-MM)');
  const range = { from: parseMonth(from, '--from'), to: parseMonth(to, '--to'), retentionDays };
  checkBackfillRange(range);
  return range;
}

/** Each month of the range and the days its backfill counts. */
export async function planBackfill(store: Store, range: BackfillRange): Promise<MonthPlan[]> {
  checkBackfillRange(range);
  const today = range.today ?? todayUtc();
  // The first day daily loads may still load: the backfill leaves it and the days after to them.
  const dailyFrom = dayNumber(retentionStart(today, range.retentionDays));
  const plans: MonthPlan[] = [];
  for (const month of monthRange(range.from, range.to)) {
    const counted = await store.countedDays(month);
    const daily = new Set(counted.daily);
    const days: Day[] = [];
    for (let day = firstDayOf(month); day <= lastDayOf(month); day = addDays(day, 1)) {
      if (dayNumber(day) < dailyFrom && !daily.has(day)) days.push(day);
    }
    const done = days.length > 0 && days.length === counted.backfill.length && days.every((day, i) => counted.backfill[i] === day);
    plans.push({ month, days, done });
  }
  return plans;
}

/** Runs of consecutive days: one pair of bounds each in the query. */
export function spansOf(days: readonly Day[]): DaySpan[] {
  const spans: DaySpan[] = [];
  for (const day of days) {
    const last = spans.at(-1);
    if (last && dayNumber(day) === dayNumber(last.last) + 1) last.last = day;
    else spans.push({ first: day, last: day });
  }
  return spans;
}

export interface BackfilledMonth {
  month: Month;
  days: number;
  downloads: number;
  packages: number;
  rows: number;
  /** Events the source left out (no timestamp, no project, ...), as a day's load counts them. */
  skipped: number;
  seconds: number;
}

/**
 * Backfills the months of the plan not yet done, one after another, each in its own transaction.
 * A month whose source holds no downloads is refused (an export of other months, an empty table):
 * the months before it stay written, and the error says which month it was. `signal` stops it
 * between months (a cancel): the months written stay, the next is not begun.
 */
export async function backfillMonths(
  store: Store,
  source: SpanSource,
  plans: readonly MonthPlan[],
  /** Awaited before the next month: a job records its progress there, and hears of a cancel. */
  onMonth: (month: BackfilledMonth) => void | Promise<void> = () => undefined,
  signal?: AbortSignal,
): Promise<BackfilledMonth[]> {
  const written: BackfilledMonth[] = [];
  for (const plan of plans) {
    if (plan.done || plan.days.length === 0) continue;
    if (signal?.aborted) break;
    const started = performance.now();
    const aggregation = await source.aggregateSpans(spansOf(plan.days), plan.month);
    if (aggregation.summary.downloads === 0) {
      // Nothing is read further: the rows are closed unread.
      await aggregation.rows[Symbol.asyncIterator]().return?.();
      throw new Error(`${plan.month}: the source holds no downloads for the ${plan.days.length} days of the month to backfill (${plan.days[0]} to ${plan.days.at(-1)}); nothing was written for it`);
    }
    const result = await store.replaceBackfillMonth({ month: plan.month, days: plan.days, rows: withAllPackagesTotals(aggregation.rows) });
    const month = {
      month: plan.month,
      days: plan.days.length,
      downloads: aggregation.summary.downloads,
      packages: aggregation.summary.packages,
      rows: result.rows,
      skipped: totalSkipped(aggregation.summary.skipped),
      seconds: (performance.now() - started) / 1000,
    };
    written.push(month);
    await onMonth(month);
  }
  return written;
}
