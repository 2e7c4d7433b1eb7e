/** The plain pages: the API page, health checks, and the front door. */
import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '../store/types.js';
import type { RateLimits } from '../rate-limit/limiter.js';
import { apiPage } from './api-page.js';

export interface SiteRoutesOptions {
  store: Store;
  retentionDays: number;
  rateLimit: RateLimits;
}

export const siteRoutes: FastifyPluginAsync<SiteRoutesOptions> = async (app, { store, retentionDays, rateLimit }) => {
  const page = apiPage({ retentionDays, rateLimit });
  // The router ignores trailing slashes: these also answer `/api/` and `/_health/`.
  app.get('/api', (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'public, max-age=3600').send(page));
  for (const url of ['/health', '/_health']) {
    app.get(url, async (_request, reply) => {
      await store.dataVersion();
      return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').send('OK');
    });
  }
  // The website arrives later; until then the front door is the API page.
  app.get('/', (_request, reply) => reply.redirect('/api', 302));
};
