/**
 * The data of a package page's charts. The seed's four are embedded in the page as compact JSON:
 * every series is a dense array with one value per day of the span (zeros where the store has no
 * row), categories in the registry's order, styled by category-style.ts. Every other breakdown is
 * fetched by the page when its section comes into view (breakdownData): a popular package logs a
 * thousand versions a day, so it sends only the categories that can be among the largest of some
 * range the page shows, each day's whole (the rest are "others" to the page), and a table row per
 * category with its recent downloads and its sum over each range.
 */
import { major, minor, valid as validPep440 } from '@renovatebot/pep440';
import { dayNumber, type Day } from '../domain/dates.js';
import { monthNumber, type Month } from '../domain/months.js';
import { comparePackageVersions, NULL_CATEGORY, seedDimensions, WITH_MIRRORS, WITHOUT_MIRRORS, type Dimension } from '../domain/dimensions.js';
import type { SeriesPoint, Store } from '../store/types.js';
import { categoryStyle, MIRRORS_ONLY } from './category-style.js';
import { DAY_LOOKBACKS, lookbackDays, MAX_SERIES, MAX_UNFOLDED } from './chart-settings.js';

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
  /**
   * Each day's whole, when `downloads` holds only some of the categories: what they leave is the
   * "others" the page draws. Absent: `downloads` is every category, and the whole is their sum.
   */
  total?: number[];
  /** The name of the fold of the smaller categories ("others", "other versions"). */
  othersLabel?: string;
  /** Every series drawn, none folded into "others": the compare page's packages (ten at most). */
  unfolded?: true;
}

export interface PackageCharts {
  /** The first and last day of every series. */
  start: Day;
  end: Day;
  charts: Chart[];
  /**
   * The same charts by month, every month held (kept forever, beyond the days' retention), for the
   * ranges of months (1 year, 2 years, all time); null when the package has no month.
   */
  months: MonthlyCharts | null;
}

export interface MonthlyCharts {
  /** The first and last month (`YYYY-MM`) of every series: a value per month. */
  start: Month;
  end: Month;
  charts: Chart[];
}

/** One category in a breakdown's table. */
export interface CategoryRow {
  category: string;
  /** Its label, when it is not the category itself. */
  label?: string;
  /** Downloads on the last day, over the last 7 days and over the last 30 days of the span. */
  recent: [number, number, number];
  /** Downloads over each range of DAY_LOOKBACKS, in its order. */
  totals: number[];
}

/** How a breakdown's categories are shown: as logged, or grouped (versions by release series). */
export type GroupingName = 'category' | 'major' | 'minor';

export interface BreakdownView {
  grouping: GroupingName;
  /** The switch's label. */
  label: string;
  chart: Chart;
  /** Every category (or group), in the dimension's order. */
  rows: CategoryRow[];
}

/** What a package page fetches for one breakdown (see the site route in web-routes.ts). */
export interface BreakdownData {
  name: string;
  start: Day;
  end: Day;
  /** The first view is shown first; versions add their release series. */
  views: BreakdownView[];
}

function styled(dimension: string, category: string, values: number[]): ChartSeries {
  const { label, colour, dashed } = categoryStyle(dimension, category);
  return { category, label, colour, dashed, values };
}

function denseValues(dimension: Dimension, points: readonly SeriesPoint[], start: Day, end: Day, numberOf: (date: string) => number = dayNumber): Map<string, number[]> {
  const first = numberOf(start);
  const length = numberOf(end) - first + 1;
  const byCategory = new Map<string, number[]>();
  for (const point of points) {
    const index = numberOf(point.day) - first;
    if (index < 0 || index >= length) continue;
    let values = byCategory.get(point.category);
    if (!values) byCategory.set(point.category, (values = new Array<number>(length).fill(0)));
    values[index]! += point.downloads;
  }
  const ordered = [...byCategory.keys()].sort(dimension.compareCategories);
  return new Map(ordered.map((category) => [category, byCategory.get(category)!]));
}

/** Dense series, one per category present in the span, in the dimension's order. */
export function denseSeries(dimension: Dimension, points: readonly SeriesPoint[], start: Day, end: Day): ChartSeries[] {
  return [...denseValues(dimension, points, start, end)].map(([category, values]) => styled(dimension.name, category, values));
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
  return [styled(dimension.name, WITHOUT_MIRRORS, withoutValues), styled(dimension.name, MIRRORS_ONLY, all.map((total, i) => total - withoutValues[i]!))];
}

function seedChart(dimension: Dimension, downloads: ChartSeries[]): Chart {
  return { name: dimension.name, title: dimension.title, description: dimension.description, downloads, shareParts: shareParts(dimension, downloads) };
}

