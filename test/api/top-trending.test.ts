/**
 * `/api/top` and `/api/trending` on known data, on both stores: ranks, ties (by name; in growth,
 * by downloads then name), the trending floor, limits, defaults and bad parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRENDING_FLOOR_PER_DAY } from '../../src/domain/api-parameters.js';
import { appWithData, type TestApp } from '../support/app.js';
import { row } from '../support/rows.js';
import { describeEachStore } from '../support/stores.js';

/** Day `i` of 60 from 2026-10-01; the latest is day 59, 2026-11-29. */
const dayOf = (i: number) => new Date(Date.UTC(2026, 9, 1 + i)).toISOString().slice(0, 10);
const LATEST = dayOf(59);

/**
 * Downloads a day (without mirrors) of each package: before the last week (days 0–52) and in it
 * (53–59). The last month is days 30–59, the month before it days 0–29.
 */
const PER_DAY: Record<string, [before: number, lastWeek: number]> = {
  steady: [1000, 1000], // no growth: never trending
  doubler: [TRENDING_FLOOR_PER_DAY, 2 * TRENDING_FLOOR_PER_DAY], // exactly at the floor: trending
  'twin-a': [500, 1000],
  'twin-b': [500, 1000], // the same as twin-a: a tie, broken by name
  rocket: [TRENDING_FLOOR_PER_DAY - 1, 10_000], // grew most, but under the floor before
  riser: [150, 600],
  faller: [2000, 100],
};

function days(count: number) {
  const result: Record<string, ReturnType<typeof row>[]> = {};
  for (let i = 60 - count; i < 60; i++) {
    result[dayOf(i)] = Object.entries(PER_DAY).flatMap(([name, [before, lastWeek]]) => {
      const downloads = i >= 53 ? lastWeek : before;
      return [row(name, 'overall', 'without_mirrors', downloads), row(name, 'overall', 'with_mirrors', downloads + 7)];
    });
  }
  return result;
}

