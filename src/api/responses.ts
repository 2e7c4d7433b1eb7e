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

/**
 * Rows ordered by category (the dimension's order), then date. Written as text directly: a cold
 * answer (a crawler's) would otherwise spend most of its time building objects to stringify.
 * Days and numbers need no escaping; a category and the name are escaped once each.
 */
export function seriesBody(packageName: string, dimension: Dimension, points: SeriesPoint[]): string {
  const byCategory = new Map<string, SeriesPoint[]>();
  for (const point of points) {
    let list = byCategory.get(point.category);
    if (!list) byCategory.set(point.category, (list = []));
    list.push(point);
  }
  const parts: string[] = [];
  for (const category of [...byCategory.keys()].sort(dimension.compareCategories)) {
    const list = byCategory.get(category)!;
    if (!isOrderedByDay(list)) list.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    const prefix = `{"category":${JSON.stringify(category)},"date":"`;
    for (const point of list) parts.push(`${prefix}${point.day}","downloads":${point.downloads}}`);
  }
  return `{"data":[${parts.join(',')}],"package":${JSON.stringify(packageName)},"type":${JSON.stringify(dimension.responseType)}}`;
}

function isOrderedByDay(points: SeriesPoint[]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i - 1]!.day > points[i]!.day) return false;
  return true;
}
