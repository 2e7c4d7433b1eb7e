/**
 * History beyond retention in the API (API.md "History beyond retention"): `interval=month` on
 * the time series (dates, filters, `top`), `/months` and `/total` under both prefixes, and the
 * 400s of bad months, on both stores. The expected answers are written out by hand.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_PREFIXES } from '../../src/api/package-routes.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { dayRange } from '../../src/domain/dates.js';
import { chunks, row } from '../support/rows.js';
import { appWithData, type TestApp } from '../support/app.js';
import { describeEachStore } from '../support/stores.js';

/** Two days in October, one in November: two months, the second partial. */
const days = {
  '2026-10-30': [
    row('requests', 'overall', 'with_mirrors', 110),
    row('requests', 'overall', 'without_mirrors', 100),
    row('requests', 'system', 'linux', 70),
    row('requests', 'system', 'windows', 30),
    row('requests', 'version', '2.0', 60),
    row('requests', 'version', '1.0', 40),
    row('other', 'overall', 'with_mirrors', 5),
    row('other', 'overall', 'without_mirrors', 5),
  ],
  '2026-10-31': [
    row('requests', 'overall', 'with_mirrors', 220),
    row('requests', 'overall', 'without_mirrors', 200),
    row('requests', 'system', 'linux', 150),
    row('requests', 'system', 'darwin', 50),
    row('requests', 'version', '2.0', 190),
    row('requests', 'version', '1.0', 10),
  ],
  '2026-11-01': [
    row('requests', 'overall', 'with_mirrors', 33),
    row('requests', 'overall', 'without_mirrors', 30),
    row('requests', 'system', 'linux', 10),
    row('requests', 'system', 'windows', 20),
    row('requests', 'version', '1.0', 25),
    row('requests', 'version', '3.0', 5),
  ],
};

describeEachStore('the API by month', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await appWithData(days, { kind });
  });
  afterAll(() => t.close());

  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it('answers every time series by month with interval=month, under both prefixes', async () => {
    for (const prefix of API_PREFIXES) {
      expect((await get(`${prefix}/requests/overall?interval=month`)).json()).toEqual({
        data: [
          { category: 'with_mirrors', date: '2026-10', downloads: 330 },
          { category: 'with_mirrors', date: '2026-11', downloads: 33 },
          { category: 'without_mirrors', date: '2026-10', downloads: 300 },
          { category: 'without_mirrors', date: '2026-11', downloads: 30 },
        ],
        package: 'requests',
        type: 'overall_downloads',
      });
    }
    expect((await get('/api/packages/requests/system?interval=MONTH')).json().data).toEqual([
      { category: 'darwin', date: '2026-10', downloads: 50 },
      { category: 'linux', date: '2026-10', downloads: 220 },
      { category: 'linux', date: '2026-11', downloads: 10 },
      { category: 'windows', date: '2026-10', downloads: 30 },
      { category: 'windows', date: '2026-11', downloads: 20 },
    ]);
    // The mirrors filter keeps one series.
    expect((await get('/api/packages/__all__/overall?interval=month&mirrors=false')).json().data).toEqual([
      { category: 'without_mirrors', date: '2026-10', downloads: 305 },
      { category: 'without_mirrors', date: '2026-11', downloads: 30 },
    ]);
    // interval=day is the default, and the seed's answer.
    expect((await get('/api/packages/requests/overall?interval=day')).body).toBe((await get('/api/packages/requests/overall')).body);
  });

  it('takes filters, top and YYYY-MM dates by month', async () => {
    expect((await get('/api/packages/requests/system?interval=month&os=linux&start_date=2026-11')).json().data).toEqual([
      { category: 'linux', date: '2026-11', downloads: 10 },
    ]);
    expect((await get('/api/packages/requests/version?interval=month&end_date=2026-10')).json().data).toEqual([
      { category: '1.0', date: '2026-10', downloads: 50 },
      { category: '2.0', date: '2026-10', downloads: 250 },
    ]);
    // top ranks over the months asked: 2.0 (250) then 1.0 (75) over both; over November, 1.0 (25) then 3.0 (5).
    expect((await get('/api/packages/requests/version?interval=month&top=1')).json().data).toEqual([
      { category: '2.0', date: '2026-10', downloads: 250 },
    ]);
    expect((await get('/api/packages/requests/version?interval=month&top=2&start_date=2026-11&end_date=2026-11')).json().data).toEqual([
      { category: '1.0', date: '2026-11', downloads: 25 },
      { category: '3.0', date: '2026-11', downloads: 5 },
    ]);
    expect((await get('/api/packages/requests/system?interval=month&os=other')).json()).toEqual({ data: [], package: 'requests', type: 'system_downloads' });
  });

  it('answers 400 for a bad month, a day given by month and a month given by day; 404 for a package without data', async () => {
    const cases: [string, number, string][] = [
      ['requests/overall?interval=month&start_date=2026-13', 400, 'start_date must be a month as YYYY-MM with interval=month'],
      ['requests/overall?interval=month&start_date=2026-11-01', 400, 'start_date must be a month as YYYY-MM with interval=month'],
      ['requests/system?interval=month&end_date=1969-12', 400, 'end_date must be a month as YYYY-MM with interval=month'],
      ['requests/overall?start_date=2026-11', 400, 'start_date must be a date as YYYY-MM-DD'],
      ['requests/overall?interval=month&start_date=2026-11&end_date=2026-10', 400, 'start_date must not be after end_date'],
      ['requests/overall?interval=week', 400, 'interval must be one of: day, month'],
      ['requests/overall?interval=month&interval=day', 400, 'interval must be given at most once'],
      ['requests/months?interval=month', 400, 'unknown parameter: interval (months takes )'],
      ['requests/total?x=1', 400, 'unknown parameter: x (total takes )'],
      ['no-such-package/overall?interval=month', 404, 'no downloads of package "no-such-package" are known'],
      ['no-such-package/months', 404, 'no downloads of package "no-such-package" are known'],
      ['no-such-package/total', 404, 'no downloads of package "no-such-package" are known'],
      ['-bad-/total', 400, ''],
    ];
    for (const [path, status, error] of cases) {
      const response = await get(`/api/packages/${path}`);
      expect({ path, status: response.statusCode }).toEqual({ path, status });
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      if (error) expect(response.json()).toEqual({ error, status });
    }
  });

  it('/months lists the months held and how complete each is; /total sums every month', async () => {
    for (const prefix of API_PREFIXES) {
      expect((await get(`${prefix}/requests/months`)).json()).toEqual({
        data: [
          { date: '2026-10', days: 31, days_loaded: 2, source: 'daily' },
          { date: '2026-11', days: 30, days_loaded: 1, source: 'daily' },
        ],
        package: 'requests',
        type: 'months',
      });
      const total = await get(`${prefix}/Requests/total`);
      expect(total.json()).toEqual({ data: { first_month: '2026-10', with_mirrors: 363, without_mirrors: 330 }, package: 'requests', type: 'total_downloads' });
      expect(total.headers.etag).toBeDefined();
    }
    expect((await get('/api/packages/other/months')).json().data).toEqual([{ date: '2026-10', days: 31, days_loaded: 2, source: 'daily' }]);
    expect((await get('/api/packages/__all__/total')).json().data).toEqual({ first_month: '2026-10', with_mirrors: 368, without_mirrors: 335 });
  });
});

