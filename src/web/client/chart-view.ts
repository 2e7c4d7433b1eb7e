/**
 * What one chart shows under the page's settings, from the daily series embedded in the page:
 * the last N days, optionally summed by week, as downloads or as each point's shares (%). A
 * chart of many categories shows the MAX_SERIES largest over the range shown, and the rest
 * summed as "others" (each day's whole less the series drawn). Pure functions, so they are
 * tested without a browser.
 */
import type { Chart, ChartSeries, MonthlyCharts, PackageCharts } from '../chart-data.js';
import { lookbackDays, lookbackMonths, MAX_SERIES, MAX_UNFOLDED, OTHERS, OTHERS_COLOUR, type Drawing, type Interval, type Lookback, type Measure } from '../chart-settings.js';

export interface ViewSettings {
  lookback: Lookback;
  interval: Interval;
  measure: Measure;
  /** Unset: lines. */
  drawing?: Drawing;
}

export interface ViewSeries {
  category: string;
  label: string;
  colour: string;
  dashed: boolean;
  /** Null where a share has no whole (no downloads at all that day). */
  values: (number | null)[];
}

export interface ChartView {
  /** Each point's first day, as Unix seconds (UTC midnight), as uPlot wants its x values. */
  x: number[];
  /** Days each point covers: 1, or 7 when weekly; 30 stands for a month (a point per month). */
  daysPerPoint: number;
  /** Whether the series are drawn as areas stacked to each point's whole. */
  stacked: boolean;
  series: ViewSeries[];
}

const SECONDS_PER_DAY = 86_400;
const DAYS_PER_WEEK = 7;

function dayToSeconds(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

/**
 * Indexes of the days shown: the last `lookback` days; when weekly, grouped into weeks of seven
 * days ending on the latest day, leaving out a partial first week (unless there is no full one),
 * so every point is a whole week and the last is the most recent.
 */
function buckets(totalDays: number, lookback: Lookback, interval: Interval): number[][] {
  const shown = Math.min(totalDays, lookbackDays(lookback));
  const first = totalDays - shown;
  if (interval === 'day') return Array.from({ length: shown }, (_, i) => [first + i]);
  const weeks = Math.max(1, Math.floor(shown / DAYS_PER_WEEK));
  const groups: number[][] = [];
  for (let w = weeks - 1; w >= 0; w--) {
    const last = totalDays - 1 - w * DAYS_PER_WEEK;
    const group: number[] = [];
    for (let day = Math.max(first, last - DAYS_PER_WEEK + 1); day <= last; day++) group.push(day);
    groups.push(group);
  }
  return groups;
}

function sums(values: readonly number[], groups: number[][]): number[] {
  return groups.map((group) => group.reduce((sum, day) => sum + values[day]!, 0));
}

function asView(series: Omit<ChartSeries, 'values'>, values: (number | null)[]): ViewSeries {
  return { category: series.category, label: series.label, colour: series.colour, dashed: series.dashed, values };
}

interface Part {
  series: Omit<ChartSeries, 'values'>;
  sums: number[];
}

/**
 * The parts a chart draws over `groups`, in the dimension's order, and each point's whole. Beyond
 * MAX_UNFOLDED categories, the MAX_SERIES largest over the points shown are drawn and the rest
 * are summed into "others", last; others are drawn too when the chart's data holds only some of
 * the categories (`total`) and the rest downloaded anything.
 */
function parts(chart: Chart, groups: number[][]): { parts: Part[]; wholes: number[] } {
  if (chart.shareParts) {
    const shareParts: Part[] = chart.shareParts.map((series) => ({ series, sums: sums(series.values, groups) }));
    return { parts: shareParts, wholes: groups.map((_, i) => shareParts.reduce((sum, part) => sum + part.sums[i]!, 0)) };
  }
  const all: Part[] = chart.downloads.map((series) => ({ series, sums: sums(series.values, groups) }));
  const wholes = chart.total ? sums(chart.total, groups) : groups.map((_, i) => all.reduce((sum, part) => sum + part.sums[i]!, 0));
  let drawn: Part[] = all;
  if (all.length > MAX_UNFOLDED && !chart.unfolded) {
    const sizes = new Map(all.map((part) => [part, part.sums.reduce((a, b) => a + b, 0)]));
    const largest = new Set([...all].sort((a, b) => sizes.get(b)! - sizes.get(a)!).slice(0, MAX_SERIES));
    drawn = all.filter((part) => largest.has(part));
  }
  const others = wholes.map((whole, i) => whole - drawn.reduce((sum, part) => sum + part.sums[i]!, 0));
  if (others.some((value) => value > 0)) {
    drawn = [...drawn, { series: { category: OTHERS, label: chart.othersLabel ?? 'others', colour: OTHERS_COLOUR, dashed: false }, sums: others }];
  }
  return { parts: drawn, wholes };
}

/** What a point per month stands for in `daysPerPoint`. */
export const MONTH_POINT = 30;

/** The month's first day, as Unix seconds, from `YYYY-MM` and months after it. */
function monthToSeconds(month: string, after: number): number {
  return Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1 + after, 1) / 1000;
}

