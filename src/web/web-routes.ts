/**
 * The website: pages rendered on the server from the store (through its interface) and PyPI's
 * metadata, compressed; and the browser assets, precompressed at build time.
 */
import compress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { Config } from '../config.js';
import { dimensions as registry, enabledDimensions } from '../domain/dimensions.js';
import { ALL_PACKAGES, checkPackageName, describeNameProblem } from '../domain/names.js';
import type { PackageMetadata, PackageMetadataSource } from '../domain/package-metadata.js';
import type { ClientRateLimiter } from '../rate-limit/limiter.js';
import { isStoreUnavailable, type Store } from '../store/types.js';
import { ASSETS_DIR, ASSETS_PREFIX, type Assets } from './assets.js';
import { DEFAULT_LOOKBACK, isLookback, LOOKBACKS } from './chart-settings.js';
import { html } from './html.js';
import { PACKAGE_ACTIONS_SLOT, withAccountLink, withDemoNotice } from './layout.js';
import { aboutPage } from './pages/about.js';
import { apiPage } from './pages/api.js';
import { faqsPage } from './pages/faqs.js';
import { homePage } from './pages/home.js';
import { packageNotFound, problemPage } from './pages/not-found.js';
import { packagePage } from './pages/package.js';
import { searchPage } from './pages/search.js';
import { topPage } from './pages/top.js';
import type { PageCache } from './page-cache.js';
import { limitPage } from './page-rate-limit.js';
import { HTML_TYPE, sendPage } from './send-page.js';

const JSON_TYPE = 'application/json; charset=utf-8';
import { MAX_QUERY_LENGTH, searchPackages } from './search.js';
import { SiteData } from './site-data.js';
import { packageUrl, searchUrl } from './urls.js';

export interface WebRoutesOptions {
  store: Store;
  /** `dimensions` unset: every one of the registry. */
  config: Pick<Config, 'retentionDays' | 'mirrorInstallers' | 'rateLimit'> & Partial<Pick<Config, 'dimensions' | 'accounts'>>;
  metadata: PackageMetadataSource;
  assets: Assets;
  /** Where the pages are kept per data version (src/app.ts makes it, within its byte budget). */
  pages: PageCache;
  /** Limits each client's package pages, which ask PyPI; without it, they are not limited. */
  pageLimiter?: ClientRateLimiter | undefined;
  /** Where sign-in is on: what a signed-in user sees on a package page (src/accounts/routes.ts). */
  signedIn?: { packageActions(request: FastifyRequest, name: string): Promise<string | null> } | null | undefined;
}

