/**
 * The pypistats.org JSON API: `/recent` and one endpoint per dimension of the registry, under
 * `/api/packages/<package>/` (the live service's path) and `/api/package/<package>/` (the seed's).
 * Every dimension of the registry has its path; one turned off on this server (DIMENSIONS) answers
 * a 404 saying so, not the unknown-path 404, so a client can tell a typo from a deployment choice.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { INTERVALS, TOP_CATEGORIES, type Interval, type RecentPeriod } from '../domain/api-parameters.js';
import { isDay } from '../domain/dates.js';
import { isMonth } from '../domain/months.js';
import { dimensions as registry, MAX_CATEGORY_LENGTH, type Dimension } from '../domain/dimensions.js';
import { ALL_PACKAGES, checkPackageName, describeNameProblem } from '../domain/names.js';
import type { SeriesPoint, SeriesRange, Store } from '../store/types.js';
import { sendError } from './errors.js';
import { recentBody } from './responses.js';
import { dateParam, errorResponses, EXAMPLE_PACKAGE, oneOf, packageParams, RECENT_DOC, recentQuery, recentResponse, seriesDoc, seriesResponse, TAGS, turnedOffDoc } from './schemas.js';
import { SERIES_FORMATS, seriesAnswer, seriesFormat } from './series-formats.js';
import type { Answer, ResponseCache } from './response-cache.js';

/** Where the routes sit under the API's root, `/api` (the app registers them there). */
export const PACKAGE_PREFIXES = ['/packages', '/package'] as const;
export const API_PREFIXES = PACKAGE_PREFIXES.map((prefix) => `/api${prefix}`);

/** The seed's categories are a few characters long; 64 was their bound before there were others. */
const SEED_FILTER_MAX_LENGTH = 64;

function filterSchema(dimension: Dimension, description: string): TSchema {
  const { values } = dimension.filter;
  const examples = [dimension.filter.examples[0]!];
  if (values) return oneOf(values, { description, examples });
  // No category is longer than the registry keeps, so a longer value could match none.
  return Type.String({ maxLength: dimension.seed ? SEED_FILTER_MAX_LENGTH : MAX_CATEGORY_LENGTH, description, examples });
}

/** What a route says of itself for the OpenAPI description: see ./schemas.ts. */
export interface RouteDescription {
  summary: string;
  description: string;
  tags: string[];
  params?: TSchema;
  /** A schema; OpenAPI's `{ description, content: { <media type>: { schema } } }` for a status answered in other or several types; or a body-less one (304). */
  response: Record<number, TSchema | { description: string; content: Record<string, { schema: TSchema }> } | { description: string; type: 'null' }>;
  /** The package the `/api` page's examples name (OpenAPI lets `x-` keys through to the operation). */
  'x-example-package'?: string;
}

/**
 * The edge's rules for every endpoint's query, from its schema: a parameter it does not take is a
 * 400 naming it (a typo must not silently mean "no filter"), and so is one given twice; values are
 * case-insensitive (`period=WEEK`, `mirrors=TRUE`, `version=NULL` on python_major, `os=LINUX`), so
 * they are lowercased before the schema checks them, except those of `keepCase` (a package version
 * is matched exactly as logged). The empty name of the Python client's `?&` is no parameter.
 */
export function queryRules(endpoint: string, schema: TSchema, described: RouteDescription, keepCase: ReadonlySet<string> = new Set()) {
  const names = Object.keys(schema.properties as Record<string, unknown>);
  const takes = new Set(names);
  return {
    schema: { ...described, querystring: schema },
    preValidation: async (request: FastifyRequest, reply: FastifyReply) => {
      const query = request.query as Record<string, string | string[]>;
      const unknown = Object.keys(query).filter((name) => name !== '' && !takes.has(name));
      if (unknown.length > 0) {
        const what = unknown.length === 1 ? 'parameter' : 'parameters';
        return sendError(reply, 400, `unknown ${what}: ${unknown.join(', ')} (${endpoint} takes ${names.join(', ')})`);
      }
      for (const name of names) {
        const value = query[name];
        if (Array.isArray(value)) return sendError(reply, 400, `${name} must be given at most once`);
        if (typeof value === 'string' && !keepCase.has(name)) query[name] = value.toLowerCase();
      }
    },
  };
}

/** Every dimension but overall is a breakdown, and ranks its categories with `top`. */
function isBreakdown(dimension: Dimension): boolean {
  return dimension.categories.kind !== 'mirror_split';
}

