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

/** A badge's and shields answer's `period`: the last 1, 7 or 30 days, or every download held. */
export const BADGE_PERIODS = ['day', 'week', 'month', 'total'] as const;
export type BadgePeriod = (typeof BADGE_PERIODS)[number];

/** How a badge writes its number: `3.4G`, `1.2M`, `5.6k` / `3.4B`, `1.2M`, `5.6K` / `3456789012`. */
export const BADGE_UNITS = ['international_system', 'abbreviation', 'none'] as const;
export type BadgeUnits = (typeof BADGE_UNITS)[number];
/** `/api/top?period=`: the 1, 7 or 30 days ending at the latest loaded day. */
export const TOP_PERIODS = ['day', 'week', 'month'] as const;
export type TopPeriod = (typeof TOP_PERIODS)[number];

/**
 * `/api/trending?period=`: a day against the day before says more about the weekday than about a
 * package (weekends fall by half), so trending compares whole weeks or months only.
 */
export const TRENDING_PERIODS = ['week', 'month'] as const;
export type TrendingPeriod = (typeof TRENDING_PERIODS)[number];

/** The days each period spans, ending at the latest loaded day. */
export const PERIOD_DAYS: Readonly<Record<TopPeriod, number>> = { day: 1, week: 7, month: 30 };

/**
 * `limit=N` on `/api/top` and `/api/trending`: 100 by default, as pypistats.org's top list; at
 * most 1000, which is what the store ranks and keeps at load time (a longer list would be a crawl).
 */
export const TOP_LIMIT = { min: 1, max: 1000, default: 100 } as const;

/**
 * A package trends only when its downloads over the period before averaged at least this many a
 * day (700 a week, 3000 a month): below it, a single CI pipeline or mirror scan multiplies a
 * package's downloads tenfold, and the list would be the long tail's noise ("1 to 10 is not news").
 */
export const TRENDING_FLOOR_PER_DAY = 100;

/** `interval` on every time series: a point per day (the default, the seed's) or per UTC month (kept forever). */
export const INTERVALS = ['day', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];