type Query = Record<string, string | string[] | undefined>;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export const webRoutes: FastifyPluginAsync<WebRoutesOptions> = async (app, { store, config, metadata, assets, pages, pageLimiter, signedIn }) => {
  const site = new SiteData(store, config.retentionDays);
  const shownDimensions = enabledDimensions(config.dimensions ?? registry.map((dimension) => dimension.name));
  /** The breakdowns a package page fetches: every one on but the seed's, which it embeds. */
  const fetchedBreakdowns = new Map(shownDimensions.filter((dimension) => !dimension.seed).map((dimension) => [dimension.name, dimension]));
  const staticPages = {
    about: aboutPage(assets, config),
    faqs: faqsPage(assets, config),
    api: apiPage(assets, { ...config, tokenRateLimit: config.accounts?.github ? config.accounts.tokenRateLimit : null }),
  };

  await app.register(async (files) => {
    await files.register(fastifyStatic, {
      root: ASSETS_DIR,
      prefix: ASSETS_PREFIX,
      preCompressed: true,
      // Every name carries a hash of its content: a changed file is a new URL.
      immutable: true,
      maxAge: '365d',
      index: false,
      decorateReply: false,
      // Each file is sent brotli, gzip or plain by Accept-Encoding: a shared cache must key on it.
      setHeaders: (response) => response.setHeader('vary', 'accept-encoding'),
    });
  });

  // Only the pages not kept (error pages, the 429 page): a kept page is compressed once, by the
  // page cache, and sent with its Content-Encoding, which this leaves alone.
  await app.register(compress, { encodings: ['br', 'gzip'], threshold: 1024 });

  /** A page as rendered: with the demo-data notice when the data is the demo's. */
  async function withNotice(page: string): Promise<string> {
    const shown = signedIn ? withAccountLink(page) : page;
    return (await site.facts()).demo ? withDemoNotice(shown) : shown;
  }

  /**
   * A page sent without the page cache (the 400 pages of bad input, and the pages that need no
   * data while the database is away): those (about, FAQs, API) are served then without the notice.
   */
  async function send(reply: FastifyReply, status: number, page: string): Promise<FastifyReply> {
    const shown = await withNotice(page).catch((error: unknown) => {
      if (isStoreUnavailable(error)) return page;
      throw error;
    });
    return sendPage(reply, status, shown);
  }

  /** A page as a render gives it to the page cache, the notice added. */
  const page = (status: 200 | 400 | 404, html: string) => withNotice(html).then((withIt) => ({ status, html: withIt }));

  function sendStatic(request: FastifyRequest, reply: FastifyReply, key: keyof typeof staticPages): Promise<FastifyReply> {
    return pages.send(request, reply, key, { render: () => page(200, staticPages[key]) }).catch((error: unknown) => {
      if (isStoreUnavailable(error)) return send(reply, 200, staticPages[key]);
      throw error;
    });
  }

  app.get('/', (request, reply) => pages.send(request, reply, 'home', { render: async () => page(200, homePage(assets, await site.facts())) }));
  app.get('/top', (request, reply) => pages.send(request, reply, 'top', { render: async () => page(200, topPage(assets, await site.facts())) }));
  app.get('/about', (request, reply) => sendStatic(request, reply, 'about'));
  app.get('/faqs', (request, reply) => sendStatic(request, reply, 'faqs'));
  // The router ignores trailing slashes: this also answers `/api/`.
  app.get('/api', (request, reply) => sendStatic(request, reply, 'api'));

  app.get<{ Querystring: Query }>('/search', (request, reply) => {
    const query = single(request.query.q)?.slice(0, MAX_QUERY_LENGTH) ?? '';
    if (query.trim() === '') return pages.send(request, reply, 'search', { render: () => page(200, searchPage(assets, null)) });
    return pages.send(request, reply, `search\u0000${query}`, {
      render: async () => {
        const result = await searchPackages(store, query);
        if (result.names.length === 1 && !result.more) return { status: 302, location: packageUrl(result.names[0]!) };
        return page(200, searchPage(assets, result));
      },
    });
  });
  // pypistats.org's form of the search URL.
  app.get<{ Params: { term: string } }>('/search/:term', (request, reply) => reply.redirect(searchUrl(request.params.term), 301));

  const limitPages = pageLimiter ? { onRequest: limitPage(pageLimiter, (reply, message) => sendPage(reply, 429, problemPage(assets, { title: 'Too many requests', message }))) } : {};

  /**
   * Where sign-in is on, a package page differs for a signed-in user (its Track button): a browser
   * or proxy keeping the shared page must not show it to them once they sign in.
   */
  const varyOnCookie: Pick<RouteShorthandOptions, 'onSend'> = signedIn
    ? {
        onSend: (_request, reply, payload, done) => {
          reply.header('vary', [reply.getHeader('vary'), 'cookie'].filter(Boolean).join(', '));
          done(null, payload);
        },
      }
    : {};

  app.get<{ Params: { name: string }; Querystring: Query }>('/packages/:name', { ...limitPages, ...varyOnCookie }, async (request, reply) => {
    const check = checkPackageName(request.params.name);
    if (!check.ok) {
      const message = html`“${request.params.name}” cannot be a package: ${describeNameProblem(check.reason)}.`;
      return send(reply, 400, problemPage(assets, { title: 'Not a package name', message }));
    }
    const rawLookback = single(request.query.lookback);
    if (rawLookback !== undefined && !isLookback(rawLookback)) {
      return badLookback(reply, check.name, rawLookback);
    }
    if (check.name !== request.params.name) {
      const query = rawLookback === undefined ? undefined : { lookback: rawLookback };
      return reply.redirect(packageUrl(check.name, query), 301);
    }
    const name = check.name;
    const lookback = rawLookback ?? DEFAULT_LOOKBACK;
    const actions = name === ALL_PACKAGES ? null : await signedIn?.packageActions(request, name);
    if (actions) {
      // A signed-in user's page has their own form in it: rendered for them, and kept by no cache.
      const data = await site.packagePage(name);
      if (data === null) return send(reply, 404, packageNotFound(assets, name));
      const rendered = await withNotice(packagePage({ assets, data, metadata: await metadataOf(name), lookback, dimensions: shownDimensions }));
      return reply.code(200).type(HTML_TYPE).header('cache-control', 'private, no-store').send(rendered.replace(PACKAGE_ACTIONS_SLOT, actions));
    }
    return pages.send(request, reply, `package\u0000${name}\u0000${lookback}`, {
      // The metadata is the page's other input: a newer answer (or one arriving after a miss)
      // renders the page anew. Asked only of a kept page, so only for a name with data.
      inputs: () => metadataOf(name),
      render: async () => {
        const data = await site.packagePage(name);
        if (data === null) return page(404, packageNotFound(assets, name));
        // Only now: a name without data never makes PyPI a request.
        const packageMetadata = await metadataOf(name);
        const rendered = await page(200, packagePage({ assets, data, metadata: packageMetadata, lookback, dimensions: shownDimensions }));
        return { ...rendered, status: 200, inputs: packageMetadata };
      },
    });
  });

  /**
   * A breakdown's chart data, as a package page fetches it when the section comes into view: the
   * site's own data, not the rate-limited API (a page would spend its reader's API budget), kept
   * per data version as the pages are, with their ETag.
   */
  app.get<{ Params: { name: string; dimension: string } }>('/packages/:name/breakdowns/:dimension', async (request, reply) => {
    const notFound = (error: string) => sendPage(reply, 404, JSON.stringify({ error }), JSON_TYPE);
    const { name, dimension: dimensionName } = request.params;
    const check = checkPackageName(name);
    const dimension = fetchedBreakdowns.get(dimensionName);
    if (!dimension) return notFound(`"${dimensionName}" is not a breakdown this site shows`);
    // The page asks by the normalized name only: any other spelling is no URL of its.
    if (!check.ok || check.name !== name) return notFound(`"${name}" is not a normalized package name`);
    if (dimension.scope === 'package' && name === ALL_PACKAGES) return notFound(`${ALL_PACKAGES} has no ${dimension.name} breakdown`);
    return pages.send(request, reply, `breakdown\u0000${name}\u0000${dimension.name}`, {
      render: async () => {
        const json = await site.breakdown(name, dimension);
        if (json === null) return { status: 404, html: JSON.stringify({ error: `no downloads of "${name}"` }), type: JSON_TYPE };
        return { status: 200, html: json, type: JSON_TYPE };
      },
    });
  });

  function badLookback(reply: FastifyReply, name: string, value: string): Promise<FastifyReply> {
    const choices = LOOKBACKS.map((lookback, i) => html`${i > 0 ? ', ' : ''}<a href="${packageUrl(name, { lookback })}">${lookback}</a>`);
    const message = html`<code>lookback</code> must be one of ${choices}; “${value}” is not.`;
    return send(reply, 400, problemPage(assets, { title: 'Not a range the charts show', message }));
  }

  /** PyPI's word on the package, or null: the page is whole without it. */
  async function metadataOf(name: string): Promise<PackageMetadata | null> {
    if (name === ALL_PACKAGES) return null;
    try {
      return await metadata.metadata(name);
    } catch (error) {
      app.log.warn({ err: error, package: name }, 'PyPI metadata failed');
      return null;
    }
  }
};
