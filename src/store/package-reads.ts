/**
 * `series`, `categoryTotals` and `recent` for both stores, over what each store reads: a package's
 * blocks of one table (see layout.ts) and the categories that name their ids. The global seed
 * categories are indexed once per process and reloaded when their highest id grows; a package's
 * own categories (the other dimensions) are read when a breakdown of the package is, and kept per
 * package and data version, boundedly.
 */
import { dayNumber, type Day } from '../domain/dates.js';
import { CategoryIndex, categoriesByDimension, categoriesOf, type CategoryRow, type DimensionCategories } from './category-index.js';
import { mirrorSplitDimension, storedDimension, tableOf, type BlockTable } from './layout.js';
import {
  categoryTotals,
  daysToRead,
  FIRST_DAY_NUMBER,
  LAST_DAY_NUMBER,
  recentDownloads,
  recentStart,
  seriesPoints,
  type PackageDaysRead,
} from './package-days-read.js';
import { unpackDownloads } from './packed-downloads.js';
import type { AllTimeTotals, MonthRange, RecentDownloads, SeriesPoint, SeriesRange } from './types.js';
import { monthFromNumber, monthNumber } from '../domain/months.js';
import { WITH_MIRRORS, WITHOUT_MIRRORS } from '../domain/dimensions.js';

export interface BlocksRead {
  packageId: number;
  /** The first loaded day; null when none is. */
  firstLoaded: number | null;
  /** The highest id of `categories` (the seed's): higher than the index knows means a load added some. */
  maxSeedCategoryId: number | null;
  /** The store's data version as of this read: a package's categories cached under another are read again. */
  dataVersion: string;
  blocks: readonly Uint8Array[];
}

/** A package's month rows of one table (every source: a reader sums them), the month ascending or not. */
export interface MonthsRead extends Omit<BlocksRead, 'blocks' | 'firstLoaded'> {
  months: readonly { month: number; packed: Uint8Array }[];
}

/** What a store reads for the shared reader. */
export interface BlockSource {
  /** The package's month rows of `table` from month `start` to `end`; null for a package the store never saw. */
  readMonths(name: string, table: BlockTable, start: number, end: number): Promise<MonthsRead | null>;
  /** The package's blocks of `table` holding days `start` to `end` (whole blocks); null for a package the store never saw. */
  readBlocks(name: string, table: BlockTable, start: number, end: number): Promise<BlocksRead | null>;
  /** Every row of `categories`. */
  seedCategories(): Promise<CategoryRow[]>;
  /** Every row of `package_categories` of the package. */
  packageCategories(packageId: number): Promise<CategoryRow[]>;
}

/**
 * How many category names the per-package cache keeps in all: the most popular packages' (a few
 * thousand each) many times over, a few tens of MB at most.
 */
const CACHED_PACKAGE_CATEGORIES = 200_000;

/** The month numbers of every int32 day number: a range of months without a start or an end. */
export const FIRST_MONTH_NUMBER = -(2 ** 25);
export const LAST_MONTH_NUMBER = 2 ** 25 - 1;

interface CachedPackageCategories {
  dataVersion: string;
  size: number;
  byDimension: Map<string, DimensionCategories>;
}

export class PackageReads {
  private readonly seedCategories = new CategoryIndex();
  /** By package id, least recently used first (a Map keeps insertion order). */
  private readonly packageCategories = new Map<number, CachedPackageCategories>();
  private cachedCategoryCount = 0;

  constructor(private readonly source: BlockSource) {}

  async series(name: string, dimension: string, range: SeriesRange, only?: ReadonlySet<string>): Promise<SeriesPoint[]> {
    return seriesPoints(await this.readRange(name, dimension, range), only);
  }

  async categoryTotals(name: string, dimension: string, range: SeriesRange): Promise<Map<string, number>> {
    return categoryTotals(await this.readRange(name, dimension, range));
  }

  async recent(name: string, latestDay: Day, options: { mirrors?: boolean } = {}): Promise<RecentDownloads> {
    const latest = dayNumber(latestDay);
    return recentDownloads(await this.readDays(name, mirrorSplitDimension.name, recentStart(latest), latest), latest, options.mirrors);
  }

  /** A series by month: each point's `day` is the month, `YYYY-MM`. */
  async monthSeries(name: string, dimension: string, range: MonthRange, only?: ReadonlySet<string>): Promise<SeriesPoint[]> {
    const points: SeriesPoint[] = [];
    for (const [month, sums] of await this.readMonthSums(name, dimension, range)) {
      const date = monthFromNumber(month);
      for (const [category, downloads] of sums) if (!only || only.has(category)) points.push({ category, day: date, downloads });
    }
    return points;
  }

