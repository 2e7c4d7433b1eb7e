/** Health checks, for load balancers and monitors. */
import type { FastifyPluginAsync } from 'fastify';
import { isStoreUnavailable, type Store } from '../store/types.js';
import { STORE_RETRY_AFTER_SECONDS } from './errors.js';

export interface SiteRoutesOptions {
  store: Store;
}

export const siteRoutes: FastifyPluginAsync<SiteRoutesOptions> = async (app, { store }) => {
  // The router ignores trailing slashes: this also answers `/_health/`.
  for (const url of ['/health', '/_health']) {
    app.get(url, async (request, reply) => {
      reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store');
      try {
        await store.dataVersion();
      } catch (error) {
        if (!isStoreUnavailable(error)) throw error;
        // An instance that cannot reach its database answers nothing but 503s: a load balancer takes it out.
        request.log.warn(error.message);
        return reply.code(503).header('retry-after', String(STORE_RETRY_AFTER_SECONDS)).send('the database is unavailable');
      }
      return reply.send('OK');
    });
  }
};
