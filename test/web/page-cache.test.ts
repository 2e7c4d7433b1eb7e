import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MIRROR_INSTALLERS } from '../../src/domain/mirrors.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import type { AggregateRow } from '../../src/domain/aggregates.js';
import type { Store } from '../../src/store/types.js';
import { loadAssets } from '../../src/web/assets.js';
import { PageCache } from '../../src/web/page-cache.js';
import { PypiMetadataSource } from '../../src/web/pypi-metadata.js';
import { webRoutes } from '../../src/web/web-routes.js';
import { startPypiStandIn, type PypiStandIn } from '../support/pypi-standin.js';
import { chunks } from '../support/rows.js';
import { addDays } from '../../src/domain/dates.js';
import { LATEST_DAY, siteDays, SITE_PACKAGES } from '../support/site-data.js';
import { sqliteKind, type TestStore } from '../support/stores.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const MINUTE_MS = 60_000;

let t: TestStore;
let pypi: PypiStandIn;
let proxy: TcpProxy;

beforeAll(async () => {
  t = await sqliteKind.create();
  for (const [day, rows] of Object.entries(siteDays())) await write(t.store, day, rows);
  pypi = await startPypiStandIn();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(pypi.url).port) });
});
afterAll(async () => {
  await proxy.close();
  await pypi.close();
  await t.dispose();
});

function write(store: Store, day: string, rows: AggregateRow[]) {
  return store.replaceDay({ day, source: 'test', summary: null, rows: withAllPackagesTotals(chunks(rows, 1000)) });
}

/** The website alone over the shared store, with a page cache the test can read, and a clock for PyPI's TTLs. */
interface Site {
  app: FastifyInstance;
  pages: PageCache;
  clock: { now: number };
}

let site: Site;

async function startSite(maxBytes = 64 * 1024 * 1024): Promise<Site> {
  const clock = { now: 1_000_000 };
  const metadata = new PypiMetadataSource({ url: `http://127.0.0.1:${proxy.port}`, now: () => clock.now });
  const pages = new PageCache(t.store, maxBytes);
  const app = Fastify();
  const config = { retentionDays: 180, mirrorInstallers: [...DEFAULT_MIRROR_INSTALLERS], rateLimit: { perSecond: 0, perMinute: 0 } };
  // No API here: the /api page is not among the pages this suite asks for.
  const openApi = () => ({ openapi: '3.1.0', info: { title: 'none', version: '0' }, paths: {} });
  await app.register(webRoutes, { store: t.store, config, metadata, assets: await loadAssets(), pages, openApi });
  return { app, pages, clock };
}

beforeEach(async () => {
  site = await startSite();
});
afterEach(async () => {
  await site.app.close();
});

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await site.app.inject({ url, headers });
  return { status: response.statusCode, headers: response.headers, body: response.body, raw: response.rawPayload };
}

