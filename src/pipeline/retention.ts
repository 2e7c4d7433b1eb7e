import { addDays, dayNumber, type Day } from '../domain/dates.js';

/** The first day kept when the window ends at `latest`: the window holds `retentionDays` days. */
export function retentionStart(latest: Day, retentionDays: number): Day {
  return addDays(latest, -(retentionDays - 1));
}

/**
 * Where the window ends: the latest loaded day, but never after today, so a day from the future
 * already in a store cannot push the recent days out.
 */
export function windowEnd(latest: Day, today: Day): Day {
  return dayNumber(latest) > dayNumber(today) ? today : latest;
}

function later(a: Day | null, b: Day): Day {
  return a === null || dayNumber(b) > dayNumber(a) ? b : a;
}

/**
 * The first day the store keeps once `days` are loaded into it (its latest day is `current`).
 * Throws when a day to load would fall outside the window, and be purged at once.
 */
export function retainedFrom(current: Day | null, days: readonly Day[], retentionDays: number, today: Day): Day | null {
  let latest = current;
  for (const day of days) latest = later(latest, day);
  if (latest === null) return null;
  const end = windowEnd(latest, today);
  const keepFrom = retentionStart(end, retentionDays);
  const tooOld = days.filter((day) => dayNumber(day) < dayNumber(keepFrom));
  if (tooOld.length > 0) {
    const which = tooOld.length === 1 ? `${tooOld[0]} is` : `${tooOld.length} days (${tooOld[0]} to ${tooOld.at(-1)}) are`;
    throw new Error(`${which} outside the retention window (${retentionDays} days ending ${end}); set RETENTION_DAYS to keep older days`);
  }
  return keepFrom;
}

/**
 * What the load of `day` may purge: the days it pushes out of the window, and no more. Null
 * (nothing) when the window does not move, or when older days are already outside it (after
 * RETENTION_DAYS was lowered): deleting those is for `pypistats purge`, asked for explicitly.
 */
export function purgeForLoad(loaded: readonly Day[], day: Day, retentionDays: number, today: Day): Day | null {
  if (loaded.length === 0) return null;
  const current = loaded.reduce<Day | null>(later, null)!;
  const before = retentionStart(windowEnd(current, today), retentionDays);
  const after = retentionStart(windowEnd(later(current, day), today), retentionDays);
  if (dayNumber(after) <= dayNumber(before)) return null;
  if (loaded.some((other) => dayNumber(other) < dayNumber(before))) return null;
  return after;
}

/** The days `pypistats purge` deletes: before the window, which ends at the latest day or today, whichever is earlier. */
export function purgeStart(latest: Day, retentionDays: number, today: Day): Day {
  return retentionStart(windowEnd(latest, today), retentionDays);
}