function seriesQuery(dimension: Dimension) {
  const doc = seriesDoc(dimension);
  return Type.Object({
    [dimension.filter.param]: Type.Optional(filterSchema(dimension, doc.filter)),
    start_date: Type.Optional(dateParam(doc.startDate)),
    end_date: Type.Optional(dateParam(doc.endDate)),
    interval: Type.Optional(oneOf(INTERVALS, { description: doc.interval, examples: ['month'] })),
    format: Type.Optional(oneOf(SERIES_FORMATS, { description: doc.format, examples: ['csv'] })),
    ...(isBreakdown(dimension) ? { top: Type.Optional(Type.Integer({ minimum: TOP_CATEGORIES.min, maximum: TOP_CATEGORIES.max, description: doc.top, examples: [3] })) } : {}),
  });
}

/** The series as JSON, or as CSV when `format=csv` or `Accept: text/csv` asks for it. */
function seriesResponses(dimension: Dimension) {
  return {
    description: 'The series: JSON by default, CSV when asked.',
    content: {
      'application/json': { schema: seriesResponse(dimension) },
      'text/csv': { schema: Type.String({ description: 'A header line `category,date,downloads`, then the rows in the JSON\'s order (RFC 4180).' }) },
    },
  };
}

function seriesDescription(dimension: Dimension): RouteDescription {
  const { summary, description } = seriesDoc(dimension);
  const examplePackage = dimension.scope === 'package' ? EXAMPLE_PACKAGE : ALL_PACKAGES;
  return { summary, description, tags: [TAGS.package], params: packageParams, response: { 200: seriesResponses(dimension), ...errorResponses(400, 404) }, 'x-example-package': examplePackage };
}

/**
 * Which categories a filter value selects: one category, exactly (the store reads only it); or,
 * for a dimension whose categories are kept as logged (`Ubuntu`, `ubuntu`), every category equal
 * to the value in any case, found among the package's categories.
 */
type Selection = { kind: 'every' } | { kind: 'category'; category: string } | { kind: 'any_case'; lowercased: string };

function selection(dimension: Dimension, value: string | undefined): Selection {
  if (value === undefined) return { kind: 'every' };
  // Values arrive lowercased unless the filter is case-sensitive (see queryRules).
  if (dimension.filter.matchesAnyCase) return { kind: 'any_case', lowercased: value.toLowerCase() };
  return { kind: 'category', category: dimension.filter.toCategory(value) };
}

function selects(chosen: Selection, category: string): boolean {
  switch (chosen.kind) {
    case 'every':
      return true;
    case 'category':
      return category === chosen.category;
    case 'any_case':
      return category.toLowerCase() === chosen.lowercased;
  }
}

/**
 * The `top` categories by downloads over the range, a tie going to the category first in the
 * dimension's order, so the same data always keeps the same categories.
 */
function topCategories(dimension: Dimension, totals: ReadonlyMap<string, number>, top: number): string[] {
  return [...totals]
    .sort(([a, downloadsA], [b, downloadsB]) => downloadsB - downloadsA || dimension.compareCategories(a, b))
    .slice(0, top)
    .map(([category]) => category);
}

/**
 * The points a request asks for. A plain series, or one category, is one read; `top` and an
 * any-case filter first sum the package's categories (no point per day), then read those kept.
 */
async function selectedPoints(reads: SeriesReads, name: string, dimension: Dimension, range: SeriesRange, chosen: Selection, top: number | undefined): Promise<SeriesPoint[]> {
  if (top === undefined && chosen.kind !== 'any_case') {
    return reads.series(name, dimension.name, range, chosen.kind === 'category' ? new Set([chosen.category]) : undefined);
  }
  const totals = new Map([...(await reads.categoryTotals(name, dimension.name, range))].filter(([category]) => selects(chosen, category)));
  const kept = top === undefined ? [...totals.keys()] : topCategories(dimension, totals, top);
  if (kept.length === 0) return [];
  return reads.series(name, dimension.name, range, new Set(kept));
}

/** A time series' reads at one interval: days (held for the retention window) or months (kept forever). */
interface SeriesReads {
  series(name: string, dimension: string, range: SeriesRange, only?: ReadonlySet<string>): Promise<SeriesPoint[]>;
  categoryTotals(name: string, dimension: string, range: SeriesRange): Promise<Map<string, number>>;
  /** Whether the package has anything at this interval: a 404 otherwise. */
  has(name: string): Promise<boolean>;
}

function seriesReads(store: Store, interval: Interval): SeriesReads {
  if (interval === 'month') {
    return {
      series: (name, dimension, range, only) => store.monthSeries(name, dimension, range, only),
      categoryTotals: (name, dimension, range) => store.monthCategoryTotals(name, dimension, range),
      has: async (name) => (await store.heldMonths(name)).length > 0,
    };
  }
  return {
    series: (name, dimension, range, only) => store.series(name, dimension, range, only),
    categoryTotals: (name, dimension, range) => store.categoryTotals(name, dimension, range),
    has: (name) => store.hasPackage(name),
  };
}