  async monthCategoryTotals(name: string, dimension: string, range: MonthRange): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    for (const sums of (await this.readMonthSums(name, dimension, range)).values()) {
      for (const [category, downloads] of sums) totals.set(category, (totals.get(category) ?? 0) + downloads);
    }
    return totals;
  }

  /** Every month held summed: null when the package has none. */
  async allTimeTotals(name: string): Promise<AllTimeTotals | null> {
    const months = await this.readMonthSums(name, mirrorSplitDimension.name, {});
    let first: number | null = null;
    const totals = { withMirrors: 0, withoutMirrors: 0 };
    for (const [month, sums] of months) {
      const withMirrors = sums.get(WITH_MIRRORS) ?? 0;
      if (withMirrors > 0 && (first === null || month < first)) first = month;
      totals.withMirrors += withMirrors;
      totals.withoutMirrors += sums.get(WITHOUT_MIRRORS) ?? 0;
    }
    return first === null ? null : { firstMonth: monthFromNumber(first), ...totals };
  }

  /** Per month (any order), the dimension's categories summed over the month's sources. */
  private async readMonthSums(name: string, dimensionName: string, range: MonthRange): Promise<Map<number, Map<string, number>>> {
    const dimension = storedDimension(dimensionName);
    const table = tableOf(dimension);
    const start = range.start ? monthNumber(range.start) : FIRST_MONTH_NUMBER;
    const end = range.end ? monthNumber(range.end) : LAST_MONTH_NUMBER;
    const byMonth = new Map<number, Map<string, number>>();
    const read = await this.source.readMonths(name, table, start, end);
    if (!read || read.months.length === 0) return byMonth;
    const categories = await this.categoriesFor(table, dimension.name, read);
    const { maxId, names } = categories;
    if (maxId < 0) return byMonth;
    for (const { month, packed } of read.months) {
      let sums = byMonth.get(month);
      unpackDownloads(packed, (categoryId, downloads) => {
        const category = names[categoryId];
        if (category === undefined) return;
        if (!sums) byMonth.set(month, (sums = new Map()));
        sums.set(category, (sums.get(category) ?? 0) + downloads);
      }, maxId);
    }
    return byMonth;
  }

  /** The names of a read's category ids: the seed's global index (reloaded when the read saw higher ids), or the package's own. */
  private async categoriesFor(
    table: BlockTable,
    dimension: string,
    read: { packageId: number; maxSeedCategoryId: number | null; dataVersion: string },
  ): Promise<DimensionCategories> {
    if (table === 'seed') {
      if (this.seedCategories.isBehind(read.maxSeedCategoryId)) this.seedCategories.load(await this.source.seedCategories());
      return this.seedCategories.of(dimension);
    }
    return categoriesOf(await this.categoriesOfPackage(read.packageId, read.dataVersion), dimension);
  }

  private readRange(name: string, dimension: string, range: SeriesRange): Promise<PackageDaysRead | null> {
    const start = range.start ? dayNumber(range.start) : FIRST_DAY_NUMBER;
    const end = range.end ? dayNumber(range.end) : LAST_DAY_NUMBER;
    return this.readDays(name, dimension, start, end);
  }

  private async readDays(name: string, dimensionName: string, start: number, end: number): Promise<PackageDaysRead | null> {
    const dimension = storedDimension(dimensionName);
    const table = tableOf(dimension);
    const read = await this.source.readBlocks(name, table, start, end);
    if (!read) return null;
    const days = daysToRead(start, end, read.firstLoaded);
    if (!days || read.blocks.length === 0) return null;
    const categories = await this.categoriesFor(table, dimension.name, read);
    return { blocks: read.blocks, ...days, categories };
  }

  private async categoriesOfPackage(packageId: number, dataVersion: string): Promise<Map<string, DimensionCategories>> {
    const cached = this.packageCategories.get(packageId);
    if (cached) {
      this.packageCategories.delete(packageId);
      this.cachedCategoryCount -= cached.size;
      // Ids are stable, so a cached package is stale only if a load since added to it: read again.
      if (cached.dataVersion === dataVersion) {
        this.remember(packageId, cached);
        return cached.byDimension;
      }
    }
    const rows = await this.source.packageCategories(packageId);
    const fresh = { dataVersion, size: rows.length, byDimension: categoriesByDimension(rows) };
    this.remember(packageId, fresh);
    return fresh.byDimension;
  }

  private remember(packageId: number, entry: CachedPackageCategories): void {
    this.packageCategories.set(packageId, entry);
    this.cachedCategoryCount += entry.size;
    for (const [id, oldest] of this.packageCategories) {
      if (this.cachedCategoryCount <= CACHED_PACKAGE_CATEGORIES || id === packageId) break;
      this.packageCategories.delete(id);
      this.cachedCategoryCount -= oldest.size;
    }
  }
}
