import type { Day } from '../domain/dates.js';
import type { AggregateRow, DaySummary } from '../domain/aggregates.js';
import { PERIOD_DAYS, TOP_LIMIT, type TopPeriod, type TrendingPeriod } from '../domain/api-parameters.js';
import type { AccountStore } from './accounts.js';
import type { Month } from '../domain/months.js';
import type { HeldMonth } from './months.js';

export type { HeldMonth } from './months.js';

/** Months from `start` to `end` inclusive (`YYYY-MM`); either left out: no bound on that side. */
export interface MonthRange {
  start?: Month;
  end?: Month;
}

/** A month's backfill: every package's downloads (`__all__` included) over the days given, summed. */
export interface MonthWrite {
  month: Month;
  /** The days of the month the rows count; none of them counted by a daily load (see countedDays). */
  days: readonly Day[];
  rows: AsyncIterable<AggregateRow[]>;
}

/** Which days of a month its totals count, by source. */
export interface CountedDays {
  daily: Day[];
  backfill: Day[];
}

/** All-time downloads over every month held (`/total`, the badge's `period=total`). */
export interface AllTimeTotals {
  /** The first month with downloads. */
  firstMonth: Month;
  withMirrors: number;
  withoutMirrors: number;
}

export interface SeriesPoint {
  category: string;
  day: Day;
  downloads: number;
}

/** Days from `start` to `end` inclusive; either left out: no bound on that side. */
export interface SeriesRange {
  start?: Day;
  end?: Day;
}

export interface RecentDownloads {
  lastDay: number;
  lastWeek: number;
  lastMonth: number;
}

/** A package ranked among the most downloaded (without mirrors, `__all__` left out) over a period ending at the latest day. */
export interface PackageDownloads {
  package: string;
  downloads: number;
}

/** A package ranked among those that grew most: `downloads` over the period, `previous` over the period before it. */
export interface TrendingPackage extends PackageDownloads {
  previous: number;
}

/** How many packages the derived tables rank and keep per period: the most `/api/top` and `/api/trending` give. */
export const TOP_PACKAGES_KEPT = TOP_LIMIT.max;

/**
 * The days `package_days` keeps, ending at the latest day: a month and the month before it, which
 * trending compares (see src/store/derived-lists.ts).
 */
export const PACKAGE_DAYS_KEPT = 2 * PERIOD_DAYS.month;

export interface LoadedDay {
  day: Day;
  source: string;
  loadedAt: string;
  packages: number;
  rows: number;
  /** What the source said of the day's events (downloads, skipped events), when it said it. */
  summary: DaySummary | null;
}

export type LoadStatus = 'running' | 'succeeded' | 'failed' | 'refused' | 'interrupted';

/** One attempt to load a day, kept in the store's load history. */
export interface LoadRecord {
  id: number;
  day: Day;
  source: string;
  startedAt: string;
  finishedAt: string | null;
  /**
   * `refused`: a guard stopped it before anything was written (see src/pipeline/guards.ts);
   * `interrupted`: the process stopped before it could say how the load ended.
   */
  status: LoadStatus;
  /** Raw events of the day the source read (downloads, `.metadata` fetches and malformed events). */
  eventsIn: number | null;
  /** Aggregate rows written, `__all__` included. */
  rowsOut: number | null;
  /** Malformed events skipped. */
  skipped: number | null;
  error: string | null;
}

export type LoadOutcome =
  | { status: 'succeeded'; eventsIn: number; rowsOut: number; skipped: number }
  | { status: 'failed' | 'refused'; error: string };

/** The attempt a day's write completes: marked succeeded in the write's own transaction. */
export interface LoadAttempt {
  id: number;
  eventsIn: number;
  skipped: number;
}

/** Held by one process at a time among all the processes that share the store. */
export interface StoreLock {
  release(): Promise<void>;
}

export interface StoreStatus {
  location: string;
  days: number;
  firstDay: Day | null;
  latestDay: Day | null;
  rows: number;
  packages: number;
  dataVersion: string;
  bytes: number | null;
  /** Whether any loaded day is demo data (made up by `pypistats demo` or `serve`'s first start). */
  demo: boolean;
}

export interface DayWrite {
  day: Day;
  source: string;
  summary: DaySummary | null;
  /** Every aggregate row of the day, `__all__` included: the day is replaced by exactly these. */
  rows: AsyncIterable<AggregateRow[]>;
  /** Days before this one are purged in the same transaction. */
  purgeBefore?: Day;
  /**
   * The load history's record of this write, marked succeeded (rows written included) in the same
   * transaction, so the history can never say a committed day failed, or an uncommitted one loaded.
   */
  attempt?: LoadAttempt;
}

