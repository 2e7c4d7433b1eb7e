/**
 * The settings every chart of a package page shares, and their values in the URL. Read by the
 * server (to validate `lookback` and render the controls) and by the client (to apply them).
 */

/** How many of the latest days the charts show: a number of days, or every day kept. */
export const LOOKBACKS = ['30', '60', '90', '120', 'all'] as const;
export type Lookback = (typeof LOOKBACKS)[number];
export const DEFAULT_LOOKBACK: Lookback = 'all';

export const INTERVALS = ['day', 'week'] as const;
export type Interval = (typeof INTERVALS)[number];

export const MEASURES = ['downloads', 'shares'] as const;
export type Measure = (typeof MEASURES)[number];

/** Each category's own line, or areas stacked to the day's whole (many categories at a glance). */
export const DRAWINGS = ['lines', 'stacked'] as const;
export type Drawing = (typeof DRAWINGS)[number];

export function isLookback(value: string): value is Lookback {
  return (LOOKBACKS as readonly string[]).includes(value);
}

export function lookbackDays(lookback: Lookback): number {
  return lookback === 'all' ? Infinity : Number(lookback);
}

export function lookbackLabel(lookback: Lookback): string {
  return lookback === 'all' ? 'All' : `${lookback} days`;
}

/** At most this many categories are drawn as series of their own; the rest fold into "others". */
export const MAX_SERIES = 8;
/** Folding one category into "others" would only rename it: up to this many are all drawn. */
export const MAX_UNFOLDED = MAX_SERIES + 1;
/** What the page folds the smaller categories of a chart into: not a category of any dimension. */
export const OTHERS = '__others__';
export const OTHERS_COLOUR = '#7f7f7f';
