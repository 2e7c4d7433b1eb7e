/**
 * What the API's routes say of themselves: summaries, descriptions (Markdown: backticks are code),
 * parameters and response schemas. The routes validate their input with these schemas, the OpenAPI
 * description is generated from them (src/api/openapi.ts), and the `/api` page is rendered from
 * that description: one source, so the three never disagree.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { RECENT_PERIODS, TOP_CATEGORIES, TOP_LIMIT, TOP_PERIODS, TRENDING_FLOOR_PER_DAY, TRENDING_PERIODS, PERIOD_DAYS } from '../domain/api-parameters.js';
import { WITH_MIRRORS, WITHOUT_MIRRORS, type Dimension } from '../domain/dimensions.js';
import { ALL_PACKAGES, MAX_NAME_LENGTH } from '../domain/names.js';

/** The package of the examples of a per-package breakdown (`__all__` has none): one every PyPI mirror of the logs holds. */
export const EXAMPLE_PACKAGE = 'requests';

/** Tags of the OpenAPI operations: the `/api` page groups its sections by them. */
export const TAGS = {
  package: 'package',
  lists: 'lists',
  embeds: 'embeds',
  off: 'turned off',
} as const;

/** A plain `enum`, so a wrong value reads "must be one of: …" rather than a failed `anyOf`. */
export function oneOf(values: readonly string[], options: { description?: string; examples?: string[] } = {}): TSchema {
  return Type.Unsafe<string>({ type: 'string', enum: [...values], ...options });
}

export const errorSchema = Type.Object(
  {
    error: Type.String({ description: 'What is wrong, for a person.' }),
    status: Type.Integer({ description: 'The HTTP status, repeated.' }),
  },
  { additionalProperties: false, description: 'Every error of the API: JSON, never a stack trace.', examples: [{ error: 'no downloads of package "nope" are known', status: 404 }] },
);

/** What each error status means on the API, as the description's responses say it. */
const ERROR_MEANINGS = {
  400: 'A bad parameter value, a parameter the endpoint does not take or given twice, or a name that cannot be a PyPI project.',
  404: 'No downloads of the package are known (on every endpoint), or nothing is at the path.',
  405: 'A method other than GET or HEAD (the answer has `Allow: GET, HEAD`).',
  429: 'Too many requests from one address: `Retry-After` says how many seconds to wait.',
  503: 'The database is unavailable for a moment (restarting, unreachable): try again after `Retry-After` seconds.',
} as const;

export type ErrorStatus = keyof typeof ERROR_MEANINGS;

/** The JSON error shape under each status, described. */
export function errorResponses(...statuses: ErrorStatus[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, { ...errorSchema, description: ERROR_MEANINGS[status] }]));
}

/**
 * The same errors outside the API's root (the embeds' paths), where they are the site's HTML
 * pages: a 405 or 503 there is answered before the route, by the path alone.
 */
export function pageErrorResponses(...statuses: ErrorStatus[]): Record<number, { description: string; content: { 'text/html': { schema: TSchema } } }> {
  return Object.fromEntries(statuses.map((status) => [status, { description: ERROR_MEANINGS[status], content: { 'text/html': { schema: Type.String() } } }]));
}

/** Every status an error of a route can have, added to a route's own by the description (src/api/openapi.ts). */
export const COMMON_ERRORS: readonly ErrorStatus[] = [405, 503];
/** Added to every route of the rate-limited API. */
export const LIMITED_ERRORS: readonly ErrorStatus[] = [429];

/** The path's `package`, as the description tells it: `__all__` is all of PyPI, or of the private index named (INDEX_NAME). */
export function packageParamsOf(indexName: string | null) {
  return Type.Object({
    package: Type.String({
      description: `A package name, normalized as PyPI does (PEP 503: \`Django_REST.framework\` is \`django-rest-framework\`), at most ${MAX_NAME_LENGTH} characters of letters, digits, \`.\`, \`_\`, \`-\`; \`${ALL_PACKAGES}\` (in any case) stands for all of ${indexName ?? 'PyPI'}.`,
      examples: [ALL_PACKAGES, EXAMPLE_PACKAGE],
    }),
  });
}

/** The routes' own: what they validate is the same whatever the index, and the description is told per server (openapi.ts). */
export const packageParams = packageParamsOf(null);

