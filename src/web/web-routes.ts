/**
 * The website: pages rendered on the server from the store (through its interface) and PyPI's
 * metadata, compressed; and the browser assets, precompressed at build time.
 */
import compress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import type { Config } from '../config.js';
import { TOP_PERIODS } from '../domain/api-parameters.js';
import { dimensions as registry, enabledDimensions } from '../domain/dimensions.js';
import { ALL_PACKAGES, checkPackageName, describeNameProblem } from '../domain/names.js';
import type { OpenApiDocument } from '../domain/openapi-document.js';
import type { PackageMetadata, PackageMetadataSource } from '../domain/package-metadata.js';
import type { ClientRateLimiter } from '../rate-limit/limiter.js';
import { isStoreUnavailable, type Store } from '../store/types.js';
import { ASSETS_DIR, ASSETS_PREFIX, type Assets } from './assets.js';
import { DEFAULT_LOOKBACK, isLookback, LOOKBACKS } from './chart-settings.js';
import { html } from './html.js';
import { PACKAGE_ACTIONS_SLOT, withAccountLink, withDemoNotice, withIndexName } from './layout.js';
import { aboutPage } from './pages/about.js';
import { apiPage } from './pages/api.js';
import { faqsPage } from './pages/faqs.js';
import { homePage } from './pages/home.js';
import { packageNotFound, problemPage } from './pages/not-found.js';
import { packagePage } from './pages/package.js';
import { searchPage } from './pages/search.js';
import { DEFAULT_TOP_PERIOD, isTopPeriod, topPage } from './pages/top.js';
import type { PageCache } from './page-cache.js';
import { limitPage } from './page-rate-limit.js';
import { HTML_TYPE, sendPage } from './send-page.js';

const JSON_TYPE = 'application/json; charset=utf-8';
import { MAX_QUERY_LENGTH, searchPackages } from './search.js';
import { SiteData } from './site-data.js';
import { compareUrl, packageUrl, searchUrl, topUrl } from './urls.js';
import { compareChart, MAX_COMPARED, shareTables } from './compare-data.js';
import { comparePage } from './pages/compare.js';

export interface WebRoutesOptions {
  store: Store;
  /** `dimensions` unset: every one of the registry. */
  config: Pick<Config, 'retentionDays' | 'mirrorInstallers' | 'rateLimit'> & Partial<Pick<Config, 'dimensions' | 'embedRateLimit' | 'indexName' | 'accounts'>>;
  metadata: PackageMetadataSource;
  assets: Assets;
  /** Where the pages are kept per data version (src/app.ts makes it, within its byte budget). */
  pages: PageCache;
  /** Limits each client's package pages, which ask PyPI; without it, they are not limited. */
  pageLimiter?: ClientRateLimiter | undefined;
  /** The API's OpenAPI description, which the `/api` page is rendered from; asked once the app is ready. */
  openApi: () => OpenApiDocument;
  /** Where sign-in is on: what a signed-in user sees on a package page (src/accounts/routes.ts). */
  signedIn?: { packageActions(request: FastifyRequest, name: string): Promise<string | null> } | null | undefined;
}