/**
 * What the chart shows under the settings: by day (or week) from the days kept; with a range of
 * months and the package's charts by month (`monthly`), a point per month of the latest 12, 24
 * or every month held.
 */
export function chartView(data: Pick<PackageCharts, 'start' | 'end'>, chart: Chart, settings: ViewSettings, monthly?: { months: MonthlyCharts; chart: Chart }): ChartView {
  const months = lookbackMonths(settings.lookback);
  if (months !== null && monthly) {
    const { start, end } = monthly.months;
    const total = (Number(end.slice(0, 4)) - Number(start.slice(0, 4))) * 12 + Number(end.slice(5, 7)) - Number(start.slice(5, 7)) + 1;
    const shown = Math.min(total, months);
    const groups = Array.from({ length: shown }, (_, i) => [total - shown + i]);
    return viewOf(monthly.chart, groups, groups.map(([month]) => monthToSeconds(start, month!)), MONTH_POINT, settings);
  }
  const totalDays = Math.round((dayToSeconds(data.end) - dayToSeconds(data.start)) / SECONDS_PER_DAY) + 1;
  const groups = buckets(totalDays, settings.lookback, settings.interval);
  const startSeconds = dayToSeconds(data.start);
  const x = groups.map((group) => startSeconds + group[0]! * SECONDS_PER_DAY);
  return viewOf(chart, groups, x, settings.interval === 'week' ? DAYS_PER_WEEK : 1, settings);
}

function viewOf(chart: Chart, groups: number[][], x: number[], daysPerPoint: number, settings: ViewSettings): ChartView {
  const stacked = settings.drawing === 'stacked';
  if (settings.measure === 'downloads' && (chart.shareParts === null || !stacked)) {
    // The overall chart's lines overlap (with mirrors holds without): stacked, it shows its parts.
    const shown = chart.shareParts === null ? parts(chart, groups).parts : chart.downloads.map((series) => ({ series, sums: sums(series.values, groups) }));
    return { x, daysPerPoint, stacked, series: shown.map((part) => asView(part.series, part.sums)) };
  }
  const shown = parts(chart, groups);
  if (settings.measure === 'downloads') return { x, daysPerPoint, stacked, series: shown.parts.map((part) => asView(part.series, part.sums)) };
  return {
    x,
    daysPerPoint,
    stacked,
    series: shown.parts.map((part) => asView(part.series, part.sums.map((value, i) => (shown.wholes[i] === 0 ? null : (value / shown.wholes[i]!) * 100)))),
  };
}

/**
 * Each visible series' values added to the sum of the visible ones before it, and the bands
 * between each and the visible one below. A hidden series keeps its own values (it is not drawn).
 */
export interface Stacked {
  data: (number | null)[][];
  /** uPlot's bands: [upper, lower] by uPlot's series index (series 0 is x). */
  bands: { series: [number, number] }[];
}

export function stack(values: readonly (number | null)[][], visible: (series: number) => boolean): Stacked {
  const sums = new Array<number>(values[0]?.length ?? 0).fill(0);
  const data = values.map((series, i) => (visible(i) ? series.map((value, j) => (sums[j]! += value ?? 0)) : series));
  const bands: Stacked['bands'] = [];
  let below = -1;
  values.forEach((_, i) => {
    if (!visible(i)) return;
    // uPlot's series 0 is x: the view's series i is the plot's series i + 1.
    if (below >= 0) bands.push({ series: [i + 1, below + 1] });
    below = i;
  });
  return { data, bands };
}
