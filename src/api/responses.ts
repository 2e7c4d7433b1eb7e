/**
 * The bodies of the API's answers, exactly as pypistats.org writes them: keys in alphabetical
 * order at every level (objects are built in that order; JSON.stringify keeps it).
 */
import type { RecentPeriod, TopPeriod, TrendingPeriod } from '../domain/api-parameters.js';
import type { Day } from '../domain/dates.js';
import type { Dimension } from '../domain/dimensions.js';
import type { PackageDownloads, RecentDownloads, SeriesPoint, TrendingPackage } from '../store/types.js';

export function recentBody(packageName: string, recent: RecentDownloads, period?: RecentPeriod): string {
  const all = { last_day: recent.lastDay, last_month: recent.lastMonth, last_week: recent.lastWeek };
  const data = period ? { [`last_${period}`]: all[`last_${period}`] } : all;
  return JSON.stringify({ data, package: packageName, type: 'recent_downloads' });
}

const DOWNLOADS_KEY = '","downloads":';

/**
 * Rows ordered by category (the dimension's order), then date, written as the UTF-8 bytes the
 * cache keeps and the socket is sent. The most popular package's `/version` over 180 days is
 * ~270,000 rows (~16 MB): built as one string it was held three times at once (the rows' strings,
 * their join, then the Buffer encoded from it). Here the exact size is counted first (digits and
 * lengths, no text), one Buffer of that size is allocated, and each category's rows are made into
 * one string and written into it at once: at any time the answer exists once, plus one category's
 * text. A string per category rather than bytes per row: V8 concatenates short strings faster than
 * a typed array takes them byte by byte, so a small answer (/overall) costs what it did.
 */
export function seriesBody(packageName: string, dimension: Dimension, points: SeriesPoint[]): Buffer {
  const byCategory = new Map<string, SeriesPoint[]>();
  for (const point of points) {
    let list = byCategory.get(point.category);
    if (!list) byCategory.set(point.category, (list = []));
    list.push(point);
  }
  const categories = [...byCategory.keys()].sort(dimension.compareCategories);
  const head = '{"data":[';
  const tail = `],"package":${JSON.stringify(packageName)},"type":${JSON.stringify(dimension.responseType)}}`;

  // The category's opening, escaped once per category rather than once per row.
  const openings = new Map<string, string>();
  let size = head.length + Buffer.byteLength(tail) + Math.max(points.length - 1, 0);
  for (const category of categories) {
    const opening = `{"category":${JSON.stringify(category)},"date":"`;
    openings.set(category, opening);
    const openingBytes = Buffer.byteLength(opening);
    const list = byCategory.get(category)!;
    if (!isOrderedByDay(list)) list.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    // Days are `YYYY-MM-DD`: ASCII, one byte a character.
    for (const point of list) size += openingBytes + point.day.length + DOWNLOADS_KEY.length + digitCount(point.downloads) + 1;
  }

  const body = Buffer.allocUnsafe(size);
  let at = body.write(head, 0, 'latin1');
  let separator = '';
  for (const category of categories) {
    const opening = openings.get(category)!;
    let text = '';
    for (const point of byCategory.get(category)!) {
      text += `${separator}${opening}${point.day}${DOWNLOADS_KEY}${point.downloads}}`;
      separator = ',';
    }
    at += body.write(text, at, 'utf8');
  }
  at += body.write(tail, at, 'utf8');
  if (at !== size) throw new Error(`series body measured ${size} bytes but wrote ${at}`);
  return body;
}

/** Digits of a download count: a non-negative integer, exact up to 2^53. */
function digitCount(value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

function isOrderedByDay(points: SeriesPoint[]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i - 1]!.day > points[i]!.day) return false;
  return true;
}

/** `/api/top`: ranks from 1 in the order the store ranked them. */
export function topBody(latest: Day, period: TopPeriod, packages: PackageDownloads[]): string {
  const data = packages.map((entry, i) => ({ downloads: entry.downloads, package: entry.package, rank: i + 1 }));
  return JSON.stringify({ data, date: latest, period, type: 'top_packages' });
}

/** `/api/trending`: growth rounded to 4 decimals, enough to tell packages apart and short to read. */
export function trendingBody(latest: Day, period: TrendingPeriod, packages: TrendingPackage[]): string {
  const data = packages.map((entry, i) => ({
    downloads: entry.downloads,
    growth: Math.round((entry.downloads / entry.previous) * 10_000) / 10_000,
    package: entry.package,
    previous: entry.previous,
    rank: i + 1,
  }));
  return JSON.stringify({ data, date: latest, period, type: 'trending_packages' });
}
