/**
 * What both stores do with a day's rows before writing them: gather them per package (a source
 * may send a package's categories in any order and any chunk), each row's category turned into
 * the id its table packs.
 */
import type { AggregateRow } from '../domain/aggregates.js';
import { WITHOUT_MIRRORS } from '../domain/dimensions.js';
import { mirrorSplitDimension } from './layout.js';

export interface GatheredPackage {
  /** (category id, downloads) pairs, flat, for `package_blocks`. */
  seedPairs: number[];
}

export interface GatheredDay {
  packages: Map<string, GatheredPackage>;
  rows: number;
}

/** A store's global category ids (`categories`), added when new; a promise only when it must ask the database. */
export type SeedCategoryId = (dimension: string, name: string) => number | Promise<number>;

export async function gatherDay(rows: AsyncIterable<AggregateRow[]>, seedCategoryId: SeedCategoryId): Promise<GatheredDay> {
  const packages = new Map<string, GatheredPackage>();
  let count = 0;
  for await (const chunk of rows) {
    for (const row of chunk) {
      let gathered = packages.get(row.package);
      if (!gathered) packages.set(row.package, (gathered = { seedPairs: [] }));
      const id = seedCategoryId(row.dimension, row.category);
      // Awaited only when the store had to ask: a day has millions of rows.
      gathered.seedPairs.push(typeof id === 'number' ? id : await id, row.downloads);
    }
    count += chunk.length;
  }
  return { packages, rows: count };
}

/** The id of the category `package_days` and the top packages count: downloads without mirrors. */
export function withoutMirrorsCategory(seedCategoryId: SeedCategoryId): number | Promise<number> {
  return seedCategoryId(mirrorSplitDimension.name, WITHOUT_MIRRORS);
}

/** A package's downloads without mirrors on the day, from its seed pairs (0 when it has none). */
export function downloadsWithoutMirrors(seedPairs: readonly number[], withoutMirrorsId: number): number {
  for (let i = 0; i < seedPairs.length; i += 2) if (seedPairs[i] === withoutMirrorsId) return seedPairs[i + 1]!;
  return 0;
}