type Query = Record<string, string | string[] | undefined>;

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export const webRoutes: FastifyPluginAsync<WebRoutesOptions> = async (app, { store, config, metadata, assets, pages, pageLimiter, openApi, signedIn }) => {
  const site = new SiteData(store, config.retentionDays);
  const shownDimensions = enabledDimensions(config.dimensions ?? registry.map((dimension) => dimension.name));
  /** The dimension whose `without_mirrors` the compare chart draws: the registry's mirror split. */
  const overallDimension = registry.find((dimension) => dimension.categories.kind === 'mirror_split')!;
  /** The breakdowns a package page fetches: every one on but the seed's, which it embeds. */
  const fetchedBreakdowns = new Map(shownDimensions.filter((dimension) => !dimension.seed).map((dimension) => [dimension.name, dimension]));
  let api: string | undefined;
  const staticPages = {
    about: () => aboutPage(assets, config),
    faqs: () => faqsPage(assets, config),
    // Rendered at its first request: the description is whole only once every route is registered.
    api: () => (api ??= apiPage(assets, { ...config, tokenRateLimit: config.accounts?.github ? config.accounts.tokenRateLimit : null }, openApi())),
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

  /**
   * A page as rendered: with the account link where sign-in is on, the demo-data notice when the
   * data is the demo's, and the index's name when it is a private one's.
   */
  async function withNotice(rendered: string): Promise<string> {
    const named = config.indexName ? withIndexName(rendered, config.indexName) : rendered;
    const shown = signedIn ? withAccountLink(named) : named;
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
    return pages.send(request, reply, key, { render: () => page(200, staticPages[key]()) }).catch((error: unknown) => {
      if (isStoreUnavailable(error)) return send(reply, 200, staticPages[key]());
      throw error;
    });
  }

  app.get('/', (request, reply) => pages.send(request, reply, 'home', { render: async () => page(200, homePage(assets, await site.facts())) }));
  app.get<{ Querystring: Query }>('/top', (request, reply) => {
    const period = single(request.query.period) ?? DEFAULT_TOP_PERIOD;
    if (!isTopPeriod(period)) {
      const choices = TOP_PERIODS.map((choice, i) => html`${i > 0 ? ', ' : ''}<a href="${topUrl(choice)}">${choice}</a>`);
      return send(reply, 400, problemPage(assets, { title: 'Not a period the lists have', message: html`<code>period</code> must be one of ${choices}; “${period}” is not.` }));
    }
    return pages.send(request, reply, `top\u0000${period}`, { render: async () => page(200, topPage(assets, await site.facts(), period)) });
  });
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
  // The site's search as JSON, for the compare page's suggestions as a name is typed (not the
  // rate-limited API: a page would spend its reader's budget), kept per data version as the pages are.
  app.get<{ Querystring: Query }>('/search.json', (request, reply) => {
    const query = single(request.query.q)?.slice(0, MAX_QUERY_LENGTH) ?? '';
    return pages.send(request, reply, `search.json\u0000${query}`, {
      render: async () => {
        const result = await searchPackages(store, query);
        return { status: 200, html: JSON.stringify({ more: result.more, names: result.names }), type: JSON_TYPE };
      },
    });
  });

  app.get<{ Querystring: Query }>('/compare', async (request, reply) => {
    const listed = (single(request.query.packages) ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
    const added = single(request.query.add)?.trim();
    const asked = added ? [...listed, added] : listed;
    const bad = asked.map((name) => ({ name, check: checkPackageName(name) })).find(({ check }) => !check.ok);
    if (bad && !bad.check.ok) {
      const message = html`“${bad.name}” cannot be a package: ${describeNameProblem(bad.check.reason)}. <a href="${compareUrl(asked.filter((name) => name !== bad.name).filter((name) => checkPackageName(name).ok))}">Compare the others</a>.`;
      return send(reply, 400, problemPage(assets, { title: 'Not a package name', message }));
    }
    const names = [...new Set(asked.map((name) => (checkPackageName(name) as { ok: true; name: string }).name))];
    if (names.length > MAX_COMPARED) {
      const message = html`One page compares at most ${MAX_COMPARED} packages; ${names.length} were asked. <a href="${compareUrl(names.slice(0, MAX_COMPARED))}">Compare the first ${MAX_COMPARED}</a>.`;
      return send(reply, 400, problemPage(assets, { title: 'Too many packages', message }));
    }
    // One address per list: spelled as normalized, each once (301), and the form's `add` folded in
    // (302: that address asks for a new list, not another spelling of one).
    const canonical = compareUrl(names);
    if (canonical !== request.url) return reply.redirect(canonical, added ? 302 : 301);
    return pages.send(request, reply, `compare\u0000${names.join(',')}`, {
      render: async () => {
        const facts = await site.facts();
        const known: string[] = [];
        const unknown: string[] = [];
        for (const name of names) ((await store.hasPackage(name)) ? known : unknown).push(name);
        const { latestDay, firstDay } = facts;
        const ready = latestDay !== null && firstDay !== null && known.length > 0;
        const chart = ready ? await compareChart(store, known, overallDimension, firstDay, latestDay) : null;
        // A version belongs to one package: its shares across packages compare nothing.
        const shared = shownDimensions.filter((dimension) => dimension.categories.kind !== 'mirror_split' && dimension.scope === 'global');
        const tables = ready ? await shareTables(store, known, shared, latestDay) : [];
        return page(200, comparePage({ assets, names: known, unknown, latestDay, chart, tables }));
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
