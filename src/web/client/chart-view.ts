/**
 * What one chart shows under the page's settings, from the daily series embedded in the page:
 * the last N days, optionally summed by week, as downloads or as each point's shares (%).
 * Pure functions, so they are tested without a browser.
 */
import type { Chart, ChartSeries, PackageCharts } from '../chart-data.js';
import { lookbackDays, type Interval, type Lookback, type Measure } from '../chart-settings.js';

export interface ViewSettings {
  lookback: Lookback;
  interval: Interval;
  measure: Measure;
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
  /** Days each point covers: 1, or 7 when weekly. */
  daysPerPoint: number;
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

function asView(series: ChartSeries, values: (number | null)[]): ViewSeries {
  return { category: series.category, label: series.label, colour: series.colour, dashed: series.dashed, values };
}

export function chartView(data: PackageCharts, chart: Chart, settings: ViewSettings): ChartView {
  const totalDays = Math.round((dayToSeconds(data.end) - dayToSeconds(data.start)) / SECONDS_PER_DAY) + 1;
  const groups = buckets(totalDays, settings.lookback, settings.interval);
  const startSeconds = dayToSeconds(data.start);
  const x = groups.map((group) => startSeconds + group[0]! * SECONDS_PER_DAY);
  const daysPerPoint = settings.interval === 'week' ? DAYS_PER_WEEK : 1;
  if (settings.measure === 'downloads') {
    return { x, daysPerPoint, series: chart.downloads.map((s) => asView(s, sums(s.values, groups))) };
  }
  const parts = chart.shareParts ?? chart.downloads;
  const partSums = parts.map((s) => sums(s.values, groups));
  const wholes = groups.map((_, i) => partSums.reduce((sum, values) => sum + values[i]!, 0));
  return {
    x,
    daysPerPoint,
    series: parts.map((s, p) => asView(s, partSums[p]!.map((value, i) => (wholes[i] === 0 ? null : (value / wholes[i]!) * 100)))),
  };
}
