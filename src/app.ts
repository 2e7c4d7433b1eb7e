/** The HTTP application: the API and pages over a store. It never knows which store it is. */
import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import { DEFAULT_CACHE_MIB, type Config, type ServerLimitsConfig } from './config.js';
import { serverLimits } from './config/server-limits.js';
import { dimensions as registry, enabledDimensions } from './domain/dimensions.js';
import type { PackageMetadataSource } from './domain/package-metadata.js';
import type { Store } from './store/types.js';
import { describeValidationError, sendError } from './api/errors.js';
import { listRoutes } from './api/list-routes.js';
import { describeRoutes, OPENAPI_PATH, openApiDocument } from './api/openapi.js';
import { monthRoutes } from './api/month-routes.js';
import { packageRoutes } from './api/package-routes.js';
import { limitRequests } from './api/rate-limit.js';
import { ResponseCache } from './api/response-cache.js';
import { siteRoutes } from './api/site-routes.js';
import { API_ROOT, ErrorAnswers, isApiPath } from './http/errors.js';
import { hstsHeader, isEmbedPath, SECURITY_HEADERS } from './http/security-headers.js';
import { ClientRateLimiter, rateWindows, type SharedCounts } from './rate-limit/limiter.js';
import { ASSETS_PREFIX, loadAssets } from './web/assets.js';
import { PageCache } from './web/page-cache.js';
import { embedRoutes, shieldsRoutes } from './web/embeds/embed-routes.js';
import { webRoutes } from './web/web-routes.js';
import { registerAccounts, tokenBudgets } from './accounts/routes.js';
import type { JobRunner } from './pipeline/jobs.js';

export interface AppOptions {
  store: Store;
  config: Pick<Config, 'retentionDays' | 'cacheMaxAge' | 'logLevel' | 'rateLimit' | 'trustedProxies' | 'mirrorInstallers' | 'hstsMaxAge'> &
    // Unset: the defaults' timeouts, cap and cache budgets, package pages and embeds not limited, every dimension on (DIMENSIONS' default), and no sign-in.
    Partial<Pick<Config, 'server' | 'pageRateLimit' | 'embedRateLimit' | 'cacheBytes' | 'dimensions' | 'indexName' | 'accounts'>>;
  /** Where the processes serving together share their rate-limit counts; without it, each counts its own. */
  sharedRateLimits?: SharedCounts | undefined;
  /** What PyPI says of a package, for its page; without it, pages show downloads only. */
  metadata?: PackageMetadataSource;
  /** Runs the admin console's jobs (with ADMIN_GITHUB_USERS); without it, there is no console. */
  jobs?: JobRunner;
}

const MIB = 1024 * 1024;
const DEFAULT_CACHE_BYTES: Config['cacheBytes'] = { responses: DEFAULT_CACHE_MIB.responses * MIB, pages: DEFAULT_CACHE_MIB.pages * MIB };

/** The API's version in its OpenAPI description: the package's. */
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const noMetadata: PackageMetadataSource = { metadata: async () => null };

/** The API takes no bodies: a request with one is refused before much of it is read. */
const BODY_LIMIT_BYTES = 1024;
/**
 * How often Node looks for requests past their headers or request timeout: its default, 30 s,
 * would let a stalled client stay up to that much longer than the timeout says.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** Every path answers GET and HEAD only; the others get 405 (OPTIONS under the API is CORS's). */
const REFUSED_METHODS = ['DELETE', 'PATCH', 'POST', 'PUT'] as const;

