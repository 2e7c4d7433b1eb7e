/** A package's downloads over all time, as a badge's `period=total` shows them. */
import type { Store } from '../../store/types.js';

/**
 * Every download of `name` the store holds, over every month kept (forever: beyond the days'
 * retention, and a history backfill's months before the first daily load); 0 when it has none.
 */
export async function allTimeDownloads(store: Store, name: string, options: { mirrors: boolean }): Promise<number> {
  const totals = await store.allTimeTotals(name);
  if (totals === null) return 0;
  return options.mirrors ? totals.withMirrors : totals.withoutMirrors;
}
