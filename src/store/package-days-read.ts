/**
 * What both stores do with a package's blocks once read: visit the entries of the days and the
 * dimension asked for, as a series or as recent sums. A store reads the blocks, the first loaded
 * day and its category index; entries before the first loaded day are what a purge left in a
 * block it cut, and are skipped.
 */
import { dayFromNumber } from '../domain/dates.js';
import type { DimensionCategories } from './category-index.js';
import { mirrorSplitCategory } from './layout.js';
import { visitPackageDays } from './packed-downloads.js';
import type { RecentDownloads, SeriesPoint } from './types.js';

/** Whole int32 day numbers: a range without a start or an end. */
export const FIRST_DAY_NUMBER = -(2 ** 31);
export const LAST_DAY_NUMBER = 2 ** 31 - 1;

export interface PackageDaysRead {
  blocks: readonly Uint8Array[];
  /** The first day to visit: the asked start, or the first loaded day when later. */
  from: number;
  to: number;
  categories: DimensionCategories;
}

/**
 * The days a store must read for `start` to `end`, given its first loaded day (null: none
 * loaded); null when nothing of the range is loaded.
 */
export function daysToRead(start: number, end: number, firstLoaded: number | null): { from: number; to: number } | null {
  if (firstLoaded === null) return null;
  const from = Math.max(start, firstLoaded);
  return from > end ? null : { from, to: end };
}

function visitCategories(read: PackageDaysRead, visit: (day: number, category: string, downloads: number) => void): void {
  const { maxId, names } = read.categories;
  if (maxId < 0) return;
  for (const block of read.blocks) {
    visitPackageDays(block, read.from, read.to, maxId, (day, categoryId, downloads) => {
      const category = names[categoryId];
      if (category !== undefined) visit(day, category, downloads);
    });
  }
}

/** The points of the read, only those of the categories in `only` when it is given. */
export function seriesPoints(read: PackageDaysRead | null, only?: ReadonlySet<string>): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  if (!read) return points;
  // A day's categories come together: its date is written once.
  let lastDay = Number.NaN;
  let date = '';
  visitCategories(read, (day, category, downloads) => {
    if (only && !only.has(category)) return;
    if (day !== lastDay) date = dayFromNumber((lastDay = day));
    points.push({ category, day: date, downloads });
  });
  return points;
}

/** Each category's downloads summed over the days of the read, without a point per day. */
export function categoryTotals(read: PackageDaysRead | null): Map<string, number> {
  const totals = new Map<string, number>();
  if (!read) return totals;
  visitCategories(read, (_day, category, downloads) => totals.set(category, (totals.get(category) ?? 0) + downloads));
  return totals;
}

/**
 * Downloads over the 1, 7 and 30 days ending `latest`, from a read of the mirror split from latest - 29:
 * without mirrors, or with them when `mirrors`.
 */
export function recentDownloads(read: PackageDaysRead | null, latest: number, mirrors = false): RecentDownloads {
  const recent = { lastDay: 0, lastWeek: 0, lastMonth: 0 };
  if (!read) return recent;
  const counted = mirrorSplitCategory(mirrors);
  visitCategories(read, (day, category, downloads) => {
    if (category !== counted) return;
    recent.lastMonth += downloads;
    if (day > latest - 7) recent.lastWeek += downloads;
    if (day === latest) recent.lastDay += downloads;
  });
  return recent;
}

/** The first day of the 30 that recentDownloads sums. */
export const recentStart = (latest: number) => latest - 29;

/**
 * The days whose entries must go before `day` is written, as [day, last]; null when none: its
 * own, when it was loaded before; and when it comes before the first loaded day, those a purge
 * left behind in partly purged blocks between it and that first day.
 */
export function daysHiddenBy(day: number, firstLoaded: number | null, loaded: boolean): [number, number] | null {
  if (firstLoaded === null) return [day, LAST_DAY_NUMBER];
  if (day < firstLoaded) return [day, firstLoaded - 1];
  return loaded ? [day, day] : null;
}