export async function buildApp({ store, config, sharedRateLimits, metadata = noMetadata, jobs }: AppOptions): Promise<FastifyInstance> {
  const assets = await loadAssets();
  const errors = new ErrorAnswers(assets);
  const limits: ServerLimitsConfig = config.server ?? serverLimits({}, 0);
  const app = Fastify({
    // Node answers an HTTP/1.1 request without Host with a bare 400 of its own; refuseMissingHost
    // answers it in the error shape of its path instead.
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS, requireHostHeader: false },
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
    frameworkErrors: errors.framework,
    clientErrorHandler(error, socket) {
      errors.socket(this as unknown as FastifyInstance, error, socket);
    },
  });
  // Past the cap a new connection is closed by Node before anything is read.
  app.server.maxConnections = limits.maxConnections;
  app.setErrorHandler(errors.handler);
  app.setNotFoundHandler(errors.notFound);
  setSecurityHeaders(app, config.hstsMaxAge);
  refuseMissingHost(app, errors);
  refuseUnroutedMethods(app, errors);
  endConnectionsWhenClosing(app);

  // Every GET route, whoever registers it, answers the other methods with 405.
  const getRoutes: string[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.includes('GET')) getRoutes.push(route.url);
  });

  // Before the routes: it describes each as it is registered.
  await describeRoutes(app, VERSION, config.indexName ?? null);
  let openApiJson: string | undefined;

  const dimensionNames = config.dimensions ?? registry.map((dimension) => dimension.name);
  const dimensions = enabledDimensions(dimensionNames);
  const cacheBytes = config.cacheBytes ?? DEFAULT_CACHE_BYTES;
  const cache = new ResponseCache(store, config.cacheMaxAge, cacheBytes.responses);
  const windows = rateWindows(config.rateLimit);
  const embedWindows = rateWindows(config.embedRateLimit ?? { perSecond: 0, perMinute: 0 });
  // One budget for a client's badges, charts and shields answers, apart from the API's and the pages'.
  const embedLimiter =
    embedWindows.length > 0
      ? new ClientRateLimiter({
          windows: embedWindows,
          shared: sharedRateLimits && { client: sharedRateLimits.client, keyPrefix: `${sharedRateLimits.keyPrefix}embeds:` },
          log: app.log,
        })
      : undefined;
  const accounts = config.accounts?.github ? config.accounts : null;
  const tokens = accounts && tokenBudgets(store, accounts, sharedRateLimits, app.log);
  await app.register(
    async (api) => {
      // A bare OPTIONS is no preflight: @fastify/cors would answer it with a plain-text 400.
      api.addHook('onRequest', async (request, reply) => {
        if (request.method === 'OPTIONS' && (!request.headers.origin || !request.headers['access-control-request-method'])) {
          return sendError(reply, 400, 'an OPTIONS request here is a CORS preflight: it needs Origin and Access-Control-Request-Method');
        }
      });
      // CORS on the API only: dashboards read it from other sites; the pages are this site's.
      await api.register(cors, { origin: '*', methods: ['GET', 'HEAD'] });
      await api.register(async (limited) => {
        if (windows.length > 0 || tokens) {
          const limiter = windows.length > 0 ? new ClientRateLimiter({ windows, shared: sharedRateLimits, log: app.log }) : null;
          limitRequests(limited, { limiter, tokens, isRevalidation: (request) => cache.isRevalidation(request) });
        }
        await limited.register(packageRoutes, { store, cache, dimensions });
        await limited.register(listRoutes, { store, cache });
        await limited.register(monthRoutes, { store, cache });
      });
      // Not rate-limited: it changes only with the code, and a client reads it once.
      api.get(OPENAPI_PATH.slice(API_ROOT.length), async (_request, reply) => {
        openApiJson ??= JSON.stringify(openApiDocument(app));
        return reply.type('application/json; charset=utf-8').header('cache-control', `public, max-age=${config.cacheMaxAge}`).send(openApiJson);
      });
      // Beside the limited API, not in it: shields.io's requests are a README's viewers', under the embeds' limit.
      await api.register(shieldsRoutes, { store, cache, limiter: embedLimiter });
    },
    { prefix: API_ROOT },
  );
  await app.register(siteRoutes, { store });
  await app.register(embedRoutes, { store, cache, dimensions, retentionDays: config.retentionDays, limiter: embedLimiter });
  const pageWindows = rateWindows(config.pageRateLimit ?? { perSecond: 0, perMinute: 0 });
  const pageLimiter =
    pageWindows.length > 0
      ? new ClientRateLimiter({
          windows: pageWindows,
          shared: sharedRateLimits && { client: sharedRateLimits.client, keyPrefix: `${sharedRateLimits.keyPrefix}pages:` },
          log: app.log,
        })
      : undefined;
  const pages = new PageCache(store, cacheBytes.pages);
  // Sign-in's sessions are read by the pages registered after it (a package page's Track button).
  const signedIn = accounts && (await registerAccounts(app, { store, accounts, retentionDays: config.retentionDays, assets, jobs }));
  await app.register(webRoutes, { store, config: { ...config, dimensions: dimensionNames }, metadata, assets, pages, pageLimiter, signedIn, openApi: () => openApiDocument(app) });

  const refuse = async (request: FastifyRequest, reply: FastifyReply) => errors.methodNotAllowed(request, reply);
  for (const url of new Set(getRoutes)) {
    const methods = isApiPath(url) ? REFUSED_METHODS : [...REFUSED_METHODS, 'OPTIONS' as const];
    // Refused in onRequest, before a body is read: a POST with a body gets 405, not 415 or 400.
    app.route({ method: [...methods], url, onRequest: refuse, handler: refuse });
  }
  return app;
}