/** The seed's charts, embedded in the page: drawn at once, without a request; by day, and by month. */
export async function packageCharts(store: Store, name: string, start: Day, end: Day): Promise<PackageCharts> {
  const charts = await Promise.all(
    seedDimensions.map(async (dimension) => seedChart(dimension, denseSeries(dimension, await store.series(name, dimension.name, { start, end }), start, end))),
  );
  const byMonth = await Promise.all(seedDimensions.map(async (dimension) => ({ dimension, points: await store.monthSeries(name, dimension.name, {}) })));
  const held = byMonth.flatMap(({ points }) => points.map((point) => point.day)).sort();
  if (held.length === 0) return { start, end, charts, months: null };
  const [firstMonth, lastMonth] = [held[0]!, held.at(-1)!];
  const monthly = byMonth.map(({ dimension, points }) =>
    seedChart(
      dimension,
      [...denseValues(dimension, points, firstMonth, lastMonth, monthNumber)].map(([category, values]) => styled(dimension.name, category, values)),
    ),
  );
  return { start, end, charts, months: { start: firstMonth, end: lastMonth, charts: monthly } };
}

/** Sum of the last `days` values (every value when there are fewer). */
function lastSum(values: readonly number[], days: number): number {
  let sum = 0;
  for (let i = Math.max(0, values.length - days); i < values.length; i++) sum += values[i]!;
  return sum;
}

/**
 * A release series of a version (`2` or `2.32` of `2.32.3`), by PEP 440; a string PEP 440 cannot
 * parse is a series of its own, and so is `null`.
 */
export function releaseSeries(version: string, level: 'major' | 'minor'): string {
  if (version === NULL_CATEGORY || validPep440(version) === null) return version;
  return level === 'major' ? String(major(version)) : `${major(version)}.${minor(version)}`;
}

function seriesLabel(series: string): string {
  return series === NULL_CATEGORY || validPep440(series) === null ? categoryStyle('version', series).label : `${series}.*`;
}

/**
 * A view of `values` (category → dense values): the categories that are among the MAX_SERIES
 * largest over some range the page shows (every one when there are at most MAX_UNFOLDED), each
 * day's whole, and every category's row.
 */
function breakdownView(
  dimension: Dimension,
  grouping: GroupingName,
  label: string,
  values: Map<string, number[]>,
  days: number,
  labelOf: (category: string) => string,
): BreakdownView {
  const total = new Array<number>(days).fill(0);
  for (const series of values.values()) series.forEach((value, i) => (total[i]! += value));
  const rows: CategoryRow[] = [...values].map(([category, series]) => {
    const shown = labelOf(category);
    return {
      category,
      ...(shown === category ? {} : { label: shown }),
      recent: [lastSum(series, 1), lastSum(series, 7), lastSum(series, 30)],
      totals: DAY_LOOKBACKS.map((lookback) => lastSum(series, lookbackDays(lookback))),
    };
  });
  let drawn = new Set(values.keys());
  if (values.size > MAX_UNFOLDED) {
    drawn = new Set();
    DAY_LOOKBACKS.forEach((_, range) => {
      const largest = [...rows].sort((a, b) => b.totals[range]! - a.totals[range]! || dimension.compareCategories(a.category, b.category));
      for (const row of largest.slice(0, MAX_SERIES)) if (row.totals[range]! > 0) drawn.add(row.category);
    });
  }
  const downloads = [...values]
    .filter(([category]) => drawn.has(category))
    .map(([category, series]) => ({ ...styled(dimension.name, category, series), label: labelOf(category) }));
  const othersLabel = dimension.name === 'version' ? 'other versions' : 'others';
  return {
    grouping,
    label,
    chart: { name: dimension.name, title: dimension.title, description: dimension.description, downloads, shareParts: null, total, othersLabel },
    rows,
  };
}

function groupedBy(values: Map<string, number[]>, key: (category: string) => string): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const [category, series] of values) {
    const group = key(category);
    const sums = groups.get(group);
    if (sums) series.forEach((value, i) => (sums[i]! += value));
    else groups.set(group, [...series]);
  }
  return new Map([...groups].sort(([a], [b]) => comparePackageVersions(a, b)));
}

/** One breakdown of one package, for its section of the package page. */
export async function breakdownData(store: Store, name: string, dimension: Dimension, start: Day, end: Day): Promise<BreakdownData> {
  const points = await store.series(name, dimension.name, { start, end });
  const values = denseValues(dimension, points, start, end);
  const days = dayNumber(end) - dayNumber(start) + 1;
  const labelOf = (category: string) => categoryStyle(dimension.name, category).label;
  const views = [breakdownView(dimension, 'category', dimension.name === 'version' ? 'Version' : dimension.title, values, days, labelOf)];
  if (dimension.name === 'version') {
    views.push(breakdownView(dimension, 'major', 'Major', groupedBy(values, (v) => releaseSeries(v, 'major')), days, seriesLabel));
    views.push(breakdownView(dimension, 'minor', 'Major.minor', groupedBy(values, (v) => releaseSeries(v, 'minor')), days, seriesLabel));
  }
  return { name: dimension.name, start, end, views };
}
