/**
 * The bodies of the API's answers, exactly as pypistats.org writes them: keys in alphabetical
 * order at every level (objects are built in that order; JSON.stringify keeps it).
 */
import type { Dimension } from '../domain/dimensions.js';
import type { RecentDownloads, SeriesPoint } from '../store/types.js';

export const RECENT_PERIODS = ['day', 'week', 'month'] as const;
export type RecentPeriod = (typeof RECENT_PERIODS)[number];

export function recentBody(packageName: string, recent: RecentDownloads, period?: RecentPeriod): string {
  const all = { last_day: recent.lastDay, last_month: recent.lastMonth, last_week: recent.lastWeek };
  const data = period ? { [`last_${period}`]: all[`last_${period}`] } : all;
  return JSON.stringify({ data, package: packageName, type: 'recent_downloads' });
}

/** Rows ordered by category (the dimension's order), then date. */
export function seriesBody(packageName: string, dimension: Dimension, points: SeriesPoint[]): string {
  const sorted = points.sort(
    (a, b) => dimension.compareCategories(a.category, b.category) || (a.day < b.day ? -1 : a.day > b.day ? 1 : 0),
  );
  const data = sorted.map((point) => ({ category: point.category, date: point.day, downloads: point.downloads }));
  return JSON.stringify({ data, package: packageName, type: dimension.responseType });
}