describeEachStore('top and trending', (kind) => {
  let t: TestApp;
  let short: TestApp;

  beforeAll(async () => {
    t = await appWithData(days(60), { kind });
    // 13 days: not two whole weeks, so no trending list yet; the top lists are there.
    short = await appWithData(days(13), { kind });
  });
  afterAll(async () => {
    await t?.close();
    await short?.close();
  });

  async function get(url: string, app: TestApp = t) {
    const response = await app.app.inject({ url });
    return { status: response.statusCode, body: response.body, json: () => response.json(), headers: response.headers };
  }

  it('/api/top ranks by downloads without mirrors, a tie by name, keys in alphabetical order', async () => {
    const week = await get('/api/top?period=week');
    expect(week.status).toBe(200);
    expect(week.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(week.body.startsWith('{"data":[{"downloads":70000,"package":"rocket","rank":1},')).toBe(true);
    expect(week.json()).toEqual({
      data: [
        { downloads: 70_000, package: 'rocket', rank: 1 },
        // Three at 7000: by name.
        { downloads: 7000, package: 'steady', rank: 2 },
        { downloads: 7000, package: 'twin-a', rank: 3 },
        { downloads: 7000, package: 'twin-b', rank: 4 },
        { downloads: 4200, package: 'riser', rank: 5 },
        { downloads: 1400, package: 'doubler', rank: 6 },
        { downloads: 700, package: 'faller', rank: 7 },
      ],
      date: LATEST,
      period: 'week',
      type: 'top_packages',
    });
    const day = (await get('/api/top?period=day')).json();
    expect(day.data.map((entry: { package: string }) => entry.package)).toEqual(['rocket', 'steady', 'twin-a', 'twin-b', 'riser', 'doubler', 'faller']);
    expect(day.data[0].downloads).toBe(10_000);
  });

  it('/api/top gives the month and 100 by default, and `limit` of them', async () => {
    const month = (await get('/api/top')).json();
    expect(month.period).toBe('month');
    // faller: 23 days of 2000 and 7 of 100, second to rocket (23 × 99 + 7 × 10,000).
    expect(month.data.find((entry: { package: string }) => entry.package === 'faller').downloads).toBe(23 * 2000 + 7 * 100);
    expect(month.data).toHaveLength(7);
    expect((await get('/api/top?period=month&limit=2')).json().data.map((entry: { package: string }) => entry.package)).toEqual(['rocket', 'faller']);
    expect((await get('/api/top?limit=1000')).json().data).toHaveLength(7);
  });

  it('/api/trending ranks by growth among packages that grew from above the floor; a tie by downloads, then name', async () => {
    const week = await get('/api/trending?period=week');
    expect(week.status).toBe(200);
    expect(week.json()).toEqual({
      data: [
        { downloads: 4200, growth: 4, package: 'riser', previous: 1050, rank: 1 },
        { downloads: 7000, growth: 2, package: 'twin-a', previous: 3500, rank: 2 },
        { downloads: 7000, growth: 2, package: 'twin-b', previous: 3500, rank: 3 },
        // At the floor exactly (700 the week before): in; rocket, one download a day under it, is not.
        { downloads: 1400, growth: 2, package: 'doubler', previous: 700, rank: 4 },
      ],
      date: LATEST,
      period: 'week',
      type: 'trending_packages',
    });
    // The default period is the week.
    expect((await get('/api/trending')).body).toBe(week.body);
  });

  it('/api/trending over months compares the last 30 days with the 30 before', async () => {
    const month = (await get('/api/trending?period=month')).json();
    // riser: 23 × 150 + 7 × 600 = 7650 against 4500; the twins and doubler grew alike (37/30): by downloads, then name.
    expect(month.data).toEqual([
      { downloads: 7650, growth: 1.7, package: 'riser', previous: 4500, rank: 1 },
      { downloads: 18_500, growth: 1.2333, package: 'twin-a', previous: 15_000, rank: 2 },
      { downloads: 18_500, growth: 1.2333, package: 'twin-b', previous: 15_000, rank: 3 },
      { downloads: 3700, growth: 1.2333, package: 'doubler', previous: 3000, rank: 4 },
    ]);
    expect((await get('/api/trending?period=month&limit=1')).json().data).toHaveLength(1);
  });

  it('/api/trending is empty until the store holds the whole period before', async () => {
    expect((await get('/api/trending?period=week', short)).json()).toEqual({ data: [], date: LATEST, period: 'week', type: 'trending_packages' });
    expect((await get('/api/trending?period=month', short)).json().data).toEqual([]);
    expect((await get('/api/top?period=week', short)).json().data[0]).toEqual({ downloads: 70_000, package: 'rocket', rank: 1 });
  });

  it('answers bad parameters 400 with a JSON error naming what is wrong', async () => {
    const cases: [string, string][] = [
      ['/api/top?period=year', 'period must be one of: day, week, month'],
      ['/api/trending?period=day', 'period must be one of: week, month'],
      ['/api/top?limit=0', 'limit must be at least 1'],
      ['/api/top?limit=1001', 'limit must be at most 1000'],
      ['/api/trending?limit=ten', 'limit must be a whole number'],
      ['/api/top?limit=1.5', 'limit must be a whole number'],
      ['/api/top?limit=1&limit=2', 'limit must be given at most once'],
      ['/api/top?mirrors=true', 'unknown parameter: mirrors (top takes period, limit)'],
    ];
    for (const [url, error] of cases) {
      const response = await get(url);
      expect([url, response.status, response.json()]).toEqual([url, 400, { error, status: 400 }]);
    }
  });

  it('is cached per data version with an ETag, like the rest of the API', async () => {
    const first = await get('/api/top?limit=3');
    expect(first.headers.etag).toMatch(/^"/);
    const again = await t.app.inject({ url: '/api/top?limit=3', headers: { 'if-none-match': first.headers.etag as string } });
    expect(again.statusCode).toBe(304);
  });
});
