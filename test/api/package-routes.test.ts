import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIXES } from '../../src/api/package-routes.js';
import { appWithData, type TestApp } from '../support/app.js';
import { row } from '../support/rows.js';
import { describeEachStore } from '../support/stores.js';

describeEachStore('the API', (kind) => {
  let t: TestApp;

  /** Two packages over three days; Requests has no downloads at all on 2026-11-02 for python 2. */
  beforeAll(async () => {
    const day = (requests: number, mirrors: number) => [
      row('requests', 'overall', 'with_mirrors', requests + mirrors),
      row('requests', 'overall', 'without_mirrors', requests),
      row('requests', 'python_major', '3', requests - 2),
      row('requests', 'python_major', 'null', 2),
      row('requests', 'python_minor', '3.10', requests - 12),
      row('requests', 'python_minor', '3.9', 10),
      row('requests', 'python_minor', 'null', 2),
      row('requests', 'system', 'linux', requests - 3),
      row('requests', 'system', 'windows', 1),
      row('requests', 'system', 'other', 1),
      row('requests', 'system', 'null', 1),
      row('zope-interface', 'overall', 'with_mirrors', 5),
      row('zope-interface', 'overall', 'without_mirrors', 5),
      row('zope-interface', 'python_major', '2', 5),
      row('zope-interface', 'python_minor', '2.7', 5),
      row('zope-interface', 'system', 'darwin', 5),
    ];
    t = await appWithData({
      '2026-09-15': [row('dormant', 'overall', 'with_mirrors', 4), row('dormant', 'overall', 'without_mirrors', 4)],
      '2026-11-01': day(100, 3),
      '2026-11-02': day(200, 0),
      '2026-11-03': [...day(3_000_000_000, 1)],
    }, { kind });
  });
  afterAll(() => t.close());

  async function get(url: string, headers: Record<string, string> = {}) {
    const response = await t.app.inject({ url, headers });
    return { status: response.statusCode, headers: response.headers, body: response.body, json: () => response.json() };
  }

  describe.each(API_PREFIXES)('the API under %s', (prefix) => {
    it('/recent gives last day, week and month without mirrors, keys in alphabetical order', async () => {
      const response = await get(`${prefix}/requests/recent`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.body).toBe(
        '{"data":{"last_day":3000000000,"last_month":3000000300,"last_week":3000000300},"package":"requests","type":"recent_downloads"}',
      );
    });

    it('/recent?period= gives only that period; ?&period= (the Python client) works', async () => {
      for (const [period, value] of [['day', 3_000_000_000], ['week', 3_000_000_300], ['month', 3_000_000_300]] as const) {
        const response = await get(`${prefix}/requests/recent?&period=${period}`);
        expect(response.json()).toEqual({ data: { [`last_${period}`]: value }, package: 'requests', type: 'recent_downloads' });
      }
    });

    it('/overall gives both series ordered by category then date; mirrors=true|false one of them', async () => {
      const both = await get(`${prefix}/requests/overall`);
      expect(both.body).toBe(
        JSON.stringify({
          data: [
            { category: 'with_mirrors', date: '2026-11-01', downloads: 103 },
            { category: 'with_mirrors', date: '2026-11-02', downloads: 200 },
            { category: 'with_mirrors', date: '2026-11-03', downloads: 3_000_000_001 },
            { category: 'without_mirrors', date: '2026-11-01', downloads: 100 },
            { category: 'without_mirrors', date: '2026-11-02', downloads: 200 },
            { category: 'without_mirrors', date: '2026-11-03', downloads: 3_000_000_000 },
          ],
          package: 'requests',
          type: 'overall_downloads',
        }),
      );
      const withMirrors = (await get(`${prefix}/requests/overall?mirrors=true`)).json();
      expect(withMirrors.data.map((point: { category: string }) => point.category)).toEqual(['with_mirrors', 'with_mirrors', 'with_mirrors']);
      const without = (await get(`${prefix}/requests/overall?mirrors=false`)).json();
      expect(without.data.map((point: { downloads: number }) => point.downloads)).toEqual([100, 200, 3_000_000_000]);
    });

    it('/python_major and /python_minor order versions as versions, null last', async () => {
      const major = (await get(`${prefix}/requests/python_major`)).json();
      expect(major.type).toBe('python_major_downloads');
      expect(major.data.map((p: { category: string }) => p.category)).toEqual(['3', '3', '3', 'null', 'null', 'null']);
      const minor = (await get(`${prefix}/requests/python_minor`)).json();
      expect(minor.type).toBe('python_minor_downloads');
      expect([...new Set(minor.data.map((p: { category: string }) => p.category))]).toEqual(['3.9', '3.10', 'null']);
      expect(minor.data[0]).toEqual({ category: '3.9', date: '2026-11-01', downloads: 10 });
    });

    it('filters by version, including null; an unknown version answers an empty list', async () => {
      const three = (await get(`${prefix}/requests/python_major?version=3`)).json();
      expect(three.data).toEqual([
        { category: '3', date: '2026-11-01', downloads: 98 },
        { category: '3', date: '2026-11-02', downloads: 198 },
        { category: '3', date: '2026-11-03', downloads: 2_999_999_998 },
      ]);
      const unknown = (await get(`${prefix}/requests/python_minor?version=null`)).json();
      expect(unknown.data.every((p: { category: string }) => p.category === 'null')).toBe(true);
      expect(unknown.data).toHaveLength(3);
      const none = await get(`${prefix}/requests/python_minor?version=4.0`);
      expect(none.status).toBe(200);
      expect(none.json()).toEqual({ data: [], package: 'requests', type: 'python_minor_downloads' });
    });

    it('/system orders categories alphabetically and filters case-insensitively, other and null included', async () => {
      const all = (await get(`${prefix}/requests/system`)).json();
      expect(all.type).toBe('system_downloads');
      expect([...new Set(all.data.map((p: { category: string }) => p.category))]).toEqual(['linux', 'null', 'other', 'windows']);
      for (const [os, category] of [['Linux', 'linux'], ['WINDOWS', 'windows'], ['other', 'other'], ['Null', 'null']]) {
        const filtered = (await get(`${prefix}/requests/system?os=${os}`)).json();
        expect(filtered.data).toHaveLength(3);
        expect(filtered.data.every((p: { category: string }) => p.category === category)).toBe(true);
      }
      expect((await get(`${prefix}/zope-interface/system?os=darwin`)).json().data).toHaveLength(3);
    });

    it('start_date and end_date bound every series, inclusive', async () => {
      for (const endpoint of ['overall', 'python_major', 'python_minor', 'system']) {
        const response = (await get(`${prefix}/requests/${endpoint}?start_date=2026-11-02&end_date=2026-11-02`)).json();
        expect(response.data.length).toBeGreaterThan(0);
        expect(response.data.every((p: { date: string }) => p.date === '2026-11-02')).toBe(true);
      }
      expect((await get(`${prefix}/requests/overall?start_date=2026-11-03`)).json().data).toHaveLength(2);
      expect((await get(`${prefix}/requests/overall?end_date=2026-11-01`)).json().data).toHaveLength(2);
      const outside = await get(`${prefix}/requests/overall?start_date=2020-01-01&end_date=2020-01-31`);
      expect(outside.status).toBe(200);
      expect(outside.json().data).toEqual([]);
    });

    it('normalizes the name in the path and answers with the normalized name', async () => {
      for (const name of ['Zope.Interface', 'zope_interface', 'ZOPE--interface']) {
        const response = await get(`${prefix}/${name}/overall?mirrors=false`);
        expect(response.status).toBe(200);
        expect(response.json().package).toBe('zope-interface');
      }
    });

    it('__all__ holds the sum over all packages', async () => {
      const all = (await get(`${prefix}/__all__/overall?mirrors=false&start_date=2026-11-01&end_date=2026-11-01`)).json();
      expect(all).toEqual({ data: [{ category: 'without_mirrors', date: '2026-11-01', downloads: 105 }], package: '__all__', type: 'overall_downloads' });
      const major = (await get(`${prefix}/__all__/python_major?start_date=2026-11-01&end_date=2026-11-01`)).json();
      expect(major.data).toEqual([
        { category: '2', date: '2026-11-01', downloads: 5 },
        { category: '3', date: '2026-11-01', downloads: 98 },
        { category: 'null', date: '2026-11-01', downloads: 2 },
      ]);
      expect((await get(`${prefix}/__all__/recent?period=day`)).json().data).toEqual({ last_day: 3_000_000_005 });
    });

    it('answers 200 with zeros for a package with data but none in the last 30 days', async () => {
      const recent = await get(`${prefix}/dormant/recent`);
      expect(recent.status).toBe(200);
      expect(recent.json().data).toEqual({ last_day: 0, last_month: 0, last_week: 0 });
      const outside = await get(`${prefix}/dormant/overall?start_date=2026-11-01`);
      expect([outside.status, outside.json().data]).toEqual([200, []]);
    });

    it('answers 404 on every endpoint for a package with no data', async () => {
      for (const endpoint of ['recent', 'overall', 'python_major', 'python_minor', 'system']) {
        const response = await get(`${prefix}/no-such-package/${endpoint}`);
        expect(response.status).toBe(404);
        expect(response.json()).toEqual({ error: 'no downloads of package "no-such-package" are known', status: 404 });
      }
    });

    it('answers 400 with a JSON error for each bad parameter value', async () => {
      const cases: [string, string][] = [
        ['requests/recent?period=year', 'period must be one of: day, week, month'],
        ['requests/recent?period=', 'period must be one of: day, week, month'],
        ['requests/recent?period=day&period=week', 'period must be given at most once'],
        ['requests/overall?mirrors=yes', 'mirrors must be one of: true, false'],
        ['requests/overall?start_date=2026-02-30', 'start_date must be a date as YYYY-MM-DD'],
        ['requests/system?end_date=yesterday', 'end_date must be a date as YYYY-MM-DD'],
        ['requests/python_major?start_date=2026-11-03&end_date=2026-11-01', 'start_date must not be after end_date'],
        [`requests/python_minor?version=${'9'.repeat(65)}`, 'version is too long (at most 64 characters)'],
        [`requests/system?os=${'x'.repeat(1000)}`, 'os is too long (at most 64 characters)'],
      ];
      for (const [path, error] of cases) {
        const response = await get(`${prefix}/${path}`);
        expect({ path, status: response.status, body: response.json() }).toEqual({ path, status: 400, body: { error, status: 400 } });
      }
    });
  });

  describe('caching and conditional requests', () => {
    it('sends Cache-Control and an ETag, and 304 for a matching If-None-Match', async () => {
      const first = await get('/api/packages/requests/overall');
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[^"]+"$/);
      expect(first.headers['cache-control']).toBe('public, max-age=3600');
      const again = await get('/api/packages/requests/overall', { 'if-none-match': etag });
      expect(again.status).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(etag);
      expect((await get('/api/packages/requests/overall', { 'if-none-match': `W/${etag}, "other"` })).status).toBe(304);
      expect((await get('/api/packages/requests/overall', { 'if-none-match': '"stale"' })).status).toBe(200);
    });

    it('keeps the ETag until a load lands, then changes it and serves the new data', async () => {
      const before = await get('/api/package/zope-interface/recent');
      expect((await get('/api/package/zope-interface/recent')).headers.etag).toBe(before.headers.etag);
      await t.store.replaceDay({
        day: '2026-11-04',
        source: 'test',
        summary: null,
        rows: (async function* () {
          yield [row('zope-interface', 'overall', 'without_mirrors', 1000), row('zope-interface', 'overall', 'with_mirrors', 1000)];
        })(),
      });
      const after = await get('/api/package/zope-interface/recent', { 'if-none-match': before.headers.etag as string });
      expect(after.status).toBe(200);
      expect(after.headers.etag).not.toBe(before.headers.etag);
      expect(after.json().data).toEqual({ last_day: 1000, last_month: 1015, last_week: 1015 });
    });

    it('answers HEAD like GET without a body', async () => {
      const response = await t.app.inject({ method: 'HEAD', url: '/api/packages/requests/system' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('');
      expect(response.headers.etag).toBeDefined();
    });
  });
});