describe('the page cache', () => {
  it('renders a page once per data version, and compresses it once per encoding', async () => {
    const encodings = { br: 'br', gzip: 'gzip, deflate', identity: '' };
    for (let round = 0; round < 3; round++) {
      for (const accept of Object.values(encodings)) {
        const page = await get('/packages/requests', accept ? { 'accept-encoding': accept } : {});
        expect(page.status).toBe(200);
      }
    }
    expect(site.pages.counts).toEqual({ renders: 1, compressions: { br: 1, gzip: 1 } });
  });

  it('sends the same HTML brotli, gzip and plain, as Accept-Encoding asks, with Vary: Accept-Encoding', async () => {
    const plain = await get('/packages/requests');
    const br = await get('/packages/requests', { 'accept-encoding': 'gzip, deflate, br' });
    const gzip = await get('/packages/requests', { 'accept-encoding': 'gzip;q=1, br;q=0.5' });
    // As @fastify/compress reads it: `*` is gzip, and a client that wants no compression gets none.
    const star = await get('/packages/requests', { 'accept-encoding': '*' });
    const refused = await get('/packages/requests', { 'accept-encoding': 'br', 'x-no-compression': '1' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toMatch(/^<!doctype html>/);
    expect(plain.body).toContain('<h1>requests</h1>');
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.raw).toString()).toBe(plain.body);
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.raw).toString()).toBe(plain.body);
    expect(star.headers['content-encoding']).toBe('gzip');
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body).toBe(plain.body);
    for (const page of [plain, br, gzip]) {
      expect(page.headers.vary).toBe('accept-encoding');
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['cache-control']).toBe('public, max-age=300');
      expect(Number(page.headers['content-length'])).toBe(page.raw.length);
      expect(page.headers.etag).toBe(plain.headers.etag);
    }
    expect(br.raw.length).toBeLessThan(gzip.raw.length);
    // HEAD: the same headers, no body.
    const head = await site.app.inject({ method: 'HEAD', url: '/packages/requests', headers: { 'accept-encoding': 'br' } });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.headers.etag).toBe(plain.headers.etag);
    expect(head.rawPayload.length).toBe(0);
  });

  it('answers 304 to the ETag a page was sent with, in any encoding, and 200 to another', async () => {
    const first = await get('/packages/django', { 'accept-encoding': 'br' });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"p1-[^"]+"$/);
    const revalidations: Record<string, string>[] = [{ 'if-none-match': etag }, { 'if-none-match': `"other", W/${etag}`, 'accept-encoding': 'gzip' }];
    for (const headers of revalidations) {
      const again = await get('/packages/django', headers);
      expect(again.status).toBe(304);
      expect(again.raw.length).toBe(0);
      expect(again.headers.etag).toBe(etag);
      expect(again.headers.vary).toBe('accept-encoding');
      expect(again.headers['cache-control']).toBe('public, max-age=300');
    }
    expect((await get('/packages/django', { 'if-none-match': '"p1-stale"' })).status).toBe(200);
    // Another page has another ETag: a 304 is never another page's.
    const other = await get('/packages/certifi', { 'if-none-match': etag });
    expect(other.status).toBe(200);
    expect(other.headers.etag).not.toBe(etag);
    expect(site.pages.counts.renders).toBe(2);
  });

  it('renders anew when a load lands: a new data version, a new ETag, the new day on the page', async () => {
    const before = await get('/packages/urllib3');
    expect(before.body).toContain(`<time datetime="${LATEST_DAY}">`);
    const nextDay = addDays(LATEST_DAY, 1);
    await write(t.store, nextDay, siteDays()[LATEST_DAY]!);
    const after = await get('/packages/urllib3', { 'if-none-match': before.headers.etag as string });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body).toContain(`<time datetime="${nextDay}">`);
    expect(site.pages.counts.renders).toBe(2);
  });

  it('keeps pages with a query by their query: each lookback and each search is a page', async () => {
    for (let round = 0; round < 2; round++) {
      await get('/packages/requests?lookback=30');
      await get('/packages/requests?lookback=all');
      expect((await get('/search?q=requests')).body).toContain('requests-oauthlib');
      expect((await get('/search?q=filler')).body).toContain('filler-01');
    }
    expect(site.pages.counts.renders).toBe(4);
    // One match is a redirect to its page, and redirects and error pages are not kept.
    for (let round = 0; round < 2; round++) {
      expect((await get('/search?q=zope')).status).toBe(302);
      expect((await get('/packages/no-such-package')).status).toBe(404);
    }
    expect(site.pages.counts.renders).toBe(8);
  });

  it('renders a page without PyPI metadata anew once the metadata arrives', async () => {
    await proxy.cut();
    const without = await get('/packages/requests');
    expect(without.status).toBe(200);
    expect(without.body).not.toContain('Python HTTP for Humans.');
    // The miss is kept five minutes: the page is the kept one until then.
    site.clock.now += 4 * MINUTE_MS;
    await proxy.restore();
    expect((await get('/packages/requests', { 'if-none-match': without.headers.etag as string })).status).toBe(304);
    expect(site.pages.counts.renders).toBe(1);
    site.clock.now += 2 * MINUTE_MS;
    const withIt = await get('/packages/requests', { 'if-none-match': without.headers.etag as string });
    expect(withIt.status).toBe(200);
    expect(withIt.body).toContain('Python HTTP for Humans.');
    expect(withIt.headers.etag).not.toBe(without.headers.etag);
    expect(site.pages.counts.renders).toBe(2);
    // An hour on the answer expires and is asked again: the page is rendered again, and being the
    // same bytes keeps its ETag, so a client holding it still gets 304.
    const asked = pypi.requestsFor('requests');
    site.clock.now += 61 * MINUTE_MS;
    expect((await get('/packages/requests', { 'if-none-match': withIt.headers.etag as string })).status).toBe(304);
    expect(pypi.requestsFor('requests')).toBe(asked + 1);
    expect(site.pages.counts.renders).toBe(3);
  });

  it('holds no more bytes than its budget, dropping the least recently used page', async () => {
    // Each page's size as kept, brotli and gzip included, from a cache large enough for all.
    for (const name of SITE_PACKAGES) await get(`/packages/${name}`, { 'accept-encoding': 'br' });
    const perPage = site.pages.size / SITE_PACKAGES.length;
    await site.app.close();
    const budget = Math.floor(perPage * 5);
    site = await startSite(budget);
    for (const name of SITE_PACKAGES) {
      await get(`/packages/${name}`, { 'accept-encoding': 'br' });
      expect(site.pages.size).toBeLessThanOrEqual(budget);
    }
    expect(site.pages.size).toBeGreaterThan(budget / 2);
    const renders = site.pages.counts.renders;
    // The last page is kept; the first was dropped long ago and is rendered again.
    await get(`/packages/${SITE_PACKAGES.at(-1)}`, { 'accept-encoding': 'br' });
    expect(site.pages.counts.renders).toBe(renders);
    await get(`/packages/${SITE_PACKAGES[0]}`, { 'accept-encoding': 'br' });
    expect(site.pages.counts.renders).toBe(renders + 1);
  });

  it('shares one render among the requests that wait for it', async () => {
    const pages = await Promise.all(Array.from({ length: 5 }, () => get('/packages/zope-interface', { 'accept-encoding': 'br' })));
    expect(pages.map((page) => page.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(pages.map((page) => page.raw.toString('base64'))).size).toBe(1);
    expect(site.pages.counts).toEqual({ renders: 1, compressions: { br: 1, gzip: 0 } });
  });
});
