/**
 * What both stores do with a day's rows before writing them: gather them per package (a source
 * may send a package's categories in any order and any chunk), each row's category turned into
 * the id its table packs: the seed's dimensions a global id at once, the others kept as names until
 * the store has given the package's categories their per-package ids (see layout.ts).
 */
import type { AggregateRow } from '../domain/aggregates.js';
import { WITHOUT_MIRRORS } from '../domain/dimensions.js';
import { mirrorSplitDimension, storedDimension } from './layout.js';

export interface GatheredPackage {
  /** (category id, downloads) pairs, flat, for `package_blocks`. */
  seedPairs: number[];
  /** The rows of the other dimensions, in the order they came, for `package_breakdown_blocks`. */
  breakdown: BreakdownRow[];
}

export interface BreakdownRow {
  dimension: string;
  category: string;
  downloads: number;
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
      if (!gathered) packages.set(row.package, (gathered = { seedPairs: [], breakdown: [] }));
      if (!storedDimension(row.dimension).seed) {
        // The row itself, not a copy: a PyPI-sized day has millions of them.
        gathered.breakdown.push(row);
        continue;
      }
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

/** A row of `package_categories` of one package: (id, dimension, name). */
export type PackageCategory = readonly [id: number, dimension: string, name: string];

/**
 * A package's breakdown rows as (per-package category id, downloads) pairs, given the categories
 * the store already has for it: a new category is numbered after the package's highest id, in
 * order of first appearance, and handed to `added` for the store to insert. A row repeated in a
 * day gets the same id twice, which packing refuses.
 */
export function numberBreakdown(
  breakdown: readonly BreakdownRow[],
  known: Iterable<PackageCategory>,
  added: (id: number, row: BreakdownRow) => void,
): number[] {
  // By dimension, then name: no key string is built per row (a PyPI-sized day has millions).
  const ids = new Map<string, Map<string, number>>();
  const idsOf = (dimension: string): Map<string, number> => {
    let named = ids.get(dimension);
    if (!named) ids.set(dimension, (named = new Map()));
    return named;
  };
  let next = 0;
  for (const [id, dimension, name] of known) {
    idsOf(dimension).set(name, id);
    if (id >= next) next = id + 1;
  }
  const pairs: number[] = [];
  for (const row of breakdown) {
    const named = idsOf(row.dimension);
    let id = named.get(row.category);
    if (id === undefined) {
      named.set(row.category, (id = next++));
      added(id, row);
    }
    pairs.push(id, row.downloads);
  }
  return pairs;
}
