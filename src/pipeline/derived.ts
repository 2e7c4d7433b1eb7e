/** Derived aggregates, computed from a day's rows as they stream to the store. */
import { dimensionNamed } from '../domain/dimensions.js';
import { ALL_PACKAGES } from '../domain/names.js';
import type { AggregateRow } from '../domain/aggregates.js';

/**
 * Passes the day's rows through, then adds `__all__`: for every (dimension, category) of a
 * dimension of global scope, the sum over all packages. A per-package dimension (versions) has no
 * `__all__`: a version summed across packages means nothing, and it would hold every release on
 * PyPI. Written in the same transaction as the rows, so it can never disagree. A row of a
 * dimension the registry does not know is an error.
 */
export async function* withAllPackagesTotals(rows: AsyncIterable<AggregateRow[]>): AsyncGenerator<AggregateRow[]> {
  const totals = new Map<string, AggregateRow>();
  const summed = new Map<string, boolean>();
  for await (const chunk of rows) {
    for (const row of chunk) {
      if (row.package === ALL_PACKAGES) throw new Error(`a source produced rows for the reserved name ${ALL_PACKAGES}`);
      let sums = summed.get(row.dimension);
      if (sums === undefined) {
        // dimensionNamed throws for an unknown name.
        summed.set(row.dimension, (sums = dimensionNamed(row.dimension).scope === 'global'));
      }
      if (!sums) continue;
      const key = `${row.dimension}\u0000${row.category}`;
      const total = totals.get(key);
      if (total) total.downloads += row.downloads;
      else totals.set(key, { package: ALL_PACKAGES, dimension: row.dimension, category: row.category, downloads: row.downloads });
    }
    yield chunk;
  }
  if (totals.size > 0) yield [...totals.values()];
}
