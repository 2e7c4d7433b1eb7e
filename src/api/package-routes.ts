/**
 * The pypistats.org JSON API: `/recent` and one endpoint per dimension of the registry, under
 * `/api/packages/<package>/` (the live service's path) and `/api/package/<package>/` (the seed's).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { seedDimensions as dimensions, type Dimension } from '../domain/dimensions.js';
import { checkPackageName, describeNameProblem } from '../domain/names.js';
import type { Store } from '../store/types.js';
import { sendError } from './errors.js';
import { recentBody, RECENT_PERIODS, seriesBody, type RecentPeriod } from './responses.js';
import type { Answer, ResponseCache } from './response-cache.js';

/** Where the routes sit under the API's root, `/api` (the app registers them there). */
const PACKAGE_PREFIXES = ['/packages', '/package'] as const;
export const API_PREFIXES = PACKAGE_PREFIXES.map((prefix) => `/api${prefix}`);

const dateParam = Type.String({ format: 'date' });
const filterValueMaxLength = 64;

function filterSchema(dimension: Dimension): TSchema {
  const { values } = dimension.filter;
  return values ? oneOf(values) : Type.String({ maxLength: filterValueMaxLength });
}

/** A plain `enum`, so a wrong value reads "must be one of: …" rather than a failed `anyOf`. */
function oneOf(values: readonly string[]): TSchema {
  return Type.Unsafe<string>({ type: 'string', enum: [...values] });
}

const recentQuery = Type.Object({ period: Type.Optional(oneOf(RECENT_PERIODS)) });

/**
 * The edge's rules for every endpoint's query, from its schema: a parameter it does not take is a
 * 400 naming it (a typo must not silently mean "no filter"), and every value is case-insensitive
 * (`period=WEEK`, `mirrors=TRUE`, `version=NULL`, `os=LINUX`), so values are lowercased before
 * the schema checks them. The empty name of the Python client's `?&` is no parameter.
 */
function queryRules(endpoint: string, schema: TSchema) {
  const names = Object.keys(schema.properties as Record<string, unknown>);
  const takes = new Set(names);
  return {
    schema: { querystring: schema },
    preValidation: async (request: FastifyRequest, reply: FastifyReply) => {
      const query = request.query as Record<string, string | string[]>;
      const unknown = Object.keys(query).filter((name) => name !== '' && !takes.has(name));
      if (unknown.length > 0) {
        const what = unknown.length === 1 ? 'parameter' : 'parameters';
        return sendError(reply, 400, `unknown ${what}: ${unknown.join(', ')} (${endpoint} takes ${names.join(', ')})`);
      }
      for (const name of names) {
        const value = query[name];
        if (typeof value === 'string') query[name] = value.toLowerCase();
        else if (Array.isArray(value)) query[name] = value.map((v) => v.toLowerCase());
      }
    },
  };
}

function seriesQuery(dimension: Dimension) {
  return Type.Object({
    [dimension.filter.param]: Type.Optional(filterSchema(dimension)),
    start_date: Type.Optional(dateParam),
    end_date: Type.Optional(dateParam),
  });
}

type PackageRequest = FastifyRequest<{ Params: { package: string }; Querystring: Record<string, string | undefined> }>;

export interface PackageRoutesOptions {
  store: Store;
  cache: ResponseCache;
}

export const packageRoutes: FastifyPluginAsync<PackageRoutesOptions> = async (app, { store, cache }) => {
  /** The normalized name, or the 400 already sent. */
  function packageName(request: PackageRequest, reply: FastifyReply): string | null {
    const check = checkPackageName(request.params.package);
    if (check.ok) return check.name;
    sendError(reply, 400, describeNameProblem(check.reason));
    return null;
  }

  const seriesRules = new Map(dimensions.map((dimension) => [dimension, queryRules(dimension.name, seriesQuery(dimension))]));
  const missing = (name: string): Answer => ({ status: 404, error: `no downloads of package "${name}" are known` });

  const recentRules = queryRules('recent', recentQuery);
  for (const prefix of PACKAGE_PREFIXES) {
    app.get(`${prefix}/:package/recent`, recentRules, async (request: PackageRequest, reply) => {
      const name = packageName(request, reply);
      if (name === null) return reply;
      const period = request.query.period as RecentPeriod | undefined;
      return cache.send(request, reply, `recent\u0000${name}\u0000${period ?? ''}`, async () => {
        const latest = await store.latestDay();
        if (latest === null) return missing(name);
        const recent = await store.recent(name, latest);
        // Only a package with nothing in the last 30 days costs the question whether it exists.
        if (recent.lastMonth === 0 && !(await store.hasPackage(name))) return missing(name);
        return { status: 200, body: recentBody(name, recent, period) };
      });
    });

    for (const dimension of dimensions) {
      app.get(`${prefix}/:package/${dimension.name}`, seriesRules.get(dimension)!, async (request: PackageRequest, reply) => {
        const name = packageName(request, reply);
        if (name === null) return reply;
        const { start_date: start, end_date: end } = request.query;
        if (start && end && start > end) return sendError(reply, 400, 'start_date must not be after end_date');
        const filterValue = request.query[dimension.filter.param];
        const category = filterValue === undefined ? undefined : dimension.filter.toCategory(filterValue);
        const key = [dimension.name, name, category ?? '', start ?? '', end ?? ''].join('\u0000');
        return cache.send(request, reply, key, async () => {
          let points = await store.series(name, dimension.name, { start, end });
          if (points.length === 0 && !(await store.hasPackage(name))) return missing(name);
          if (category !== undefined) points = points.filter((point) => point.category === category);
          return { status: 200, body: seriesBody(name, dimension, points) };
        });
      });
    }
  }
};
