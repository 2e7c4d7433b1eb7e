/**
 * Where the store keeps each dimension, decided by the registry alone (no dimension is named here):
 *
 * - the seed's dimensions (`seed`) in `package_blocks`, with global category ids from `categories`,
 *   so that `/overall`, `/recent` and the other seed reads decode nothing else;
 * - every other dimension in `package_breakdown_blocks`, with per-package category ids from
 *   `package_categories`: a package's versions are its own, and a global table of them would grow
 *   with every release on PyPI.
 *
 * Both tables have the same keys and entries (see packed-downloads.ts). What the stores need of
 * the registry is found here by what a dimension is, never by its name.
 */
import { dimensionNamed, dimensions, WITH_MIRRORS, WITHOUT_MIRRORS, type Dimension } from '../domain/dimensions.js';

export type BlockTable = 'seed' | 'breakdown';

export function tableOf(dimension: Dimension): BlockTable {
  return dimension.seed ? 'seed' : 'breakdown';
}

/** The dimension named by a row or a read; an unknown name is an error, not data to keep. */
export function storedDimension(name: string): Dimension {
  return dimensionNamed(name);
}

/** The dimension whose categories are downloads with and without mirrors: what `/recent` and the top packages count. */
export const mirrorSplitDimension: Dimension = (() => {
  const found = dimensions.filter((dimension) => dimension.categories.kind === 'mirror_split');
  if (found.length !== 1 || !found[0]!.seed) throw new Error('the registry must have exactly one seed dimension that splits mirrors');
  return found[0]!;
})();

/** The category of the mirror split that `/recent` counts: without mirrors, or with them when `mirrors`. */
export function mirrorSplitCategory(mirrors: boolean): string {
  return mirrors ? WITH_MIRRORS : WITHOUT_MIRRORS;
}
