/**
 * The values the API's parameters accept, shared by the API (which validates them) and the `/api`
 * page (which documents them), so the page never says what the routes do not do.
 */

export const RECENT_PERIODS = ['day', 'week', 'month'] as const;
export type RecentPeriod = (typeof RECENT_PERIODS)[number];

/**
 * `top=N` on a breakdown: at least one category; at most 1000, which is more versions than all but
 * the largest packages log over the retention window, and bounds the ranking a request can ask for.
 */
export const TOP_CATEGORIES = { min: 1, max: 1000 } as const;

/** `interval` on every time series: a point per day (the default, the seed's) or per UTC month (kept forever). */
export const INTERVALS = ['day', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];
