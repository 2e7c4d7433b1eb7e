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