export interface DayWriteResult {
  rows: number;
  packages: number;
  purgedDays: Day[];
}

/**
 * Where aggregates live. A day is replaced whole in one transaction: a reader sees the old day or
 * the new one, never a mix. Reads are what the API needs: one package's series over many days.
 */
export interface Store {
  /** The site's users, their tracked packages and tokens, and the admin console's jobs. */
  readonly accounts: AccountStore;
  replaceDay(write: DayWrite): Promise<DayWriteResult>;
  purgeBefore(day: Day): Promise<Day[]>;
  /** Changes whenever a write lands, and only then. */
  dataVersion(): Promise<string>;
  latestDay(): Promise<Day | null>;
  loadedDays(): Promise<LoadedDay[]>;
  /** Whether the store holds downloads of the package: a day within retention, or a month kept (from its days or a backfill). */
  hasPackage(name: string): Promise<boolean>;
  /**
   * One package's downloads in one dimension, days from `start` to `end` inclusive. Unordered.
   * With `only`, just the points of those categories (what `top=N` keeps).
   */
  series(name: string, dimension: string, range: SeriesRange, only?: ReadonlySet<string>): Promise<SeriesPoint[]>;
  /** One package's downloads in one dimension per category, summed over the range: what `top=N` ranks by. */
  categoryTotals(name: string, dimension: string, range: SeriesRange): Promise<Map<string, number>>;
  /**
   * One package's downloads in one dimension per month (kept forever, beyond the days' retention),
   * months from `start` to `end` inclusive, each point's `day` the month as `YYYY-MM`. Unordered.
   */
  monthSeries(name: string, dimension: string, range: MonthRange, only?: ReadonlySet<string>): Promise<SeriesPoint[]>;
  /** categoryTotals over months. */
  monthCategoryTotals(name: string, dimension: string, range: MonthRange): Promise<Map<string, number>>;
  /** The months the package has downloads in, ascending, with how complete each is; [] when none. */
  heldMonths(name: string): Promise<HeldMonth[]>;
  /** All-time downloads with and without mirrors over every month held; null when the package has none. */
  allTimeTotals(name: string): Promise<AllTimeTotals | null>;
  /**
   * Replaces the month's backfilled part, in one transaction: the rows become every package's
   * backfilled month (what an earlier backfill of it wrote goes), counting `days`. The month's
   * daily part is left as it is; a day counted daily is refused (the daily day wins).
   */
  replaceBackfillMonth(write: MonthWrite): Promise<{ rows: number; packages: number }>;
  /** The days of `month` its totals count, daily and backfilled. */
  countedDays(month: Month): Promise<CountedDays>;
  /** Downloads over the 1, 7 and 30 days ending at `latestDay`: without mirrors, or with them when `mirrors`. */
  recent(name: string, latestDay: Day, options?: { mirrors?: boolean }): Promise<RecentDownloads>;
  /** Packages with downloads in the store, `__all__` not counted. */
  packageCount(): Promise<number>;
  /** Names (normalized) of packages with downloads that start with `prefix`, alphabetically, at most `limit`. */
  searchPackages(prefix: string, limit: number): Promise<string[]>;
  /**
   * At most `limit` (≤ TOP_PACKAGES_KEPT) of the period, most downloaded first (a tie: by name),
   * as ranked when the latest day was loaded.
   */
  topPackages(period: TopPeriod, limit: number): Promise<PackageDownloads[]>;
  /**
   * At most `limit` (≤ TOP_PACKAGES_KEPT) of the period, grown most against the period before first,
   * as ranked when the latest day was loaded (see src/store/derived-lists.ts for the rules).
   */
  trendingPackages(period: TrendingPeriod, limit: number): Promise<TrendingPackage[]>;
  status(): Promise<StoreStatus>;
  /**
   * Records the start of a load of `day`; earlier loads of that day still marked running become
   * `interrupted` (the caller holds the day's lock, so they cannot be running).
   */
  startLoad(day: Day, source: string): Promise<number>;
  /** Records how an attempt ended, if it is still marked running (a committed success is never overwritten). */
  finishLoad(id: number, outcome: LoadOutcome): Promise<void>;
  /** The latest `limit` load attempts, newest first. */
  loadHistory(limit: number): Promise<LoadRecord[]>;
  /**
   * Takes the named lock if no process holds it, or gives null at once. A lock dies with the
   * process that holds it, so a crash never leaves one behind.
   */
  tryLock(name: string): Promise<StoreLock | null>;
  close(): Promise<void>;
}

/**
 * The store cannot answer now: its server is down, restarting, unreachable or too slow, or its
 * file is locked or failing. Nothing the request did is at fault and a later try may succeed, so
 * the API answers 503 with Retry-After (and never a 500 with a stack trace in the log).
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}
