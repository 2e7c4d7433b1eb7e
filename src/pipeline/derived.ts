/** Derived aggregates, computed from a day's rows as they stream to the store. */
import { ALL_PACKAGES } from '../domain/names.js';
import type { AggregateRow } from '../domain/aggregates.js';

/**
 * Passes the day's rows through, then adds `__all__`: for every (dimension, category), the sum
 * over all packages. Written in the same transaction as the rows, so it can never disagree.
 */
export async function* withAllPackagesTotals(rows: AsyncIterable<AggregateRow[]>): AsyncGenerator<AggregateRow[]> {
  const totals = new Map<string, AggregateRow>();
  for await (const chunk of rows) {
    for (const row of chunk) {
      if (row.package === ALL_PACKAGES) throw new Error(`a source produced rows for the reserved name ${ALL_PACKAGES}`);
      const key = `${row.dimension}\u0000${row.category}`;
      const total = totals.get(key);
      if (total) total.downloads += row.downloads;
      else totals.set(key, { package: ALL_PACKAGES, dimension: row.dimension, category: row.category, downloads: row.downloads });
    }
    yield chunk;
  }
  if (totals.size > 0) yield [...totals.values()];
}
