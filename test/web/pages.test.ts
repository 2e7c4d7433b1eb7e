import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithData, type TestApp } from '../support/app.js';
import { siteDays, SITE_PACKAGES } from '../support/site-data.js';

let t: TestApp;

beforeAll(async () => {
  t = await appWithData(siteDays());
});
afterAll(() => t.close());

async function page(url: string, headers: Record<string, string> = {}) {
  const response = await t.app.inject({ url, headers });
  return { status: response.statusCode, headers: response.headers, body: response.body, raw: response.rawPayload };
}

function expectPage(response: Awaited<ReturnType<typeof page>>, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  expect(response.body).toMatch(/^<!doctype html>/);
}

/** The text of the `<li>`s of the first `<ol class="ranking">` after `after`. */
function ranking(body: string, after = ''): string[] {
  const list = body.slice(body.indexOf(after)).match(/<ol class="ranking">([\s\S]*?)<\/ol>/)![1]!;
  return [...list.matchAll(/<li><a href="([^"]+)">([^<]+)<\/a><span class="num">([^<]+)<\/span><\/li>/g)].map((m) => `${m[2]} ${m[3]}`);
}

describe('the home page', () => {
  it('has the search box, the number of packages tracked, the latest day and the top packages', async () => {
    const response = await page('/');
    expectPage(response, 200);
    expect(response.body).toContain('<form class="hero-search" role="search" action="/search" method="get">');
    expect(response.body).toContain(`<strong>${SITE_PACKAGES.length}</strong> packages tracked`);
    expect(response.body).toContain('<time datetime="2026-11-24">November 24, 2026</time>');
    const top = ranking(response.body);
    expect(top).toHaveLength(10);
    expect(top[0]).toMatch(/^requests [\d,]+$/);
    expect(top[1]).toMatch(/^django /);
    expect(response.body).toContain('href="/packages/__all__"');
  });
});

describe('the top page', () => {
  it('lists the 20 most downloaded packages of the period, the month by default, with a switch of period made of links', async () => {
    const response = await page('/top');
    expectPage(response, 200);
    const entries = ranking(response.body, 'top-month');
    expect(entries).toHaveLength(20);
    expect(entries.slice(0, 5).map((e) => e.split(' ')[0])).toEqual(['requests', 'django', 'requests-oauthlib', 'requests-toolbelt', 'zope-interface']);
    for (const period of ['day', 'week', 'month']) expect(response.body).toContain(`href="/top?period=${period}"`);
    expect(response.body).toContain('<a href="/top?period=month" aria-current="page">');
    for (const period of ['day', 'week']) {
      const other = await page(`/top?period=${period}`);
      expectPage(other, 200);
      expect(ranking(other.body, `top-${period}`).slice(0, 2).map((e) => e.split(' ')[0])).toEqual(['requests', 'django']);
    }
    // requests on the latest day, day 179: (20,000 + 179 × 50) × that weekday's factor, 1.
    expect(ranking((await page('/top?period=day')).body, 'top-day')[0]).toBe('requests 28,950');
  });

  it('lists the trending packages of weeks and months, and says why a day has none', async () => {
    for (const period of ['week', 'month']) {
      const body = (await page(`/top?period=${period}`)).body;
      expect(body).toContain(`aria-labelledby="trending-${period}"`);
      expect(body).toMatch(/Growth against the (week|month) before, among packages with at least [\d,]+ downloads then/);
    }
    expect((await page('/top?period=day')).body).toContain('trending compares <a href="/top?period=week">weeks</a>');
  });

  it('answers a period it does not have with a 400 page naming the ones it has', async () => {
    const response = await page('/top?period=year');
    expect(response.status).toBe(400);
    expect(response.body).toContain('<code>period</code> must be one of');
    expect(response.body).toContain('href="/top?period=week"');
  });
});

describe('text pages', () => {
  it('serves about, the FAQs and the API page in the site’s layout', async () => {
    const about = await page('/about');
    expectPage(about, 200);
    expect(about.body).toContain('<h1>About PyPI Stats</h1>');
    const faqs = await page('/faqs');
    expectPage(faqs, 200);
    for (const id of ['data-source', 'mirrors', 'updates', 'retention', 'differences']) expect(faqs.body).toContain(`id="${id}"`);
    expect(faqs.body).toContain('<code>bandersnatch</code>');
    expect(faqs.body).toContain('180 days, ending at the latest day loaded');
    const api = await page('/api');
    expectPage(api, 200);
    expect(api.body).toContain('<a href="/api" aria-current="page">API</a>');
    // CSV, the badge, shields and the chart, each with an example that answers.
    for (const id of ['formats', 'badges', 'badge', 'shields', 'chart']) expect(api.body).toContain(`id="${id}"`);
    expect(api.body).toContain('<b>format</b> (optional, ours)');
    for (const href of ['/badge/__all__', '/api/shields/__all__', '/chart/__all__.svg', '/api/packages/__all__/python_minor?format=csv']) {
      expect(api.body).toContain(`href="${href.replaceAll('&', '&amp;')}"`);
    }
  });
});

describe('unknown paths', () => {
  it('get an HTML 404 page with a search box outside the API, and JSON under /api/', async () => {
    const missing = await page('/no/such/<page>');
    expectPage(missing, 404);
    expect(missing.body).toContain('<h1>Page not found</h1>');
    expect(missing.body).toContain('<code>/no/such/%3Cpage%3E</code>');
    expect(missing.body).toContain('role="search"');
    const api = await page('/api/nothing');
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body)).toEqual({ error: 'nothing here: /api/nothing', status: 404 });
  });
});

describe('compression and assets', () => {
  it('compresses pages for browsers that accept brotli or gzip', async () => {
    for (const encoding of ['br', 'gzip']) {
      const response = await page('/top', { 'accept-encoding': encoding });
      expect(response.headers['content-encoding']).toBe(encoding);
      expect(response.raw.length).toBeLessThan((await page('/top')).body.length / 3);
    }
  });

  it('serves the assets a page names, precompressed, under content-hashed names cached for a year', async () => {
    const home = (await page('/')).body;
    const urls = [...home.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(urls).toEqual(expect.arrayContaining([expect.stringMatching(/^\/assets\/site-[0-9a-f]{16}\.css$/), expect.stringMatching(/^\/assets\/icon-[0-9a-f]{16}\.svg$/)]));
    const script = (await page('/packages/requests')).body.match(/<script src="(\/assets\/package-page-[0-9a-f]{16}\.js)" defer>/)![1]!;
    for (const url of [...urls, script]) {
      const plain = await page(url);
      expect(plain.status).toBe(200);
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      const brotli = await page(url, { 'accept-encoding': 'br, gzip' });
      if (url.endsWith('.svg')) continue;
      expect(brotli.headers['content-encoding']).toBe('br');
      expect(brotli.raw.length).toBeLessThan(plain.raw.length / 2);
      const gzip = await page(url, { 'accept-encoding': 'gzip' });
      expect(gzip.headers['content-encoding']).toBe('gzip');
    }
  });
});
