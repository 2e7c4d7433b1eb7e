import type { AggregateRow } from '../../src/domain/aggregates.js';

/** Aggregate rows as a source streams them, in chunks. */
export async function* chunks(rows: AggregateRow[], size = 2): AsyncGenerator<AggregateRow[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

export function row(pkg: string, dimension: string, category: string, downloads: number): AggregateRow {
  return { package: pkg, dimension, category, downloads };
}