const day = Type.String({ format: 'date', description: 'A UTC day, `YYYY-MM-DD`.' });
const downloads = Type.Integer({ minimum: 0, description: 'Downloads: an integer that can exceed 2^31.' });

/**
 * A day (`YYYY-MM-DD`), or a month (`YYYY-MM`) with `interval=month`: which one depends on another
 * parameter, so the handler checks it (checkedRange in package-routes.ts), saying which form was expected.
 */
export const dateParam = (description: string) => Type.String({ description });

export const recentQuery = Type.Object({
  period: Type.Optional(oneOf(RECENT_PERIODS, { description: `${RECENT_PERIODS.map((period) => `\`${period}\``).join(', ')}: only that key of \`data\`. Omitted: all three.`, examples: ['week'] })),
  mirrors: Type.Optional(oneOf(['true', 'false'], { description: 'Ours: `true` counts mirror downloads too; `false` (the default) leaves them out. The same keys either way.', examples: ['true'] })),
});

export const recentResponse = Type.Object(
  {
    data: Type.Object(
      { last_day: Type.Optional(downloads), last_month: Type.Optional(downloads), last_week: Type.Optional(downloads) },
      { additionalProperties: false, minProperties: 1 },
    ),
    package: Type.String(),
    type: Type.Literal('recent_downloads'),
  },
  { additionalProperties: false, examples: [{ data: { last_day: 1, last_month: 2, last_week: 3 }, package: 'package_name', type: 'recent_downloads' }] },
);

export const RECENT_DOC = {
  summary: 'Downloads over the last day, week and month',
  description: 'Downloads (without mirrors, unless asked) over the last day, week (7 days) and month (30 days), ending at the latest loaded day.',
};

export function seriesResponse(dimension: Dimension): TSchema {
  const categories = dimension.categories.kind === 'mirror_split' ? [WITH_MIRRORS, WITHOUT_MIRRORS] : [...dimension.filter.examples].sort(dimension.compareCategories);
  const example = { data: categories.map((category) => ({ category, date: '2018-02-08', downloads: 1 })), package: 'package_name', type: dimension.responseType };
  return Type.Object(
    {
      data: Type.Array(
        Type.Object({ category: Type.String({ description: 'A category; a missing or empty field is `null`.' }), date: day, downloads }, { additionalProperties: false }),
        { description: 'Ordered by category (in this endpoint\'s order), then date; days without downloads in a category have no row.' },
      ),
      package: Type.String({ description: 'The normalized name.' }),
      type: Type.Literal(dimension.responseType),
    },
    { additionalProperties: false, examples: [example] },
  );
}

function filterCase(dimension: Dimension): string {
  const { filter } = dimension;
  if (filter.values) return `One of ${filter.values.map((value) => `\`${value}\``).join(', ')}, in any case.`;
  if (filter.caseSensitive) return 'Matched exactly as logged: case matters.';
  if (filter.matchesAnyCase) return 'Categories are kept as logged; the value matches them in any case, so it may select several spellings.';
  return 'In any case.';
}

export function seriesDoc(dimension: Dimension) {
  const scopeNote = dimension.scope === 'package' ? ` Per package: \`${ALL_PACKAGES}/${dimension.name}\` answers \`404\`, since a ${dimension.name} of one package summed across packages means nothing.` : '';
  return {
    summary: dimension.title,
    description: `${dimension.description} \`type\` is \`${dimension.responseType}\`.${scopeNote}`,
    filter: `${dimension.filter.description} ${filterCase(dimension)} A value that matches no category answers \`200\` with \`"data": []\`.`,
    startDate: 'Ours: the first day, `YYYY-MM-DD`, inclusive; with `interval=month`, the first month, `YYYY-MM`.',
    endDate: 'Ours: the last day, `YYYY-MM-DD`, inclusive; not before `start_date`; with `interval=month`, the last month, `YYYY-MM`.',
    interval: 'Ours: `day` (the default, the seed\'s answer) gives a row per day of the kept days; `month` a row per UTC month (`"date": "YYYY-MM"`) of every month held, kept forever beyond the days\' retention, the month in progress included (partial: see `/months`). Filters and `top` work by month too.',
    format: 'Ours: `json` (the default) or `csv` (`text/csv; charset=utf-8`: a header line `category,date,downloads`, then the rows in the JSON\'s order, RFC 4180 quoting). `Accept: text/csv` asks for CSV too.',
    top: `Ours: ${TOP_CATEGORIES.min} to ${TOP_CATEGORIES.max}. Only the N categories with the most downloads over the asked range (a tie goes to the category first in this endpoint's order), in this endpoint's order; the others are left out, not summed into one.`,
  };
}

