import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PackageCharts } from '../../src/web/chart-data.js';
import { PypiMetadataSource } from '../../src/web/pypi-metadata.js';
import { appWithData, type TestApp } from '../support/app.js';
import { startPypiStandIn, STAND_IN_PACKAGES, type PypiStandIn } from '../support/pypi-standin.js';
import { DAYS, FIRST_DAY, LATEST_DAY, REQUESTS_CATEGORIES, siteDays, SPARSE_DAYS } from '../support/site-data.js';

let t: TestApp;
let pypi: PypiStandIn;

beforeAll(async () => {
  pypi = await startPypiStandIn();
  t = await appWithData(siteDays(), { metadata: new PypiMetadataSource({ url: pypi.url }) });
});
afterAll(async () => {
  await t.close();
  await pypi.close();
});

async function get(url: string) {
  const response = await t.app.inject({ url });
  return { status: response.statusCode, location: response.headers.location, body: response.body };
}

function chartData(body: string): PackageCharts {
  return JSON.parse(body.match(/<script type="application\/json" id="chart-data">([^<]*)<\/script>/)![1]!) as PackageCharts;
}

describe('a package page', () => {
  it('has the name in the title, the last day, week and month, and the latest day loaded', async () => {
    const page = await get('/packages/requests');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>requests · PyPI Stats</title>');
    expect(page.body).toContain('<h1>requests</h1>');
    expect(page.body).toContain('<span class="stat-label">Last day</span><span class="stat-value">28,950</span>');
    expect(page.body).toContain(`Data up to <time datetime="${LATEST_DAY}">November 24, 2026</time>`);
  });

  it('embeds a chart per dimension of the registry: one series per category in its order, a value for every day', async () => {
    const data = chartData((await get('/packages/requests')).body);
    expect([data.start, data.end]).toEqual([FIRST_DAY, LATEST_DAY]);
    expect(data.charts.map((chart) => chart.name)).toEqual(Object.keys(REQUESTS_CATEGORIES));
    for (const chart of data.charts) {
      expect(chart.downloads.map((s) => s.category)).toEqual(REQUESTS_CATEGORIES[chart.name as keyof typeof REQUESTS_CATEGORIES]);
      for (const series of chart.downloads) expect(series.values).toHaveLength(DAYS);
    }
    const python2 = data.charts[1]!.downloads[0]!.values;
    expect(python2.filter((_, day) => day % 10 === 0)).toEqual(new Array(DAYS / 10).fill(0));
    expect(python2.every((value, day) => (day % 10 === 0) === (value === 0))).toBe(true);
    const [withMirrors, withoutMirrors] = data.charts[0]!.downloads.map((s) => s.values);
    expect(data.charts[0]!.shareParts!.map((s) => s.category)).toEqual(['without_mirrors', 'mirrors']);
    expect(data.charts[0]!.shareParts![1]!.values).toEqual(withMirrors!.map((all, i) => all - withoutMirrors![i]!));
  });

  it('has a "Download CSV" link under each chart, to the API series as CSV, and every one of them answers CSV', async () => {
    const body = (await get('/packages/requests')).body;
    const links = [...body.matchAll(/<a href="([^"]+)" download="([^"]+)" data-csv>Download CSV<\/a>/g)].map((match) => ({ href: match[1]!.replaceAll('&amp;', '&'), file: match[2]! }));
    const charts = [...body.matchAll(/data-chart="([a-z_]+)"|data-breakdown="([a-z_]+)"/g)].map((match) => match[1] ?? match[2]!);
    expect(links.map((link) => link.href)).toEqual(charts.map((name) => `/api/packages/requests/${name}?format=csv`));
    expect(links.map((link) => link.file)).toEqual(charts.map((name) => `requests-${name}.csv`));
    expect(charts.length).toBeGreaterThan(4);
    for (const { href } of links) {
      const response = await t.app.inject({ url: href });
      expect(response.statusCode, href).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.body.startsWith('category,date,downloads\r\n')).toBe(true);
    }
  });

  it('gives a category the same colour in every chart and on every page', async () => {
    const colours = new Map<string, string>();
    for (const name of ['requests', 'django', 'sparse-pkg', '__all__']) {
      for (const chart of chartData((await get(`/packages/${name}`)).body).charts) {
        for (const series of [...chart.downloads, ...(chart.shareParts ?? [])]) {
          expect(colours.get(series.category) ?? series.colour).toBe(series.colour);
          colours.set(series.category, series.colour);
        }
      }
    }
    const minors = REQUESTS_CATEGORIES.python_minor.map((category) => colours.get(category));
    expect(new Set(minors).size).toBe(minors.length);
  });

  it('fills days without downloads with zeros', async () => {
    const data = chartData((await get('/packages/sparse-pkg')).body);
    const overall = data.charts[0]!.downloads.find((s) => s.category === 'without_mirrors')!.values;
    expect(overall).toHaveLength(DAYS);
    expect(overall.flatMap((value, day) => (value > 0 ? [day] : []))).toEqual([...SPARSE_DAYS]);
  });

  it('shows all of PyPI at /packages/__all__', async () => {
    const page = await get('/packages/__all__');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>All of PyPI</h1>');
    expect(page.body).toContain('<a href="/packages/__all__" aria-current="page">All of PyPI</a>');
  });

  it('redirects a name that is not normalized to its normalized URL, keeping the range', async () => {
    expect(await get('/packages/Requests')).toMatchObject({ status: 301, location: '/packages/requests' });
    expect(await get('/packages/Zope.Interface?lookback=30')).toMatchObject({ status: 301, location: '/packages/zope-interface?lookback=30' });
    expect(await get('/packages/__ALL__')).toMatchObject({ status: 301, location: '/packages/__all__' });
  });

  it('starts the charts at the range `lookback` gives, and answers a bad one with 400 and the values it takes', async () => {
    for (const lookback of ['30', '60', '90', '120', 'all']) {
      const page = await get(`/packages/requests?lookback=${lookback}`);
      expect(page.status).toBe(200);
      expect(page.body).toContain(`<input type="radio" name="lookback" value="${lookback}" checked>`);
    }
    expect((await get('/packages/requests')).body).toContain('<input type="radio" name="lookback" value="all" checked>');
    const bad = await get('/packages/requests?lookback=7%3Cb%3E');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('<code>lookback</code> must be one of <a href="/packages/requests?lookback=30">30</a>');
    expect(bad.body).toContain('“7&lt;b&gt;” is not.');
  });

  it('answers a package without data with a 404 page that has a search box, and a name PyPI cannot have with 400', async () => {
    const missing = await get('/packages/never-downloaded');
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('No downloads of <strong>never-downloaded</strong> are recorded');
    expect(missing.body).toContain('value="never-downloaded"');
    const invalid = await get('/packages/-bad-');
    expect(invalid.status).toBe(400);
    expect(invalid.body).toContain('“-bad-” cannot be a package');
  });
});

