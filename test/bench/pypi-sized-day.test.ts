/**
 * The benchmark's PyPI-sized day with every breakdown: each breakdown sums to the package's
 * without_mirrors, and its categories per package follow PERFORMANCE.md's anchors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AggregateRow } from '../../src/domain/aggregates.js';
import { BREAKDOWN_ANCHORS, BREAKDOWN_NAMES, MEDIAN_RANK } from '../../bench/pypi-breakdowns.js';
import { pypiSizedDay, type PypiDayOptions } from '../../bench/pypi-sized-day.js';

/** The store benchmark's day: 300,000 packages, Zipf popularity from the top package's downloads. */
const OPTIONS: PypiDayOptions = { packages: 300_000, topDownloads: 20_000_000, breakdowns: true };
/**
 * The anchors' ranks and the ranks around each one the test reads; categories at an anchor are
 * within 10 % of the anchor's, or 1 category for the small counts (a count is whole).
 */
const WATCHED = new Set([1, 2, 10, 100, 999, 1000, 1001, 10_000, MEDIAN_RANK - 1, MEDIAN_RANK, MEDIAN_RANK + 1, 300_000]);
const closeTo = (actual: number, anchor: number) => Math.abs(actual - anchor) <= Math.max(1, 0.1 * anchor);

/** Categories per dimension of the watched ranks' packages. */
const categoriesOf = new Map<number, Map<string, Set<string>>>();
const countries = new Set<string>();
let packagesSeen = 0;
let totalRows = 0;
/** Packages and dimensions whose breakdown does not sum to without_mirrors (the first few). */
const mismatches: { name: string; dimension: string; sum: number | undefined; without: number }[] = [];
let mismatchCount = 0;
let nonPositive = 0;
const seedRows: AggregateRow[] = [];

/** Reads a day as it streams (a package's rows come together), keeping only what the tests read. */
async function collect(options: PypiDayOptions): Promise<void> {
  let current = '';
  let watched = false;
  let rank = 0;
  let without = 0;
  let sums = new Map<string, number>();
  const check = () => {
    if (current === '') return;
    packagesSeen++;
    for (const dimension of BREAKDOWN_NAMES) {
      if (sums.get(dimension) === without) continue;
      mismatchCount++;
      if (mismatches.length < 5) mismatches.push({ name: current, dimension, sum: sums.get(dimension), without });
    }
  };
  for await (const chunk of pypiSizedDay(3, options)) {
    for (const row of chunk) {
      totalRows++;
      if (row.downloads <= 0) nonPositive++;
      if (row.package !== current) {
        check();
        current = row.package;
        rank = Number(current.slice('package-'.length));
        watched = WATCHED.has(rank);
        sums = new Map();
      }
      if (row.dimension === 'overall') {
        if (row.category === 'without_mirrors') without = row.downloads;
        continue;
      }
      sums.set(row.dimension, (sums.get(row.dimension) ?? 0) + row.downloads);
      if (row.dimension === 'country') countries.add(row.category);
      if (!watched) continue;
      if (!BREAKDOWN_NAMES.includes(row.dimension as never)) seedRows.push(row);
      const byDimension = categoriesOf.get(rank) ?? new Map<string, Set<string>>();
      byDimension.set(row.dimension, (byDimension.get(row.dimension) ?? new Set()).add(row.category));
      categoriesOf.set(rank, byDimension);
    }
  }
  check();
}

const categories = (rank: number, dimension: string) => categoriesOf.get(rank)!.get(dimension)!;

beforeAll(async () => {
  await collect(OPTIONS);
}, 120_000);

describe('the PyPI-sized day with every breakdown', () => {
  it('has every one of the nine breakdowns summing to without_mirrors, for every package, with no empty row', () => {
    expect(packagesSeen).toBe(OPTIONS.packages);
    expect(mismatches).toEqual([]);
    expect(mismatchCount).toBe(0);
    expect(nonPositive).toBe(0);
  });

  it('has the anchors\' categories at the top, at rank 1,000 and at the median rank', () => {
    for (const [rank, anchorIndex] of [[1, 0], [1000, 1], [MEDIAN_RANK, 2]] as const) {
      for (const dimension of BREAKDOWN_NAMES) {
        const anchor = BREAKDOWN_ANCHORS[dimension][anchorIndex];
        const actual = categories(rank, dimension).size;
        expect({ rank, dimension, close: closeTo(actual, anchor), actual }).toEqual({ rank, dimension, close: true, actual });
      }
    }
  });

  it('has fewer categories down the ranks, one of each for the least popular package', () => {
    const ranks = [1, 10, 100, 1000, 10_000, MEDIAN_RANK, 300_000];
    for (const dimension of BREAKDOWN_NAMES) {
      const counts = ranks.map((rank) => categories(rank, dimension).size);
      for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeLessThanOrEqual(counts[i - 1]!);
      expect(counts.at(-1)).toBe(1);
    }
  });

  it('has 10 to 15 million category rows in all, as PERFORMANCE.md expects', () => {
    expect(totalRows).toBeGreaterThan(10_000_000);
    expect(totalRows).toBeLessThan(15_000_000);
  });

  it('keeps versions per package and global categories shared: countries are codes, at most ~250 of them', () => {
    expect(countries.size).toBeGreaterThan(200);
    expect(countries.size).toBeLessThanOrEqual(250);
    for (const country of countries) expect(country).toMatch(/^([A-Z]{2}|null)$/);
    const top = categories(1, 'version');
    const other = categories(2, 'version');
    expect([...top].every((version) => /^\d+\.\d+\.\d+$/.test(version))).toBe(true);
    expect(other.size).toBeGreaterThan(1000);
  });

  it('emits the same rows of the seed\'s four breakdowns with or without the nine', async () => {
    const withBreakdowns = [...seedRows];
    seedRows.length = 0;
    const rowsWith = totalRows;
    totalRows = 0;
    await collect({ ...OPTIONS, breakdowns: false });
    expect(seedRows).toEqual(withBreakdowns);
    expect(totalRows).toBeLessThan(rowsWith / 2);
  }, 120_000);
});
