import { addDays, dayNumber, type Day } from '../domain/dates.js';

/** The first day kept when the latest loaded day is `latest`: the window holds `retentionDays` days. */
export function retentionStart(latest: Day, retentionDays: number): Day {
  return addDays(latest, -(retentionDays - 1));
}

/**
 * The first day the store keeps once `days` are loaded into it (its latest day is `current`).
 * Throws when a day to load would fall outside the window, and be purged at once.
 */
export function retainedFrom(current: Day | null, days: readonly Day[], retentionDays: number): Day | null {
  let latest = current;
  for (const day of days) if (latest === null || dayNumber(day) > dayNumber(latest)) latest = day;
  if (latest === null) return null;
  const keepFrom = retentionStart(latest, retentionDays);
  const tooOld = days.filter((day) => dayNumber(day) < dayNumber(keepFrom));
  if (tooOld.length > 0) {
    const which = tooOld.length === 1 ? `${tooOld[0]} is` : `${tooOld.length} days (${tooOld[0]} to ${tooOld.at(-1)}) are`;
    throw new Error(
      `${which} outside the retention window (${retentionDays} days ending ${latest}); set RETENTION_DAYS to keep older days`,
    );
  }
  return keepFrom;
}