describe('PyPI’s metadata on a package page (from the PyPI stand-in)', () => {
  it('shows the summary, latest version, license, author, home page and PyPI link', async () => {
    const page = await get('/packages/requests');
    expect(page.body).toContain('<p class="lead summary">Python HTTP for Humans.</p>');
    expect(page.body).toMatch(/<dt>Latest version<\/dt><dd>2\.\d+\.\d+<\/dd>/);
    expect(page.body).toContain('<dt>License</dt><dd>Apache-2.0</dd>');
    expect(page.body).toContain('<dt>Author</dt><dd>Kenneth Reitz</dd>');
    expect(page.body).toContain('<dt>Home page</dt><dd><a href="https://requests.readthedocs.io/" rel="nofollow noopener">requests.readthedocs.io</a></dd>');
    expect(page.body).toContain('<a class="button-link" href="https://pypi.org/project/requests/" rel="noopener">View on PyPI ↗</a>');
  });

  it('shows HTML and script in the metadata as text; a javascript: home page is no link', async () => {
    const page = await get(`/packages/${STAND_IN_PACKAGES.html}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<p class="lead summary">&lt;script&gt;alert(&quot;summary&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; &quot;quoted&quot;</p>');
    expect(page.body).toContain('<dd>1.0&lt;script&gt;</dd>');
    expect(page.body).toContain('<dd>&lt;script&gt;alert(&quot;license&quot;)&lt;/script&gt;</dd>');
    expect(page.body).toContain('<dd>&lt;img src=x onerror=&quot;alert(&#39;author&#39;)&quot;&gt;Mallory &amp; Co</dd>');
    expect(page.body).toContain('<h4>with <code>[&lt;script&gt;alert(&#39;extra&#39;)&lt;/script&gt;]</code></h4>');
    expect(page.body).toContain('platform_system == &quot;&lt;img src=x onerror=alert(&#39;marker&#39;)&gt;&quot;');
    expect(page.body.toLowerCase()).not.toContain('javascript:');
    const scripts = [...page.body.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual([expect.stringMatching(/^<script src="\/assets\/package-page-[0-9a-f]+\.js" defer>$/), '<script type="application/json" id="chart-data">']);
    expect(page.body).not.toMatch(/<img src=x/);
  });

  it('splits dependencies into required and optional by extra, each linking to its page here', async () => {
    const page = await get('/packages/requests');
    const required = page.body.slice(page.body.indexOf('id="required-dependencies"'), page.body.indexOf('id="optional-dependencies"'));
    const optional = page.body.slice(page.body.indexOf('id="optional-dependencies"'), page.body.indexOf('</section>', page.body.indexOf('id="optional-dependencies"')));
    const links = (part: string) => [...part.matchAll(/<a href="(\/packages\/[^"]+)">/g)].map((m) => m[1]);
    expect(links(required)).toEqual(['/packages/charset-normalizer', '/packages/idna', '/packages/urllib3', '/packages/certifi']);
    expect(required).toContain('<code class="req-spec">&lt;4,&gt;=2</code>');
    expect(links(optional)).toEqual(['/packages/pysocks', '/packages/chardet']);
    expect(optional).toContain('<h4>with <code>[socks]</code></h4>');
    expect(optional).toContain('<h4>with <code>[use-chardet-on-py3]</code></h4>');
    expect(optional).not.toContain('req-marker');
  });

  it('is left out when PyPI does not know the package: the page is whole without it', async () => {
    const page = await get('/packages/zope-interface');
    expect(page.status).toBe(200);
    expect(pypi.requestsFor('zope-interface')).toBe(1);
    expect(page.body).not.toContain('class="card dependencies"');
    expect(page.body).not.toContain('View on PyPI');
  });

  it('is not asked of PyPI for all of PyPI', async () => {
    await get('/packages/__all__');
    expect(pypi.requestsFor('__all__')).toBe(0);
  });
});

describe('requests to PyPI caused by package pages', () => {
  it('asks PyPI only for names that have data: 500 pages of unknown names make no request', async () => {
    const before = pypi.requests();
    const statuses = new Set<number>();
    for (let i = 0; i < 500; i++) statuses.add((await get(`/packages/no-such-package-${i}`)).status);
    expect([...statuses]).toEqual([404]);
    expect(pypi.requests()).toBe(before);
  });

  it('limits each client’s package pages with windows of their own, answered with the HTML 429 page and Retry-After', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: new Date('2026-11-30T12:00:00Z') });
    const limited = await appWithData(siteDays(), { metadata: new PypiMetadataSource({ url: pypi.url }), pageRateLimit: { perSecond: 3, perMinute: 6 } });
    try {
      const page = (url: string, ip = '198.51.100.1') => limited.app.inject({ url, remoteAddress: ip });
      const seen = [];
      for (let i = 0; i < 4; i++) seen.push((await page(i % 2 ? '/packages/requests' : `/packages/unknown-${i}`)).statusCode);
      expect(seen).toEqual([404, 200, 404, 429]);
      const refused = await page('/packages/requests');
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(refused.headers['cache-control']).toBe('no-store');
      expect(refused.body).toContain('<h1>Too many requests</h1>');
      expect(refused.body).toContain('This site shows at most 3 package pages a second to one address. Try again in 1 s.');
      // Another client, the API and the other pages are not touched by it.
      expect((await page('/packages/requests', '198.51.100.2')).statusCode).toBe(200);
      for (const url of ['/', '/top', '/about', '/api/packages/requests/recent']) expect((await page(url)).statusCode).toBe(200);
      vi.advanceTimersByTime(1000);
      expect((await page('/packages/requests')).statusCode).toBe(200);
      const minute = await page('/packages/requests');
      expect([minute.statusCode, minute.headers['retry-after']]).toEqual([429, '59']);
      expect(minute.body).toContain('at most 6 package pages a minute');
    } finally {
      await limited.close();
      vi.useRealTimers();
    }
  });
});
