import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { DEFAULT_MIRROR_INSTALLERS } from '../../src/domain/mirrors.js';
import type { BreakdownData } from '../../src/web/chart-data.js';
import { releaseSeries } from '../../src/web/chart-data.js';
import { appWithData, type TestApp } from '../support/app.js';
import { BREAKDOWN_WEIGHTS, DAYS, FIRST_DAY, LATEST_DAY, requestsDownloads, siteDays, splitCounts } from '../support/site-data.js';

let t: TestApp;

beforeAll(async () => {
  t = await appWithData(siteDays());
});
afterAll(() => t.close());

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await t.app.inject({ url, headers });
  return { status: response.statusCode, headers: response.headers, body: response.body };
}

describe('a package page’s breakdown sections', () => {
  it('are one per breakdown beyond the seed’s, each naming where its data is, none of them embedded', async () => {
    const page = (await get('/packages/requests')).body;
    const sections = [...page.matchAll(/<section class="breakdown card" data-breakdown="([a-z_]+)"[^>]* data-src="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(sections).toEqual(
      ['version', 'installer', 'ci', 'country', 'implementation', 'cpu', 'libc', 'distro', 'file_type'].map((name) => [name, `/packages/requests/breakdowns/${name}`]),
    );
    expect(page).toMatch(/data-breakdown="country"[^>]* data-map-script="\/assets\/country-map-[0-9a-f]{16}\.js"/);
    expect(page).not.toContain('2.32.3');
  });

  it('leave versions out of all of PyPI', async () => {
    const page = (await get('/packages/__all__')).body;
    expect(page).toContain('data-breakdown="installer"');
    expect(page).not.toContain('data-breakdown="version"');
    const version = await get('/packages/__all__/breakdowns/version');
    expect(version.status).toBe(404);
    expect(JSON.parse(version.body)).toEqual({ error: '__all__ has no version breakdown' });
  });
});

describe('a breakdown’s chart data', () => {
  it('is JSON of every day, the largest categories of each range, each day’s whole and a row per category', async () => {
    const response = await get('/packages/requests/breakdowns/country');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const data = JSON.parse(response.body) as BreakdownData;
    expect([data.name, data.start, data.end]).toEqual(['country', FIRST_DAY, LATEST_DAY]);
    const [view] = data.views;
    expect(data.views).toHaveLength(1);
    // Twelve countries: the eight largest of any range are sent as series, the rest only in rows.
    expect(view!.chart.downloads.map((s) => s.category)).toEqual(['BR', 'CN', 'DE', 'FR', 'GB', 'IN', 'JP', 'US']);
    expect(view!.chart.total).toHaveLength(DAYS);
    expect(view!.chart.total!.at(-1)).toBe(requestsDownloads(DAYS - 1));
    expect(view!.rows.map((row) => row.category)).toEqual(['BR', 'CA', 'CN', 'DE', 'FR', 'GB', 'IN', 'JP', 'KR', 'RU', 'US', 'null']);
    const us = view!.rows.find((row) => row.category === 'US')!;
    const usOn = (day: number) => splitCounts(requestsDownloads(day), BREAKDOWN_WEIGHTS.country!).US!;
    expect(us.recent).toEqual([usOn(DAYS - 1), [1, 2, 3, 4, 5, 6, 7].reduce((s, d) => s + usOn(DAYS - d), 0), Array.from({ length: 30 }, (_, d) => usOn(DAYS - 1 - d)).reduce((a, b) => a + b, 0)]);
    expect(us.totals).toHaveLength(5);
    expect(us.totals.at(-1)).toBe(Array.from({ length: DAYS }, (_, d) => usOn(d)).reduce((a, b) => a + b, 0));
  });

  it('of versions has their release series too, and sends a few of 1,500 versions as series', async () => {
    const data = JSON.parse((await get('/packages/requests/breakdowns/version')).body) as BreakdownData;
    expect(data.views.map((view) => [view.grouping, view.rows.length])).toEqual([
      ['category', 1500],
      ['major', 6],
      ['minor', 156],
    ]);
    expect(data.views[0]!.chart.downloads.length).toBeLessThanOrEqual(8 * 5);
    expect(data.views[0]!.chart.othersLabel).toBe('other versions');
    expect(data.views[1]!.rows.map((row) => [row.category, row.label])).toEqual([
      ['0', '0.*'],
      ['1', '1.*'],
      ['2', '2.*'],
      ['3', '3.*'],
      ['custom-build', undefined],
      ['null', 'unknown'],
    ]);
  });

  it('has no rows for a package without downloads in the breakdown (loaded before it was on)', async () => {
    const data = JSON.parse((await get('/packages/zope-interface/breakdowns/installer')).body) as BreakdownData;
    expect(data.views[0]!.rows).toEqual([]);
    expect(data.views[0]!.chart.downloads).toEqual([]);
  });

  it('is kept per data version with an ETag, and answers 304 to it', async () => {
    const first = await get('/packages/requests/breakdowns/installer', { 'accept-encoding': 'br' });
    expect(first.headers['content-encoding']).toBe('br');
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    const etag = String(first.headers.etag);
    const again = await get('/packages/requests/breakdowns/installer', { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('answers 404 with a JSON error for a dimension it does not show, a name not normalized, and a package without downloads', async () => {
    for (const [url, error] of [
      ['/packages/requests/breakdowns/overall', '"overall" is not a breakdown this site shows'],
      ['/packages/requests/breakdowns/nope', '"nope" is not a breakdown this site shows'],
      ['/packages/Requests/breakdowns/ci', '"Requests" is not a normalized package name'],
      ['/packages/no-such-package/breakdowns/ci', 'no downloads of "no-such-package"'],
    ] as const) {
      const response = await get(url);
      expect([url, response.status, response.headers['content-type'], JSON.parse(response.body)]).toEqual([url, 404, 'application/json; charset=utf-8', { error }]);
    }
  });
});

describe('a site with only some breakdowns on', () => {
  it('shows their sections only, and answers 404 for the others', async () => {
    const config = {
      retentionDays: 180,
      cacheMaxAge: 3600,
      logLevel: 'silent' as const,
      rateLimit: { perSecond: 0, perMinute: 0 },
      trustedProxies: [],
      hstsMaxAge: 0,
      mirrorInstallers: [...DEFAULT_MIRROR_INSTALLERS],
      dimensions: ['overall', 'python_major', 'python_minor', 'system', 'cpu'],
    };
    const app = await buildApp({ store: t.store, config });
    try {
      const page = (await app.inject({ url: '/packages/requests' })).body;
      expect([...page.matchAll(/data-breakdown="([a-z_]+)"/g)].map((m) => m[1])).toEqual(['cpu']);
      expect((await app.inject({ url: '/packages/requests/breakdowns/cpu' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/packages/requests/breakdowns/version' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});

describe('release series', () => {
  it('are PEP 440’s major or major.minor; a string PEP 440 cannot parse, and null, are their own', () => {
    expect(['2.32.3', '3.0.0rc1', '1!2.0', '2', '1.0.post1', 'custom-build', 'null'].map((v) => [releaseSeries(v, 'major'), releaseSeries(v, 'minor')])).toEqual([
      ['2', '2.32'],
      ['3', '3.0'],
      ['2', '2.0'],
      ['2', '2.0'],
      ['1', '1.0'],
      ['custom-build', 'custom-build'],
      ['null', 'null'],
    ]);
  });
});
