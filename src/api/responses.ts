/**
 * The bodies of the API's answers, exactly as pypistats.org writes them: keys in alphabetical
 * order at every level (objects are built in that order; JSON.stringify keeps it).
 */
import type { RecentPeriod } from '../domain/api-parameters.js';
import type { Dimension } from '../domain/dimensions.js';
import type { RecentDownloads, SeriesPoint } from '../store/types.js';

export function recentBody(packageName: string, recent: RecentDownloads, period?: RecentPeriod): string {
  const all = { last_day: recent.lastDay, last_month: recent.lastMonth, last_week: recent.lastWeek };
  const data = period ? { [`last_${period}`]: all[`last_${period}`] } : all;
  return JSON.stringify({ data, package: packageName, type: 'recent_downloads' });
}

const DOWNLOADS_KEY = Buffer.from('","downloads":', 'latin1');
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const DIGIT_ZERO = 0x30;

/**
 * Rows ordered by category (the dimension's order), then date, written as the UTF-8 bytes the
 * cache keeps and the socket is sent. The most popular package's `/version` over 180 days is
 * ~270,000 rows (~16 MB): built as strings it was held three times at once (the rows' parts, their
 * join, then the Buffer encoded from it). Here its exact size is counted first, and the rows are
 * written straight into one Buffer of that size: the answer exists once, beside the points the
 * store gave.
 */
export function seriesBody(packageName: string, dimension: Dimension, points: SeriesPoint[]): Buffer {
  const byCategory = new Map<string, SeriesPoint[]>();
  for (const point of points) {
    let list = byCategory.get(point.category);
    if (!list) byCategory.set(point.category, (list = []));
    list.push(point);
  }
  const categories = [...byCategory.keys()].sort(dimension.compareCategories);
  const head = Buffer.from('{"data":[', 'latin1');
  const tail = Buffer.from(`],"package":${JSON.stringify(packageName)},"type":${JSON.stringify(dimension.responseType)}}`, 'utf8');

  // The category's opening, encoded once per category rather than once per row.
  const openings = new Map<string, Buffer>();
  let size = head.length + tail.length + Math.max(points.length - 1, 0);
  for (const category of categories) {
    const opening = Buffer.from(`{"category":${JSON.stringify(category)},"date":"`, 'utf8');
    openings.set(category, opening);
    const list = byCategory.get(category)!;
    if (!isOrderedByDay(list)) list.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    for (const point of list) size += opening.length + point.day.length + DOWNLOADS_KEY.length + digitCount(point.downloads) + 1;
  }

  const body = Buffer.allocUnsafe(size);
  let at = head.copy(body, 0);
  let first = true;
  for (const category of categories) {
    const opening = openings.get(category)!;
    for (const point of byCategory.get(category)!) {
      if (!first) body[at++] = COMMA;
      first = false;
      at += opening.copy(body, at);
      // Days are `YYYY-MM-DD`: ASCII, nothing to escape.
      at += body.write(point.day, at, 'latin1');
      at += DOWNLOADS_KEY.copy(body, at);
      at = writeDigits(body, at, point.downloads);
      body[at++] = CLOSE_BRACE;
    }
  }
  at += tail.copy(body, at);
  if (at !== size) throw new Error(`series body measured ${size} bytes but wrote ${at}`);
  return body;
}

/** Digits of a download count: a non-negative integer, exact up to 2^53. */
function digitCount(value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

function writeDigits(target: Buffer, at: number, value: number): number {
  const end = at + digitCount(value);
  let rest = value;
  for (let i = end - 1; i >= at; i--) {
    target[i] = DIGIT_ZERO + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return end;
}

function isOrderedByDay(points: SeriesPoint[]): boolean {
  for (let i = 1; i < points.length; i++) if (points[i - 1]!.day > points[i]!.day) return false;
  return true;
}