/**
 * Each response gets its kind's headers (src/http/security-headers.ts), chosen by path, and HSTS
 * when it went out over HTTPS (the request's protocol: X-Forwarded-Proto from a trusted proxy).
 */
function setSecurityHeaders(app: FastifyInstance, hstsMaxAge: number): void {
  const hsts = hstsHeader(hstsMaxAge);
  app.addHook('onRequest', (request, reply, done) => {
    const { url } = request;
    reply.headers(SECURITY_HEADERS[url.startsWith(ASSETS_PREFIX) ? 'asset' : isApiPath(url) ? 'api' : isEmbedPath(url) ? 'embed' : 'page']);
    if (hsts !== null && request.protocol === 'https') reply.header('strict-transport-security', hsts);
    done();
  });
}

/**
 * HTTP/1.1 requires a Host header and a server must answer its absence, or more than one Host line,
 * with 400 (RFC 9112, 3.2): Node would answer the first with an empty body and none of our headers,
 * and keeps the first of several Host lines silently, so a proxy that read the other one would
 * route the request elsewhere than we think. An empty Host is valid (a target without an
 * authority), and HTTP/1.0 has no such rule.
 */
function refuseMissingHost(app: FastifyInstance, errors: ErrorAnswers): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      request.log.debug({ status: 400, reason: 'no Host header' }, 'client error');
      errors.client(request, reply, 400, 'the request has no Host header: HTTP/1.1 requires one');
      return;
    }
    if (hostLines(request.raw.rawHeaders) > 1) {
      request.log.debug({ status: 400, reason: 'several Host headers' }, 'client error');
      errors.client(request, reply, 400, 'the request has more than one Host header');
      return;
    }
    done();
  });
}

/** rawHeaders alternates names and values, as received. */
function hostLines(rawHeaders: string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') count += 1;
  }
  return count;
}

/**
 * A method no route takes (TRACE, PROPFIND, any token Node's parser lets through, or POST to an
 * unknown path) reaches the not-found handler, which would read and parse a body first: a 400 or
 * 415 for it, or a 404 where a GET route answers. Answered here, before the body: 405 with Allow
 * where GET answers the path, 404 elsewhere.
 */
function refuseUnroutedMethods(app: FastifyInstance, errors: ErrorAnswers): void {
  app.addHook('onRequest', (request, reply, done) => {
    if (!request.is404 || request.method === 'GET' || request.method === 'HEAD') return done();
    const url = request.url.split('?', 1)[0]!;
    if (app.findRoute({ method: 'GET', url }) !== null) errors.methodNotAllowed(request, reply);
    else errors.notFound(request, reply);
  });
}

/**
 * Closing closes the connections idle at that moment; one whose response was still being written
 * (a compressed page streams) would then stay open, kept alive, until its client let go, holding
 * SIGTERM's drain until its deadline. While closing, the idle ones are closed again every
 * CLOSE_IDLE_EVERY_MS: no per-request hook, so serving costs nothing for it.
 */
const CLOSE_IDLE_EVERY_MS = 50;

function endConnectionsWhenClosing(app: FastifyInstance): void {
  let timer: NodeJS.Timeout | undefined;
  app.addHook('preClose', (done) => {
    if (app.server.listening) timer = setInterval(() => app.server.closeIdleConnections(), CLOSE_IDLE_EVERY_MS).unref();
    done();
  });
  app.addHook('onClose', (_instance, done) => {
    clearInterval(timer);
    done();
  });
}
