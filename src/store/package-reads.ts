/**
 * `series`, `categoryTotals` and `recent` for both stores, over what each store reads: a package's
 * blocks and the categories that name their ids, indexed once per process and reloaded when their
 * highest id grows.
 */
import { dayNumber, type Day } from '../domain/dates.js';
import { CategoryIndex, type CategoryRow } from './category-index.js';
import { mirrorSplitDimension, type BlockTable } from './layout.js';
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
import type { RecentDownloads, SeriesPoint, SeriesRange } from './types.js';

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

/** What a store reads for the shared reader. */
export interface BlockSource {
  /** The package's blocks of `table` holding days `start` to `end` (whole blocks); null for a package the store never saw. */
  readBlocks(name: string, table: BlockTable, start: number, end: number): Promise<BlocksRead | null>;
  /** Every row of `categories`. */
  seedCategories(): Promise<CategoryRow[]>;
}

export class PackageReads {
  private readonly seedCategories = new CategoryIndex();

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

  private readRange(name: string, dimension: string, range: SeriesRange): Promise<PackageDaysRead | null> {
    const start = range.start ? dayNumber(range.start) : FIRST_DAY_NUMBER;
    const end = range.end ? dayNumber(range.end) : LAST_DAY_NUMBER;
    return this.readDays(name, dimension, start, end);
  }

  private async readDays(name: string, dimensionName: string, start: number, end: number): Promise<PackageDaysRead | null> {
    const read = await this.source.readBlocks(name, 'seed', start, end);
    if (!read) return null;
    const days = daysToRead(start, end, read.firstLoaded);
    if (!days || read.blocks.length === 0) return null;
    if (this.seedCategories.isBehind(read.maxSeedCategoryId)) this.seedCategories.load(await this.source.seedCategories());
    return { blocks: read.blocks, ...days, categories: this.seedCategories.of(dimensionName) };
  }
}
