import { expect } from 'vitest';
import type { AggregateRow } from '../../src/domain/aggregates.js';
import type { DayAggregation } from '../../src/sources/types.js';

/** Aggregate rows as a source streams them, in chunks. */
export async function* chunks(rows: AggregateRow[], size = 2): AsyncGenerator<AggregateRow[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

export function row(pkg: string, dimension: string, category: string, downloads: number): AggregateRow {
  return { package: pkg, dimension, category, downloads };
}

/** Every row of a source's day, its chunks joined. */
export async function collectRows(aggregation: DayAggregation): Promise<AggregateRow[]> {
  const rows: AggregateRow[] = [];
  for await (const chunk of aggregation.rows) rows.push(...chunk);
  return rows;
}

/** `package/dimension/category` → downloads, for exact comparisons; a key given twice fails the test. */
export function rowTable(rows: AggregateRow[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const row of rows) {
    const key = `${row.package}/${row.dimension}/${row.category}`;
    expect(result[key], `${key} appears once`).toBeUndefined();
    result[key] = row.downloads;
  }
  return result;
}
