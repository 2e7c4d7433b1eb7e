/**
 * CSV on every time-series endpoint, under both prefixes and on each store: `format=csv` or
 * `Accept: text/csv`, parsed back by a real CSV parser into exactly the JSON's rows in its order;
 * RFC 4180 quoting of commas, quotes and line breaks in categories; JSON the default; a bad
 * format refused; each format cached apart, with its own ETag.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIXES } from '../../src/api/package-routes.js';
import { csvField, seriesFormat } from '../../src/api/series-formats.js';
import { dimensions } from '../../src/domain/dimensions.js';
import { appWithData, type TestApp } from '../support/app.js';
import { row } from '../support/rows.js';
import { describeEachStore } from '../support/stores.js';

/** Categories a CSV writer must quote: a comma, a quote, a line break (CRLF and LF), and one that needs nothing. */
const AWKWARD_DISTROS = ['Debian GNU/Linux, bookworm', 'the "best" distro', 'two\r\nlines', 'one\nline', 'Ubuntu'];

describeEachStore('CSV time series', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    const day = (downloads: number) => [
      row('requests', 'overall', 'with_mirrors', downloads + 1),
      row('requests', 'overall', 'without_mirrors', downloads),
      row('requests', 'python_major', '3', downloads),
      row('requests', 'python_minor', '3.10', downloads - 1),
      row('requests', 'python_minor', '3.9', 1),
      row('requests', 'system', 'linux', downloads),
      row('requests', 'version', '2.32.3', downloads - 2),
      row('requests', 'version', '2.10.0,"rc"', 2),
      ...AWKWARD_DISTROS.map((distro, i) => row('requests', 'distro', distro, i === AWKWARD_DISTROS.length - 1 ? downloads - 4 : 1)),
      // Every other breakdown: two categories, one of its own examples and null.
      ...dimensions
        .filter((dimension) => !['overall', 'python_major', 'python_minor', 'system', 'version', 'distro'].includes(dimension.name))
        .flatMap((dimension) => [row('requests', dimension.name, dimension.filter.examples[0]!, downloads - 1), row('requests', dimension.name, 'null', 1)]),
    ];
    t = await appWithData({ '2026-11-22': day(10), '2026-11-23': day(3_000_000_000), '2026-11-24': day(20) }, { kind });
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers });

  /** The CSV's records, as a CSV parser reads them: header first. */
  function records(body: string): string[][] {
    return parse(body, { relax_quotes: false, record_delimiter: '\r\n' }) as string[][];
  }

  describe.each(API_PREFIXES)('under %s', (prefix) => {
    it.each(dimensions.map((dimension) => dimension.name))('/%s?format=csv parses back to the JSON, row for row, in its order', async (name) => {
      const json = await get(`${prefix}/requests/${name}`);
      const csv = await get(`${prefix}/requests/${name}?format=csv`);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.headers.vary).toBe('accept');
      const [header, ...rows] = records(csv.body);
      expect(header).toEqual(['category', 'date', 'downloads']);
      const expected = (json.json().data as { category: string; date: string; downloads: number }[]).map((point) => [point.category, point.date, String(point.downloads)]);
      expect(expected.length).toBeGreaterThan(0);
      expect(rows).toEqual(expected);
    });

    it('quotes commas, quotes and line breaks as RFC 4180 says, and ends every record with CRLF', async () => {
      const csv = (await get(`${prefix}/requests/distro?format=csv&start_date=2026-11-24`)).body;
      expect(csv).toBe(
        [
          'category,date,downloads',
          '"Debian GNU/Linux, bookworm",2026-11-24,1',
          'Ubuntu,2026-11-24,16',
          '"one\nline",2026-11-24,1',
          '"the ""best"" distro",2026-11-24,1',
          '"two\r\nlines",2026-11-24,1',
          '',
        ].join('\r\n'),
      );
      expect(records(csv).slice(1).map(([category]) => category)).toEqual(['Debian GNU/Linux, bookworm', 'Ubuntu', 'one\nline', 'the "best" distro', 'two\r\nlines']);
      expect((await get(`${prefix}/requests/version?format=csv&end_date=2026-11-22`)).body).toBe('category,date,downloads\r\n2.32.3,2026-11-22,8\r\n"2.10.0,""rc""",2026-11-22,2\r\n');
    });

    it('takes the filters, top and dates with CSV as with JSON', async () => {
      for (const query of ['version=2.32.3', 'top=1', 'start_date=2026-11-23&end_date=2026-11-23', 'mirrors=false', 'os=linux']) {
        const name = query.startsWith('mirrors') ? 'overall' : query.startsWith('os') ? 'system' : query.startsWith('start') ? 'python_minor' : 'version';
        const json = (await get(`${prefix}/requests/${name}?${query}`)).json().data as { category: string; date: string; downloads: number }[];
        const csv = records((await get(`${prefix}/requests/${name}?${query}&format=csv`)).body).slice(1);
        expect(csv, query).toEqual(json.map((point) => [point.category, point.date, String(point.downloads)]));
      }
    });

    it('answers CSV to Accept: text/csv, and JSON by default, to format=json and to browsers', async () => {
      const csv = await get(`${prefix}/requests/overall`, { accept: 'text/csv' });
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.body.startsWith('category,date,downloads\r\n')).toBe(true);
      for (const accept of ['text/csv, */*;q=0.8', 'text/csv;q=0.9, application/json;q=0.5']) {
        expect((await get(`${prefix}/requests/overall`, { accept })).headers['content-type'], accept).toBe('text/csv; charset=utf-8');
      }
      for (const accept of ['', 'application/json', '*/*', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'application/json, text/csv', 'text/csv;q=0']) {
        const headers: Record<string, string> = accept === '' ? {} : { accept };
        expect((await get(`${prefix}/requests/overall`, headers)).headers['content-type'], accept).toBe('application/json; charset=utf-8');
      }
      // format wins over Accept, either way.
      expect((await get(`${prefix}/requests/overall?format=json`, { accept: 'text/csv' })).headers['content-type']).toBe('application/json; charset=utf-8');
      expect((await get(`${prefix}/requests/overall?format=CSV`, { accept: 'application/json' })).headers['content-type']).toBe('text/csv; charset=utf-8');
    });

    it('refuses a format other than json or csv with 400, and answers 404 for a package without data in CSV too', async () => {
      const bad = await get(`${prefix}/requests/overall?format=xml`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({ error: 'format must be one of: json, csv', status: 400 });
      const missing = await get(`${prefix}/no-such-package/overall?format=csv`);
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['content-type']).toBe('application/json; charset=utf-8');
      expect((await get(`${prefix}/requests/recent?format=csv`)).statusCode).toBe(400);
    });

    it('keeps CSV and JSON apart: each with its own ETag, each revalidated with its own', async () => {
      const json = await get(`${prefix}/requests/system`);
      const csv = await get(`${prefix}/requests/system`, { accept: 'text/csv' });
      expect(json.body.startsWith('{')).toBe(true);
      expect(csv.body.startsWith('category,')).toBe(true);
      expect(csv.headers.etag).not.toBe(json.headers.etag);
      expect((await get(`${prefix}/requests/system`, { accept: 'text/csv', 'if-none-match': csv.headers.etag as string })).statusCode).toBe(304);
      expect((await get(`${prefix}/requests/system`, { 'if-none-match': json.headers.etag as string })).statusCode).toBe(304);
      // The JSON's tag does not revalidate the CSV: a cache holding the JSON gets the CSV whole.
      const crossed = await get(`${prefix}/requests/system?format=csv`, { 'if-none-match': json.headers.etag as string });
      expect(crossed.statusCode).toBe(200);
      expect(crossed.body).toBe(csv.body);
      // And the JSON again, after the CSV: still the JSON (the cache keys include the format).
      expect((await get(`${prefix}/requests/system`)).body).toBe(json.body);
    });
  });
});

