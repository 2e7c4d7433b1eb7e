/**
 * The store's categories, as a reader of packed days needs them: per dimension, the name of each
 * of its category ids (an array indexed by id) and its highest id. Ids only grow (a category,
 * once added, stays), so a store that sees a higher id than the index knows reloads it, and a
 * reader can stop decoding a day's blob past the dimension's highest id (blobs list ids ascending).
 *
 * The index holds the global categories of the seed's dimensions (`categories`), which grow only
 * with a new Python minor or the like; the other dimensions' ids are per package
 * (`package_categories`, see layout.ts), indexed per package by categoriesByDimension.
 */
export interface CategoryRow {
  id: number;
  dimension: string;
  name: string;
}

export interface DimensionCategories {
  /** The highest id of the dimension's categories; -1 when it has none. */
  maxId: number;
  /** The category's name by id; undefined for ids of other dimensions. */
  names: (string | undefined)[];
}

const NONE: DimensionCategories = { maxId: -1, names: [] };

export class CategoryIndex {
  private maxId = -1;
  private byDimension = new Map<string, DimensionCategories>();

  /** Whether the store's highest category id is one the index has not loaded. */
  isBehind(storeMaxId: number | null): boolean {
    return (storeMaxId ?? -1) > this.maxId;
  }

  load(rows: readonly CategoryRow[]): void {
    this.byDimension = categoriesByDimension(rows);
    let maxId = -1;
    for (const row of rows) maxId = Math.max(maxId, row.id);
    this.maxId = maxId;
  }

  of(dimension: string): DimensionCategories {
    return categoriesOf(this.byDimension, dimension);
  }
}

/** Categories (of the whole store, or of one package) per dimension. */
export function categoriesByDimension(rows: readonly CategoryRow[]): Map<string, DimensionCategories> {
  const byDimension = new Map<string, DimensionCategories>();
  for (const row of rows) {
    let dimension = byDimension.get(row.dimension);
    if (!dimension) byDimension.set(row.dimension, (dimension = { maxId: -1, names: [] }));
    dimension.names[row.id] = row.name;
    dimension.maxId = Math.max(dimension.maxId, row.id);
  }
  return byDimension;
}

export function categoriesOf(byDimension: ReadonlyMap<string, DimensionCategories>, dimension: string): DimensionCategories {
  return byDimension.get(dimension) ?? NONE;
}
