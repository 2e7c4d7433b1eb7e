/**
 * History beyond retention: `/months` (which months are held, how complete each is) and `/total`
 * (all-time downloads), under both prefixes, cached per data version like every answer. The
 * schemas are TypeBox, querystring and response both, for the OpenAPI description.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { checkPackageName, describeNameProblem } from '../domain/names.js';
import type { Store } from '../store/types.js';
import { sendError } from './errors.js';
import { PACKAGE_PREFIXES, queryRules } from './package-routes.js';
import { errorResponses, EXAMPLE_PACKAGE, packageParams, TAGS } from './schemas.js';
import type { ResponseCache } from './response-cache.js';

export const monthsResponse = Type.Object({
  data: Type.Array(
    Type.Object({
      date: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', description: 'the UTC month, YYYY-MM' }),
      days: Type.Integer({ minimum: 28, maximum: 31, description: "the month's days" }),
      days_loaded: Type.Integer({ minimum: 0, maximum: 31, description: 'the days its downloads were counted from; fewer than days: a partial month' }),
      source: Type.Union([Type.Literal('daily'), Type.Literal('backfill')], { description: '`backfill` when a history backfill counted any of its days' }),
    }),
  ),
  package: Type.String(),
  type: Type.Literal('months'),
});

export const totalResponse = Type.Object({
  data: Type.Object({
    first_month: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}$', description: 'the first month with downloads' }),
    with_mirrors: Type.Integer({ minimum: 0 }),
    without_mirrors: Type.Integer({ minimum: 0 }),
  }),
  package: Type.String(),
  type: Type.Literal('total_downloads'),
});

type PackageRequest = FastifyRequest<{ Params: { package: string } }>;

export interface MonthRoutesOptions {
  store: Store;
  cache: ResponseCache;
}

export const monthRoutes: FastifyPluginAsync<MonthRoutesOptions> = async (app, { store, cache }) => {
  function packageName(request: PackageRequest, reply: FastifyReply): string | null {
    const check = checkPackageName(request.params.package);
    if (check.ok) return check.name;
    sendError(reply, 400, describeNameProblem(check.reason));
    return null;
  }
  const missing = (name: string) => ({ status: 404 as const, error: `no downloads of package "${name}" are known` });
  const rules = (endpoint: string, summary: string, description: string, response: typeof monthsResponse | typeof totalResponse) =>
    queryRules(endpoint, Type.Object({}), {
      summary,
      description,
      tags: [TAGS.package],
      params: packageParams,
      response: { 200: response, ...errorResponses(400, 404) },
      'x-example-package': EXAMPLE_PACKAGE,
    });
  const monthsRules = rules(
    'months',
    'Months held',
    'Ours: which months are held for the package (kept forever, beyond the days of daily rows) and how complete each is: `days` the month\'s days, `days_loaded` those its downloads were counted from (fewer: a partial month, such as the month in progress), `source` `daily` (summed from the days loaded) or `backfill` (a history backfill counted some of its days). `type` is `months`.',
    monthsResponse,
  );
  const totalRules = rules(
    'total',
    'All-time downloads',
    'Ours: all-time downloads over every month held, with and without mirrors, and the first month with downloads. `type` is `total_downloads`.',
    totalResponse,
  );

  for (const prefix of PACKAGE_PREFIXES) {
    app.get(`${prefix}/:package/months`, monthsRules, async (request: PackageRequest, reply) => {
      const name = packageName(request, reply);
      if (name === null) return reply;
      return cache.send(request, reply, JSON.stringify(['months', name]), async () => {
        const months = await store.heldMonths(name);
        if (months.length === 0) return missing(name);
        // Keys in alphabetical order, as every answer.
        const data = months.map((month) => ({ date: month.month, days: month.days, days_loaded: month.daysLoaded, source: month.source }));
        return { status: 200, body: JSON.stringify({ data, package: name, type: 'months' }) };
      });
    });

    app.get(`${prefix}/:package/total`, totalRules, async (request: PackageRequest, reply) => {
      const name = packageName(request, reply);
      if (name === null) return reply;
      return cache.send(request, reply, JSON.stringify(['total', name]), async () => {
        const total = await store.allTimeTotals(name);
        if (!total) return missing(name);
        const data = { first_month: total.firstMonth, with_mirrors: total.withMirrors, without_mirrors: total.withoutMirrors };
        return { status: 200, body: JSON.stringify({ data, package: name, type: 'total_downloads' }) };
      });
    });
  }
};
