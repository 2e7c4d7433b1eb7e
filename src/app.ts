/** The HTTP application: the API and pages over a store. It never knows which store it is. */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import type { Config, ServerLimitsConfig } from './config.js';
import { serverLimits } from './config/server-limits.js';
import type { PackageMetadataSource } from './domain/package-metadata.js';
import type { Store } from './store/types.js';
import { describeValidationError, registerErrorHandlers, sendError } from './api/errors.js';
import { packageRoutes } from './api/package-routes.js';
import { limitRequests } from './api/rate-limit.js';
import { ResponseCache } from './api/response-cache.js';
import { siteRoutes } from './api/site-routes.js';
import { ClientRateLimiter, rateWindows, type SharedCounts } from './rate-limit/limiter.js';
import { loadAssets } from './web/assets.js';
import { pageNotFound } from './web/pages/not-found.js';
import { sendPage } from './web/send-page.js';
import { webRoutes } from './web/web-routes.js';

export interface AppOptions {
  store: Store;
  config: Pick<Config, 'retentionDays' | 'cacheMaxAge' | 'logLevel' | 'rateLimit' | 'trustedProxies' | 'mirrorInstallers'> &
    // Unset: the defaults' timeouts and cap, and package pages not limited.
    Partial<Pick<Config, 'server' | 'pageRateLimit'>>;
  /** Where the processes serving together share their rate-limit counts; without it, each counts its own. */
  sharedRateLimits?: SharedCounts | undefined;
  /** What PyPI says of a package, for its page; without it, pages show downloads only. */
  metadata?: PackageMetadataSource;
}

const noMetadata: PackageMetadataSource = { metadata: async () => null };

/** The API takes no bodies: a request with one is refused before much of it is read. */
const BODY_LIMIT_BYTES = 1024;
/**
 * How often Node looks for requests past their headers or request timeout: its default, 30 s,
 * would let a stalled client stay up to that much longer than the timeout says.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

export async function buildApp({ store, config, sharedRateLimits, metadata = noMetadata }: AppOptions): Promise<FastifyInstance> {
  const assets = await loadAssets();
  const limits: ServerLimitsConfig = config.server ?? serverLimits({}, 0);
  const app = Fastify({
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
    requestTimeout: limits.requestTimeoutMs,
    // A socket silent both ways (connected, never a byte) is closed too; a slow answer is not cut
    // before a whole request's time.
    connectionTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    bodyLimit: BODY_LIMIT_BYTES,
    // Idle keep-alive sockets do not hold the shutdown; `serve` closes the rest at its deadline.
    forceCloseConnections: 'idle',
    // Only a configured proxy's X-Forwarded-For names the client; anyone else could forge it.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    logger: { level: config.logLevel },
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    // Long names must reach the handler to get their 400, not fall through to a 404.
    routerOptions: { maxParamLength: 16_384, ignoreTrailingSlash: true },
    schemaErrorFormatter: (errors, dataVar) => new Error(describeValidationError(errors, dataVar)),
    // A request that was on its way when SIGTERM came is answered, not turned away.
    return503OnClosing: false,
    // Errors before routing (a URL with bad percent-encoding) are JSON too.
    frameworkErrors: (error, request, reply) =>
      sendError(reply, 400, error.code === 'FST_ERR_BAD_URL' ? `the URL is not valid: ${request.url}` : error.message),
  });
  // Past the cap a new connection is closed by Node before anything is read.
  app.server.maxConnections = limits.maxConnections;
  registerErrorHandlers(app, { pageNotFound: (request, reply) => sendPage(reply, 404, pageNotFound(assets, request.url.split('?')[0]!)) });
  await app.register(cors, { origin: '*', methods: ['GET', 'HEAD'] });
  const cache = new ResponseCache(store, config.cacheMaxAge);
  const windows = rateWindows(config.rateLimit);
  await app.register(async (api) => {
    if (windows.length > 0) {
      const limiter = new ClientRateLimiter({ windows, shared: sharedRateLimits, log: app.log });
      limitRequests(api, { limiter, isRevalidation: (request) => cache.isRevalidation(request) });
    }
    await api.register(packageRoutes, { store, cache });
  });
  await app.register(siteRoutes, { store });
  const pageWindows = rateWindows(config.pageRateLimit ?? { perSecond: 0, perMinute: 0 });
  const pageLimiter =
    pageWindows.length > 0
      ? new ClientRateLimiter({
          windows: pageWindows,
          shared: sharedRateLimits && { client: sharedRateLimits.client, keyPrefix: `${sharedRateLimits.keyPrefix}pages:` },
          log: app.log,
        })
      : undefined;
  await app.register(webRoutes, { store, config, metadata, assets, pageLimiter });
  return app;
}
