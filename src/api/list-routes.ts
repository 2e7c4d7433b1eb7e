/**
 * `/api/top` and `/api/trending`: lists ranked when a day is loaded (src/store/derived-lists.ts),
 * read here a few rows at a time, and kept per data version with the rest of the API's answers.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { TOP_LIMIT, type TopPeriod, type TrendingPeriod } from '../domain/api-parameters.js';
import type { Store } from '../store/types.js';
import { queryRules } from './package-routes.js';
import { topBody, trendingBody } from './responses.js';
import type { Answer, ResponseCache } from './response-cache.js';
import { errorResponses, TAGS, TOP_DOC, topQuery, topResponse, TRENDING_DOC, trendingQuery, trendingResponse } from './schemas.js';

export interface ListRoutesOptions {
  store: Store;
  cache: ResponseCache;
}

const DEFAULT_PERIODS = { top: 'month', trending: 'week' } as const satisfies { top: TopPeriod; trending: TrendingPeriod };

type ListRequest = FastifyRequest<{ Querystring: { period?: string; limit?: number } }>;

const NOTHING_LOADED: Answer = { status: 404, error: 'no day of downloads is loaded yet' };

export const listRoutes: FastifyPluginAsync<ListRoutesOptions> = async (app, { store, cache }) => {
  const topRules = queryRules('top', topQuery, { ...TOP_DOC, tags: [TAGS.lists], response: { 200: topResponse, ...errorResponses(400, 404) } });
  app.get('/top', topRules, async (request: ListRequest, reply) => {
    const period = (request.query.period ?? DEFAULT_PERIODS.top) as TopPeriod;
    const limit = request.query.limit ?? TOP_LIMIT.default;
    return cache.send(request, reply, JSON.stringify(['top', period, limit]), async () => {
      const latest = await store.latestDay();
      if (latest === null) return NOTHING_LOADED;
      return { status: 200, body: topBody(latest, period, await store.topPackages(period, limit)) };
    });
  });

  const trendingRules = queryRules('trending', trendingQuery, { ...TRENDING_DOC, tags: [TAGS.lists], response: { 200: trendingResponse, ...errorResponses(400, 404) } });
  app.get('/trending', trendingRules, async (request: ListRequest, reply) => {
    const period = (request.query.period ?? DEFAULT_PERIODS.trending) as TrendingPeriod;
    const limit = request.query.limit ?? TOP_LIMIT.default;
    return cache.send(request, reply, JSON.stringify(['trending', period, limit]), async () => {
      const latest = await store.latestDay();
      if (latest === null) return NOTHING_LOADED;
      return { status: 200, body: trendingBody(latest, period, await store.trendingPackages(period, limit)) };
    });
  });
};
