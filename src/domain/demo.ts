/** What the demo data set is made of, by default: the CLI, the server and the benchmark share it. */
export interface DemoOptions {
  /** How many distinct packages. */
  packages: number;
  /** Any integer; the same seed gives the same files. */
  seed: number;
  /** Average raw events per day, over a week, around mid-2026 (a weekday has ~11% more). */
  eventsPerDay: number;
}

/**
 * 30,000 events a day keep a first start with 180 demo days well under a minute on two cores
 * (generating the raw Parquet is most of the time) while the least popular of 300 packages still
 * sees a handful of downloads a day.
 */
export const DEFAULT_DEMO_OPTIONS: DemoOptions = { packages: 300, seed: 1, eventsPerDay: 30_000 };

/**
 * The source the demo's days are recorded under (in loaded days and the load history): how the
 * site and `status` tell made-up numbers from PyPI's.
 */
export const DEMO_SOURCE = 'demo';

/** Whether any of the loaded days is demo data. */
export function includesDemoData(days: readonly { source: string }[]): boolean {
  return days.some((day) => day.source === DEMO_SOURCE);
}
