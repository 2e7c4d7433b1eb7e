/** Health checks, for load balancers and monitors. */
import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '../store/types.js';

export interface SiteRoutesOptions {
  store: Store;
}

export const siteRoutes: FastifyPluginAsync<SiteRoutesOptions> = async (app, { store }) => {
  // The router ignores trailing slashes: this also answers `/_health/`.
  for (const url of ['/health', '/_health']) {
    app.get(url, async (_request, reply) => {
      await store.dataVersion();
      return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send('OK');
    });
  }
};