/** `start_date` and `end_date` as the interval reads them (days, or months with interval=month), or the 400's message. */
function checkedRange(interval: Interval, start: string | undefined, end: string | undefined): SeriesRange | string {
  const [valid, form] = interval === 'month' ? [isMonth, 'a month as YYYY-MM with interval=month'] : [isDay, 'a date as YYYY-MM-DD'];
  for (const [param, value] of [['start_date', start], ['end_date', end]] as const) {
    if (value !== undefined && !valid(value)) return `${param} must be ${form}`;
  }
  if (start && end && start > end) return 'start_date must not be after end_date';
  return { start, end };
}

type PackageRequest = FastifyRequest<{ Params: { package: string }; Querystring: Record<string, string | number | undefined> }>;

export interface PackageRoutesOptions {
  store: Store;
  cache: ResponseCache;
  /** The dimensions on (enabledDimensions(config.dimensions)); the registry's others answer 404 saying they are off. */
  dimensions: readonly Dimension[];
}

export const packageRoutes: FastifyPluginAsync<PackageRoutesOptions> = async (app, { store, cache, dimensions }) => {
  /** The normalized name, or the 400 already sent. */
  function packageName(request: PackageRequest, reply: FastifyReply): string | null {
    const check = checkPackageName(request.params.package);
    if (check.ok) return check.name;
    sendError(reply, 400, describeNameProblem(check.reason));
    return null;
  }

  const enabled = new Set(dimensions.map((dimension) => dimension.name));
  const seriesRules = new Map(
    registry.map((dimension) => {
      const keepCase = new Set(dimension.filter.caseSensitive ? [dimension.filter.param] : []);
      return [dimension, queryRules(dimension.name, seriesQuery(dimension), seriesDescription(dimension), keepCase)];
    }),
  );
  const missing = (name: string): Answer => ({ status: 404, error: `no downloads of package "${name}" are known` });

  const recentRules = queryRules('recent', recentQuery, {
    ...RECENT_DOC,
    tags: [TAGS.package],
    params: packageParams,
    response: { 200: recentResponse, ...errorResponses(400, 404) },
  });
  for (const prefix of PACKAGE_PREFIXES) {
    app.get(`${prefix}/:package/recent`, recentRules, async (request: PackageRequest, reply) => {
      const name = packageName(request, reply);
      if (name === null) return reply;
      const period = request.query.period as RecentPeriod | undefined;
      const mirrors = request.query.mirrors === 'true';
      return cache.send(request, reply, JSON.stringify(['recent', name, period ?? null, mirrors]), async () => {
        const latest = await store.latestDay();
        // No day loaded yet (a deployment that only backfilled): a package known from months downloaded nothing recently.
        const recent = latest === null ? { lastDay: 0, lastWeek: 0, lastMonth: 0 } : await store.recent(name, latest, { mirrors });
        // Only a package with nothing in the last 30 days costs the question whether it exists.
        if (recent.lastMonth === 0 && !(await store.hasPackage(name))) return missing(name);
        return { status: 200, body: recentBody(name, recent, period) };
      });
    });

    for (const dimension of registry) {
      const url = `${prefix}/:package/${dimension.name}`;
      if (!enabled.has(dimension.name)) {
        // Whatever the name and parameters: nothing of this breakdown is kept here to answer with.
        const schema = { ...turnedOffDoc(dimension), tags: [TAGS.off], params: packageParams, response: errorResponses(404) };
        app.get(url, { schema }, async (_request, reply) => sendError(reply, 404, `the ${dimension.name} breakdown is turned off on this server`));
        continue;
      }
      app.get(url, seriesRules.get(dimension)!, async (request: PackageRequest, reply) => {
        const name = packageName(request, reply);
        if (name === null) return reply;
        if (dimension.scope === 'package' && name === ALL_PACKAGES) {
          return sendError(reply, 404, `${ALL_PACKAGES} has no ${dimension.name} breakdown: a ${dimension.name} belongs to one package, so its downloads are kept per package only`);
        }
        const { start_date: start, end_date: end } = request.query as Record<string, string | undefined>;
        const interval = (request.query.interval as Interval | undefined) ?? 'day';
        const range = checkedRange(interval, start, end);
        if (typeof range === 'string') return sendError(reply, 400, range);
        const chosen = selection(dimension, request.query[dimension.filter.param] as string | undefined);
        const top = request.query.top as number | undefined;
        const format = seriesFormat(request, request.query.format as string | undefined);
        // The answer depends on Accept when `format` is absent: shared caches must key on it.
        reply.header('vary', 'accept');
        const key = JSON.stringify([dimension.name, name, chosen, start ?? null, end ?? null, top ?? null, interval, format]);
        const reads = seriesReads(store, interval);
        return cache.send(
          request,
          reply,
          key,
          async () => {
            const points = await selectedPoints(reads, name, dimension, range, chosen, top);
            if (points.length === 0 && !(await reads.has(name))) return missing(name);
            return seriesAnswer(format, name, dimension, points);
          },
          format === 'json' ? {} : { variant: format },
        );
      });
    }
  }
};
