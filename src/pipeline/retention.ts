import { addDays, dayNumber, type Day } from '../domain/dates.js';

/** The first day kept when the latest loaded day is `latest`: the window holds `retentionDays` days. */
export function retentionStart(latest: Day, retentionDays: number): Day {
  return addDays(latest, -(retentionDays - 1));
}

/** The latest day a store will hold after loading `days`, given what it holds now. */
export function latestAfterLoading(current: Day | null, days: readonly Day[]): Day | null {
  let latest = current;
  for (const day of days) if (latest === null || dayNumber(day) > dayNumber(latest)) latest = day;
  return latest;
}
