/** A package's downloads over all time, as a badge's `period=total` shows them. */
import { WITH_MIRRORS, WITHOUT_MIRRORS } from '../../domain/dimensions.js';
import type { Store } from '../../store/types.js';

/**
 * Every download of `name` the store holds: today the sum of every day held (the days within the
 * retention window). The one place `period=total` reads, so it can become the sum of the months
 * kept forever when the store keeps them.
 */
export async function allTimeDownloads(store: Store, name: string, options: { mirrors: boolean }): Promise<number> {
  const totals = await store.categoryTotals(name, 'overall', {});
  return totals.get(options.mirrors ? WITH_MIRRORS : WITHOUT_MIRRORS) ?? 0;
}
