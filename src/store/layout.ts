/**
 * What the stores need of the registry, found by what a dimension is, never by its name.
 */
import { dimensions, WITH_MIRRORS, WITHOUT_MIRRORS, type Dimension } from '../domain/dimensions.js';

/** The tables of blocks of days: `package_blocks`. */
export type BlockTable = 'seed';

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
