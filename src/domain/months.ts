/**
 * UTC months as `YYYY-MM` strings at the edges, and as month numbers (months since 1970-01)
 * inside, as days are day numbers (./dates.ts).
 */
import { dayFromNumber, type Day } from './dates.js';

export type Month = string;

const monthPattern = /^(\d{4})-(\d{2})$/;

export function isMonth(value: string): boolean {
  const match = monthPattern.exec(value);
  if (!match) return false;
  const month = Number(match[2]);
  return Number(match[1]) >= 1970 && month >= 1 && month <= 12;
}

/** Throws a message that names what was given, for input from people. */
export function parseMonth(value: string, what = 'month'): Month {
  if (!isMonth(value)) throw new Error(`${what} must be a month as YYYY-MM (1970-01 or later), got "${value}"`);
  return value;
}

export function monthNumber(month: Month): number {
  return (Number(month.slice(0, 4)) - 1970) * 12 + Number(month.slice(5, 7)) - 1;
}

/** The month of the year (0–11) of a month number, negative ones (before 1970) included. */
const monthOfYear = (n: number) => ((n % 12) + 12) % 12;

export function monthFromNumber(n: number): Month {
  const year = 1970 + Math.floor(n / 12);
  return `${year}-${String(monthOfYear(n) + 1).padStart(2, '0')}`;
}

/** The month number of a day number. */
export function monthOfDayNumber(day: number): number {
  const date = new Date(day * 86_400_000);
  return (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth();
}

export function monthOfDay(day: Day): Month {
  return day.slice(0, 7);
}

/** The day number of the month's first day. */
export function firstDayNumberOf(month: number): number {
  return Date.UTC(1970 + Math.floor(month / 12), monthOfYear(month), 1) / 86_400_000;
}

/** The month's days: 28 to 31. */
export function daysInMonth(month: number): number {
  return firstDayNumberOf(month + 1) - firstDayNumberOf(month);
}

export function firstDayOf(month: Month): Day {
  return dayFromNumber(firstDayNumberOf(monthNumber(month)));
}

export function lastDayOf(month: Month): Day {
  return dayFromNumber(firstDayNumberOf(monthNumber(month) + 1) - 1);
}

/** Every month from `from` to `to`, both included. */
export function monthRange(from: Month, to: Month): Month[] {
  const months: Month[] = [];
  for (let n = monthNumber(from); n <= monthNumber(to); n++) months.push(monthFromNumber(n));
  return months;
}

/** The bit of a day in its month's mask of days (bit 0 is the 1st). */
export function dayBit(day: number): number {
  return 2 ** (day - firstDayNumberOf(monthOfDayNumber(day)));
}

/** How many days a mask of days holds. */
export function daysInMask(mask: number): number {
  let count = 0;
  for (let rest = mask; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}

