/**
 * The settings every chart of a package page shares, and their values in the URL. Read by the
 * server (to validate `lookback` and render the controls) and by the client (to apply them).
 */

/**
 * How far back the charts show: a number of the latest days, every day kept (`all`), or, beyond
 * the days' retention, the latest 12 or 24 months or every month held (`history`), a point per
 * month from the months kept forever.
 */
export const LOOKBACKS = ['30', '60', '90', '120', 'all', '1y', '2y', 'history'] as const;
export type Lookback = (typeof LOOKBACKS)[number];
export const DEFAULT_LOOKBACK: Lookback = 'all';

/** The month ranges and their months (Infinity: every month held). */
const LOOKBACK_MONTHS: Partial<Record<Lookback, number>> = { '1y': 12, '2y': 24, history: Infinity };

/** How many of the latest months a lookback shows; null for a range of days. */
export function lookbackMonths(lookback: Lookback): number | null {
  return LOOKBACK_MONTHS[lookback] ?? null;
}

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

/** The ranges of days, in LOOKBACKS' order: what a breakdown's table sums over (see dayRangeIndex). */
export const DAY_LOOKBACKS = LOOKBACKS.filter((lookback) => lookbackMonths(lookback) === null);

/** A lookback's place in DAY_LOOKBACKS; a range of months is every day kept (`all`) there. */
export function dayRangeIndex(lookback: Lookback): number {
  return DAY_LOOKBACKS.indexOf(lookbackMonths(lookback) === null ? lookback : 'all');
}

/** Days of a range of days; a range of months covers every day kept (what a chart of days shows of it). */
export function lookbackDays(lookback: Lookback): number {
  return lookback === 'all' || lookbackMonths(lookback) !== null ? Infinity : Number(lookback);
}

const LOOKBACK_LABELS: Partial<Record<Lookback, string>> = { all: 'All', '1y': '1 year', '2y': '2 years', history: 'All time' };

export function lookbackLabel(lookback: Lookback): string {
  return LOOKBACK_LABELS[lookback] ?? `${lookback} days`;
}

/** At most this many categories are drawn as series of their own; the rest fold into "others". */
export const MAX_SERIES = 8;
/** Folding one category into "others" would only rename it: up to this many are all drawn. */
export const MAX_UNFOLDED = MAX_SERIES + 1;
/** What the page folds the smaller categories of a chart into: not a category of any dimension. */
export const OTHERS = '__others__';
export const OTHERS_COLOUR = '#7f7f7f';