describe('the CSV writer', () => {
  it('quotes only what needs it, doubling quotes', () => {
    expect(['plain', 'a,b', 'say "hi"', 'a\nb', 'a\rb', ''].map(csvField)).toEqual(['plain', '"a,b"', '"say ""hi"""', '"a\nb"', '"a\rb"', '']);
  });

  it('reads format first, then Accept', () => {
    const request = (accept?: string) => ({ headers: accept === undefined ? {} : { accept } }) as never;
    expect(seriesFormat(request('text/csv'), 'json')).toBe('json');
    expect(seriesFormat(request(), 'csv')).toBe('csv');
    expect(seriesFormat(request('text/*'), undefined)).toBe('json');
    expect(seriesFormat(request('TEXT/CSV; charset=utf-8'), undefined)).toBe('csv');
    expect(seriesFormat(request('application/json;q=0.9, text/csv'), undefined)).toBe('csv');
  });
});

describe('a CSV revalidation under the rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await appWithData({ '2026-11-24': [row('requests', 'overall', 'with_mirrors', 5), row('requests', 'overall', 'without_mirrors', 5)] }, { rateLimit: { perSecond: 0, perMinute: 2 } });
  });
  afterAll(() => t.close());

  it('is free, as the JSON one is: its ETag is one of the current data version', async () => {
    const csv = await t.app.inject({ url: '/api/packages/requests/overall?format=csv' });
    expect(csv.statusCode).toBe(200);
    for (let i = 0; i < 5; i++) {
      const again = await t.app.inject({ url: '/api/packages/requests/overall?format=csv', headers: { 'if-none-match': csv.headers.etag as string } });
      expect(again.statusCode).toBe(304);
    }
    expect((await t.app.inject({ url: '/api/packages/requests/overall' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/packages/requests/overall' })).statusCode).toBe(429);
  });
});
