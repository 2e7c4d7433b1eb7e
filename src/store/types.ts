import type { Day } from '../domain/dates.js';
import type { AggregateRow, DaySummary } from '../sources/types.js';

export interface SeriesPoint {
  category: string;
  day: Day;
  downloads: number;
}

export interface RecentDownloads {
  lastDay: number;
  lastWeek: number;
  lastMonth: number;
}

export interface LoadedDay {
  day: Day;
  source: string;
  loadedAt: string;
  packages: number;
  rows: number;
  /** What the source said of the day's events (downloads, skipped events), when it said it. */
  summary: DaySummary | null;
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
}

export interface DayWrite {
  day: Day;
  source: string;
  summary: DaySummary | null;
  /** Every aggregate row of the day, `__all__` included: the day is replaced by exactly these. */
  rows: AsyncIterable<AggregateRow[]>;
  /** Days before this one are purged in the same transaction. */
  purgeBefore?: Day;
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
  replaceDay(write: DayWrite): Promise<DayWriteResult>;
  purgeBefore(day: Day): Promise<Day[]>;
  /** Changes whenever a write lands, and only then. */
  dataVersion(): Promise<string>;
  latestDay(): Promise<Day | null>;
  loadedDays(): Promise<LoadedDay[]>;
  hasPackage(name: string): Promise<boolean>;
  /** One package's downloads in one dimension, days from `start` to `end` inclusive. Unordered. */
  series(name: string, dimension: string, range: { start?: Day; end?: Day }): Promise<SeriesPoint[]>;
  /** Downloads without mirrors over the 1, 7 and 30 days ending at `latestDay`. */
  recent(name: string, latestDay: Day): Promise<RecentDownloads>;
  status(): Promise<StoreStatus>;
  close(): Promise<void>;
}
