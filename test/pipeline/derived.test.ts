import { describe, expect, it } from 'vitest';
import type { AggregateRow } from '../../src/domain/aggregates.js';
import { dimensions } from '../../src/domain/dimensions.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { chunks, row } from '../support/rows.js';

async function collect(rows: AsyncIterable<AggregateRow[]>): Promise<AggregateRow[][]> {
  const out: AggregateRow[][] = [];
  for await (const chunk of rows) out.push(chunk);
  return out;
}

describe('__all__', () => {
  it('sums every dimension of global scope over packages, and none of package scope', async () => {
    const rows: AggregateRow[] = [];
    for (const dimension of dimensions) {
      rows.push(row('a', dimension.name, 'shared', 2), row('b', dimension.name, 'shared', 3), row('b', dimension.name, `only-b`, 5));
    }
    const chunked = await collect(withAllPackagesTotals(chunks(rows, 4)));
    // The rows pass through as they came, then __all__ in one chunk.
    expect(chunked.slice(0, -1).flat()).toEqual(rows);
    const all = chunked.at(-1)!;
    const expected = dimensions
      .filter((dimension) => dimension.scope === 'global')
      .flatMap((dimension) => [row('__all__', dimension.name, 'shared', 5), row('__all__', dimension.name, 'only-b', 5)]);
    expect(all).toEqual(expected);
    expect(all.some((r) => r.dimension === 'version')).toBe(false);
    expect(dimensions.filter((dimension) => dimension.scope === 'package').map((d) => d.name)).toEqual(['version']);
  });

  it('adds nothing for a day of versions only', async () => {
    const chunked = await collect(withAllPackagesTotals(chunks([row('a', 'version', '1.0', 1)])));
    expect(chunked).toEqual([[row('a', 'version', '1.0', 1)]]);
  });

  it('refuses a row of a dimension the registry does not know, and rows for __all__ itself', async () => {
    await expect(collect(withAllPackagesTotals(chunks([row('a', 'overall', 'with_mirrors', 1), row('a', 'colour', 'blue', 1)])))).rejects.toThrow(
      'unknown dimension "colour"',
    );
    await expect(collect(withAllPackagesTotals(chunks([row('__all__', 'overall', 'with_mirrors', 1)])))).rejects.toThrow('reserved name __all__');
  });
});
