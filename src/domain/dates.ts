/** UTC days as `YYYY-MM-DD` strings at the edges, and as day numbers (days since 1970-01-01) inside. */

export type Day = string;

const MS_PER_DAY = 86_400_000;
const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDay(value: string): boolean {
  const match = dayPattern.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** Throws a message that names what was given, for input from people. */
export function parseDay(value: string, what = 'date'): Day {
  if (!isDay(value)) throw new Error(`${what} must be a date as YYYY-MM-DD, got "${value}"`);
  return value;
}

export function dayNumber(day: Day): number {
  return Date.parse(`${day}T00:00:00Z`) / MS_PER_DAY;
}

const dayCache = new Map<number, Day>();
export function dayFromNumber(n: number): Day {
  let day = dayCache.get(n);
  if (day === undefined) {
    day = new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
    if (dayCache.size < 100_000) dayCache.set(n, day);
  }
  return day;
}

export function addDays(day: Day, n: number): Day {
  return dayFromNumber(dayNumber(day) + n);
}

/** Every day from `from` to `to`, both included. */
export function dayRange(from: Day, to: Day): Day[] {
  const days: Day[] = [];
  for (let n = dayNumber(from); n <= dayNumber(to); n++) days.push(dayFromNumber(n));
  return days;
}

export function todayUtc(now = new Date()): Day {
  return now.toISOString().slice(0, 10);
}

export function yesterdayUtc(now = new Date()): Day {
  return addDays(todayUtc(now), -1);
}
