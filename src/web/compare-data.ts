/**
 * The data of the compare page: each package's downloads without mirrors per day, as one chart of
 * one series per package (drawn by the package page's chart code), and for each breakdown of
 * global scope each package's shares of the categories largest across them over the last 30 days.
 */
import { addDays, dayNumber, type Day } from '../domain/dates.js';
import { WITHOUT_MIRRORS, type Dimension } from '../domain/dimensions.js';
import type { Store } from '../store/types.js';
import type { PackageCharts } from './chart-data.js';
import { denseSeries } from './chart-data.js';
import { categoryStyle, paletteColour } from './category-style.js';

/** The most packages one page compares: ten lines on one chart are as many as a reader tells apart. */
export const MAX_COMPARED = 10;
/** Categories per breakdown table: the largest few say who moved first; the rest are the API's. */
export const SHARE_ROWS = 6;
/** The days the shares are summed over, ending at the latest day: a month evens out the weekdays. */
export const SHARE_DAYS = 30;

export const COMPARE_CHART = 'compare';

/** `overall`: the registry's dimension that splits mirrors, whose `without_mirrors` each series is. */
export async function compareChart(store: Store, names: readonly string[], overall: Dimension, start: Day, end: Day): Promise<PackageCharts> {
  const downloads = await Promise.all(
    names.map(async (name, i) => {
      const points = await store.series(name, overall.name, { start, end }, new Set([WITHOUT_MIRRORS]));
      const [series] = denseSeries(overall, points, start, end);
      const values = series?.values ?? new Array<number>(dayNumber(end) - dayNumber(start) + 1).fill(0);
      return { category: name, label: name, colour: paletteColour(i), dashed: false, values };
    }),
  );
  // Days only: the packages are compared over the days kept, where every one of them has its days.
  return {
    start,
    end,
    charts: [{ name: COMPARE_CHART, title: 'Downloads', description: 'Daily downloads without mirrors of each package.', downloads, shareParts: null, unfolded: true }],
    months: null,
  };
}

export interface ShareTable {
  dimension: Dimension;
  /** The categories shown, largest first (by their mean share across the packages). */
  categories: { category: string; label: string }[];
  /** Per package, in the page's order: its share (0–100) of each category shown, or null when it had no downloads. */
  shares: (number | null)[][];
}

export async function shareTables(store: Store, names: readonly string[], dimensions: readonly Dimension[], latest: Day): Promise<ShareTable[]> {
  const range = { start: addDays(latest, -(SHARE_DAYS - 1)), end: latest };
  return Promise.all(
    dimensions.map(async (dimension) => {
      const totals = await Promise.all(names.map((name) => store.categoryTotals(name, dimension.name, range)));
      const sums = totals.map((byCategory) => [...byCategory.values()].reduce((a, b) => a + b, 0));
      const meanShare = new Map<string, number>();
      totals.forEach((byCategory, i) => {
        for (const [category, downloads] of byCategory) meanShare.set(category, (meanShare.get(category) ?? 0) + downloads / sums[i]! / names.length);
      });
      const shown = [...meanShare]
        .sort(([a, shareA], [b, shareB]) => shareB - shareA || dimension.compareCategories(a, b))
        .slice(0, SHARE_ROWS)
        .map(([category]) => category);
      return {
        dimension,
        categories: shown.map((category) => ({ category, label: categoryStyle(dimension.name, category).label })),
        shares: totals.map((byCategory, i) => shown.map((category) => (sums[i]! > 0 ? (100 * (byCategory.get(category) ?? 0)) / sums[i]! : null))),
      };
    }),
  );
}