export function turnedOffDoc(dimension: Dimension) {
  return {
    summary: `${dimension.title} (turned off here)`,
    description: `${dimension.description} Turned off on this server: it answers \`404\` with a JSON error saying so (the operator's \`DIMENSIONS\` leaves it out).`,
  };
}

const limitParam = Type.Integer({
  minimum: TOP_LIMIT.min,
  maximum: TOP_LIMIT.max,
  default: TOP_LIMIT.default,
  description: `How many packages: ${TOP_LIMIT.min} to ${TOP_LIMIT.max}, ${TOP_LIMIT.default} by default.`,
  examples: [10],
});

const periodsSentence = (periods: readonly (keyof typeof PERIOD_DAYS)[]) => periods.map((period) => `\`${period}\` (${PERIOD_DAYS[period]} day${PERIOD_DAYS[period] === 1 ? '' : 's'})`).join(', ');

export const topQuery = Type.Object({
  period: Type.Optional(oneOf(TOP_PERIODS, { description: `${periodsSentence(TOP_PERIODS)}, ending at the latest loaded day; \`month\` by default.`, examples: ['week'] })),
  limit: Type.Optional(limitParam),
});

export const trendingQuery = Type.Object({
  period: Type.Optional(oneOf(TRENDING_PERIODS, { description: `${periodsSentence(TRENDING_PERIODS)}, ending at the latest loaded day, against as many days before them; \`week\` by default.`, examples: ['month'] })),
  limit: Type.Optional(limitParam),
});

const rank = Type.Integer({ minimum: 1, description: 'The place in the list, from 1.' });
const listFields = {
  date: Type.String({ format: 'date', description: 'The latest loaded day: where the period ends.' }),
};

export const topResponse = Type.Object(
  {
    data: Type.Array(Type.Object({ downloads, package: Type.String(), rank }, { additionalProperties: false })),
    ...listFields,
    period: oneOf(TOP_PERIODS),
    type: Type.Literal('top_packages'),
  },
  { additionalProperties: false, examples: [{ data: [{ downloads: 123, package: 'boto3', rank: 1 }], date: '2026-11-30', period: 'month', type: 'top_packages' }] },
);

export const trendingResponse = Type.Object(
  {
    data: Type.Array(
      Type.Object(
        {
          downloads,
          growth: Type.Number({ exclusiveMinimum: 1, description: '`downloads` divided by `previous`, to 4 decimals.' }),
          package: Type.String(),
          previous: Type.Integer({ minimum: 0, description: 'Downloads over the period before.' }),
          rank,
        },
        { additionalProperties: false },
      ),
    ),
    ...listFields,
    period: oneOf(TRENDING_PERIODS),
    type: Type.Literal('trending_packages'),
  },
  {
    additionalProperties: false,
    examples: [{ data: [{ downloads: 3000, growth: 2.5, package: 'uv', previous: 1200, rank: 1 }], date: '2026-11-30', period: 'week', type: 'trending_packages' }],
  },
);

export const TOP_DOC = {
  summary: 'The most downloaded packages',
  description:
    'Packages by downloads without mirrors over the period ending at the latest loaded day, most first; a tie goes to the name first in code-point order. `__all__` is not in the list. Ranked when a day is loaded, up to 1000 packages. No day loaded yet: `404`.',
};

export const TRENDING_DOC = {
  summary: 'The packages whose downloads grew most',
  description: `Packages by growth: downloads without mirrors over the period ending at the latest loaded day, divided by those of the period just before it. Only packages that grew, and that had at least ${TRENDING_FLOOR_PER_DAY} downloads a day on average in the period before (so a package going from 1 to 10 is not news). A tie in growth goes to the package with more downloads, then to the name. Empty until two whole periods are loaded. Ranked when a day is loaded, up to 1000 packages. No day loaded yet: \`404\`.`,
};