/**
 * A package known only from months (a backfill of years before the days held): it has data, so
 * every endpoint answers 200 (API.md: 404 is for a package with no data), its days empty.
 */
describeEachStore('a package known only from backfilled months', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await appWithData(days, { kind });
    await t.store.replaceBackfillMonth({
      month: '2025-03',
      days: dayRange('2025-03-01', '2025-03-31'),
      rows: withAllPackagesTotals(
        chunks([row('old-only', 'overall', 'with_mirrors', 900), row('old-only', 'overall', 'without_mirrors', 800), row('old-only', 'system', 'linux', 800)], 2),
      ),
    });
  });
  afterAll(() => t.close());

  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it('answers its months and total, and 200 with no days on the daily endpoints', async () => {
    expect((await get('/api/packages/old-only/total')).json().data).toEqual({ first_month: '2025-03', with_mirrors: 900, without_mirrors: 800 });
    expect((await get('/api/packages/old-only/overall?interval=month')).json().data).toEqual([
      { category: 'with_mirrors', date: '2025-03', downloads: 900 },
      { category: 'without_mirrors', date: '2025-03', downloads: 800 },
    ]);
    for (const prefix of API_PREFIXES) {
      const recent = await get(`${prefix}/old-only/recent`);
      expect({ status: recent.statusCode, body: recent.json() }).toEqual({
        status: 200,
        body: { data: { last_day: 0, last_month: 0, last_week: 0 }, package: 'old-only', type: 'recent_downloads' },
      });
      for (const [endpoint, type] of [['overall', 'overall_downloads'], ['system', 'system_downloads'], ['python_major', 'python_major_downloads']]) {
        const series = await get(`${prefix}/old-only/${endpoint}`);
        expect({ endpoint, status: series.statusCode, body: series.json() }).toEqual({ endpoint, status: 200, body: { data: [], package: 'old-only', type } });
      }
    }
    // A package with no data at all still gets 404 everywhere.
    for (const endpoint of ['recent', 'overall', 'total', 'months']) expect((await get(`/api/packages/never-seen/${endpoint}`)).statusCode).toBe(404);
  });

  it('has a package page, with its all-time total', async () => {
    const page = await get('/packages/old-only');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>old-only</h1>');
    expect(page.body).toContain('<span class="stat-label">All time</span><span class="stat-value">800</span>');
    // The charts' months (the 1 year / 2 years / all ranges) start at the backfilled month.
    const charts = JSON.parse(page.body.match(/<script type="application\/json" id="chart-data">([^<]*)<\/script>/)![1]!) as { months: { start: string } | null };
    expect(charts.months?.start).toBe('2025-03');
    expect((await get('/packages/never-seen')).statusCode).toBe(404);
  });
});

describeEachStore('a deployment that has only backfilled', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await appWithData({}, { kind });
    await t.store.replaceBackfillMonth({
      month: '2025-03',
      days: dayRange('2025-03-01', '2025-03-31'),
      rows: withAllPackagesTotals(chunks([row('old-only', 'overall', 'with_mirrors', 9), row('old-only', 'overall', 'without_mirrors', 8)], 2)),
    });
  });
  afterAll(() => t.close());

  it('answers its packages with no day loaded: /recent zeros, the daily series empty, the months and the total', async () => {
    const get = (url: string) => t.app.inject({ method: 'GET', url });
    expect((await get('/api/packages/old-only/recent')).json()).toEqual({ data: { last_day: 0, last_month: 0, last_week: 0 }, package: 'old-only', type: 'recent_downloads' });
    expect((await get('/api/packages/old-only/overall')).json()).toEqual({ data: [], package: 'old-only', type: 'overall_downloads' });
    expect((await get('/api/packages/old-only/total')).json().data).toEqual({ first_month: '2025-03', with_mirrors: 9, without_mirrors: 8 });
    for (const endpoint of ['recent', 'overall', 'total']) expect((await get(`/api/packages/never-seen/${endpoint}`)).statusCode).toBe(404);
  });
});
