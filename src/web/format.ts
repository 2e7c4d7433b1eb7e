/** Numbers and days as the pages write them. */
import type { Day } from '../domain/dates.js';

const counts = new Intl.NumberFormat('en-US');
const longDays = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' });

/** `1234567` → `1,234,567`. */
export function formatCount(value: number): string {
  return counts.format(value);
}

/** `2026-11-24` → `November 24, 2026` (a UTC day). */
export function formatDay(day: Day): string {
  return longDays.format(new Date(`${day}T00:00:00Z`));
}
