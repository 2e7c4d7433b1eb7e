/**
 * The data of a package page's charts, one chart per dimension of the registry, as compact JSON
 * embedded in the page: every series is a dense array with one value per day of the span (zeros
 * where the store has no row), categories in the registry's order, styled by category-style.ts.
 */
import { dayNumber, type Day } from '../domain/dates.js';
import { seedDimensions as dimensions, WITH_MIRRORS, WITHOUT_MIRRORS, type Dimension } from '../domain/dimensions.js';
import type { SeriesPoint, Store } from '../store/types.js';
import { categoryStyle, MIRRORS_ONLY } from './category-style.js';

export interface ChartSeries {
  category: string;
  label: string;
  colour: string;
  dashed: boolean;
  /** Downloads on each day of the span, first day first. */
  values: number[];
}

export interface Chart {
  /** The dimension's name. */
  name: string;
  title: string;
  description: string;
  downloads: ChartSeries[];
  /** The parts whose sum is each day's whole, for shares (%): the downloads themselves when null. */
  shareParts: ChartSeries[] | null;
}

export interface PackageCharts {
  /** The first and last day of every series. */
  start: Day;
  end: Day;
  charts: Chart[];
}

function styled(category: string, values: number[]): ChartSeries {
  const { label, colour, dashed } = categoryStyle(category);
  return { category, label, colour, dashed, values };
}

/** Dense series, one per category present in the span, in the dimension's order. */
export function denseSeries(dimension: Dimension, points: readonly SeriesPoint[], start: Day, end: Day): ChartSeries[] {
  const first = dayNumber(start);
  const length = dayNumber(end) - first + 1;
  const byCategory = new Map<string, number[]>();
  for (const point of points) {
    const index = dayNumber(point.day) - first;
    if (index < 0 || index >= length) continue;
    let values = byCategory.get(point.category);
    if (!values) byCategory.set(point.category, (values = new Array<number>(length).fill(0)));
    values[index]! += point.downloads;
  }
  return [...byCategory.keys()].sort(dimension.compareCategories).map((category) => styled(category, byCategory.get(category)!));
}

/**
 * Mirrors are not a share of anything by themselves: `with_mirrors` is the whole, made of the
 * downloads without mirrors and the mirrors' own. Other dimensions' categories are the parts.
 */
function shareParts(dimension: Dimension, downloads: ChartSeries[]): ChartSeries[] | null {
  if (dimension.categories.kind !== 'mirror_split') return null;
  const all = downloads.find((s) => s.category === WITH_MIRRORS)?.values;
  const without = downloads.find((s) => s.category === WITHOUT_MIRRORS)?.values;
  if (!all) return [];
  const withoutValues = without ?? all.map(() => 0);
  return [styled(WITHOUT_MIRRORS, withoutValues), styled(MIRRORS_ONLY, all.map((total, i) => total - withoutValues[i]!))];
}

export async function packageCharts(store: Store, name: string, start: Day, end: Day): Promise<PackageCharts> {
  const charts = await Promise.all(
    dimensions.map(async (dimension): Promise<Chart> => {
      const points = await store.series(name, dimension.name, { start, end });
      const downloads = denseSeries(dimension, points, start, end);
      return {
        name: dimension.name,
        title: dimension.title,
        description: dimension.description,
        downloads,
        shareParts: shareParts(dimension, downloads),
      };
    }),
  );
  return { start, end, charts };
}
