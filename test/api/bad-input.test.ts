import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithData, type TestApp } from '../support/app.js';
import { row } from '../support/rows.js';

let t: TestApp;
beforeAll(async () => {
  t = await appWithData({ '2026-11-01': [row('requests', 'overall', 'with_mirrors', 1), row('requests', 'overall', 'without_mirrors', 1)] });
});
afterAll(() => t.close());

const invalidName =
  'the package name is not a valid PyPI project name (letters, digits, ".", "_" and "-", starting and ending with a letter or digit)';

/** What a new user might type, and the answer each gets: never a 500, always JSON. */
const cases: [what: string, url: string, status: number, error: string][] = [
  ['a name of 10,000 characters', `/api/packages/${'a'.repeat(10_000)}/recent`, 400, 'the package name is longer than 128 characters'],
  ['a name of 129 characters', `/api/packages/${'a'.repeat(129)}/overall`, 400, 'the package name is longer than 128 characters'],
  ['a name of 201 characters that normalizes to 101', `/api/packages/${'a_._'.repeat(50)}a/overall`, 404, `no downloads of package "${'a-'.repeat(50)}a" are known`],
  ['unicode', '/api/packages/%C3%A9t%C3%A9/recent', 400, invalidName],
  ['an emoji', `/api/packages/${encodeURIComponent('📦')}/overall`, 400, invalidName],
  ['a dot-dot', '/api/packages/../recent', 404, 'nothing here: /api/recent'],
  ['an encoded ../', '/api/packages/..%2F..%2Fetc/system', 400, invalidName],
  ['an encoded slash', '/api/packages/foo%2Fbar/system', 400, invalidName],
  ['a single quote', "/api/packages/a'b/recent", 400, invalidName],
  ['SQL in the name', `/api/packages/${encodeURIComponent("x'; DROP TABLE downloads; --")}/recent`, 400, invalidName],
  ['a double quote', '/api/packages/a%22b/overall', 400, invalidName],
  ['HTML in the name', `/api/packages/${encodeURIComponent('<script>alert(1)</script>')}/overall`, 400, invalidName],
  ['a space', '/api/packages/a%20b/overall', 400, invalidName],
  ['a leading dash', '/api/packages/-requests/overall', 400, invalidName],
  ['a trailing dot', '/api/packages/requests./overall', 400, invalidName],
  ['a null byte', '/api/packages/req%00uests/overall', 400, invalidName],
  ['a bad percent-encoding', '/api/packages/req%ZZuests/overall', 400, 'the URL is not valid: /api/packages/req%ZZuests/overall'],
  ['an unknown package', '/api/packages/no-such-thing/overall', 404, 'no downloads of package "no-such-thing" are known'],
  ['an unknown endpoint', '/api/packages/requests/downloads', 404, 'nothing here: /api/packages/requests/downloads'],
  ['no endpoint', '/api/packages/requests', 404, 'nothing here: /api/packages/requests'],
  // Unknown paths outside /api/ get the website's HTML 404 page (test/web/pages.test.ts).
  ['an unknown path under /api/', '/api/wp-login.php', 404, 'nothing here: /api/wp-login.php'],
  ['a bad date', '/api/packages/requests/overall?start_date=2026-1-1', 400, 'start_date must be a date as YYYY-MM-DD'],
  ['a date with a time', '/api/packages/requests/overall?end_date=2026-11-01T00:00:00Z', 400, 'end_date must be a date as YYYY-MM-DD'],
  ['a year 0 date', '/api/packages/requests/overall?start_date=0000-00-00', 400, 'start_date must be a date as YYYY-MM-DD'],
  ['reversed dates', '/api/packages/requests/system?start_date=2026-12-01&end_date=2026-11-01', 400, 'start_date must not be after end_date'],
  ['a bad period', '/api/packages/requests/recent?period=%27%20OR%201%3D1', 400, 'period must be one of: day, week, month'],
  ['a bad mirrors', '/api/packages/requests/overall?mirrors=1', 400, 'mirrors must be one of: true, false'],
  ['a mistyped parameter', '/api/packages/requests/overall?mirror=true', 400, 'unknown parameter: mirror (overall takes mirrors, start_date, end_date, interval, format)'],
  ['two unknown parameters', '/api/packages/requests/recent?period=day&perod=week&x=', 400, 'unknown parameters: perod, x (recent takes period, mirrors)'],
  ['a parameter of another endpoint', '/api/packages/requests/system?version=3', 400, 'unknown parameter: version (system takes os, start_date, end_date, interval, format, top)'],
  ['a parameter name in capitals', '/api/packages/requests/overall?MIRRORS=true', 400, 'unknown parameter: MIRRORS (overall takes mirrors, start_date, end_date, interval, format)'],
  ['an upper-case bad value', '/api/packages/requests/recent?period=YEAR', 400, 'period must be one of: day, week, month'],
];

describe('bad input gets a clear 4xx JSON error, never a 500', () => {
  it.each(cases)('%s', async (_what, url, status, error) => {
    const response = await t.app.inject({ url });
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect({ status: response.statusCode, body: response.json() }).toEqual({ status, body: { error, status } });
  });

  it('answers 405 with Allow for other methods on API paths, whatever body they carry', async () => {
    const bodies = [
      { payload: { a: 1 } },
      // Once a 400 (not JSON) and a 415 (no parser for it): the method is refused before the body is read.
      { payload: '{"a":', headers: { 'content-type': 'application/json' } },
      { payload: '<a/>', headers: { 'content-type': 'text/xml' } },
      { payload: 'x'.repeat(2_000_000), headers: { 'content-type': 'application/json' } },
      {},
    ];
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      for (const body of bodies) {
        const response = await t.app.inject({ method, url: '/api/packages/requests/overall?mirrors=true', ...body });
        expect(response.statusCode).toBe(405);
        expect(response.headers.allow).toBe('GET, HEAD');
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(response.json()).toEqual({ error: `${method} is not allowed here: the API answers GET and HEAD`, status: 405 });
      }
    }
  });

  it('answers a bare OPTIONS with a JSON 400, and a real preflight with CORS', async () => {
    for (const headers of [{}, { origin: 'https://example.org' }, { 'access-control-request-method': 'GET' }]) {
      const response = await t.app.inject({ method: 'OPTIONS', url: '/api/packages/requests/overall', headers });
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect({ status: response.statusCode, body: response.json() }).toEqual({
        status: 400,
        body: { error: 'an OPTIONS request here is a CORS preflight: it needs Origin and Access-Control-Request-Method', status: 400 },
      });
    }
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/packages/requests/overall',
      headers: { origin: 'https://example.org', 'access-control-request-method': 'GET' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, HEAD');
  });

  it('takes filter values and __all__ in any case, the same way on every endpoint', async () => {
    const same: [string, string][] = [
      ['/api/packages/requests/recent?period=WEEK', '/api/packages/requests/recent?period=week'],
      ['/api/packages/requests/overall?mirrors=TRUE', '/api/packages/requests/overall?mirrors=true'],
      ['/api/packages/requests/overall?mirrors=False', '/api/packages/requests/overall?mirrors=false'],
      ['/api/packages/requests/python_major?version=NULL', '/api/packages/requests/python_major?version=null'],
      ['/api/packages/requests/python_minor?version=Null', '/api/packages/requests/python_minor?version=null'],
      ['/api/packages/requests/system?os=LINUX', '/api/packages/requests/system?os=linux'],
      ['/api/packages/__ALL__/overall', '/api/packages/__all__/overall'],
      ['/api/package/__All__/recent?period=Day', '/api/package/__all__/recent?period=day'],
    ];
    for (const [asked, canonical] of same) {
      const [a, b] = await Promise.all([t.app.inject({ url: asked }), t.app.inject({ url: canonical })]);
      expect({ asked, status: a.statusCode, body: a.body }).toEqual({ asked, status: 200, body: b.body });
    }
    expect((await t.app.inject({ url: '/api/packages/__ALL__/overall' })).json().package).toBe('__all__');
  });

  it("keeps the Python client's literal ?& valid", async () => {
    for (const url of ['/api/packages/requests/recent?&period=day', '/api/packages/requests/overall?&', '/api/packages/requests/overall?&&mirrors=true']) {
      expect({ url, status: (await t.app.inject({ url })).statusCode }).toEqual({ url, status: 200 });
    }
  });

  it('keeps working after all of that', async () => {
    const response = await t.app.inject({ url: '/api/packages/requests/overall' });
    expect(response.statusCode).toBe(200);
  });
});

describe('pages', () => {
  it('serves the API page at /api and /api/, generated from the registry', async () => {
    for (const url of ['/api', '/api/']) {
      const response = await t.app.inject({ url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      for (const endpoint of ['recent', 'overall', 'python_major', 'python_minor', 'system']) {
        expect(response.body).toContain(`/api/packages/&lt;package&gt;/${endpoint}`);
        expect(response.body).toContain(`href="/api/packages/__all__/${endpoint}"`);
      }
      expect(response.body).toContain('start_date');
      expect(response.body).toContain('kept for 180 days');
      expect(response.body).toContain('Parameter values are case-insensitive on every endpoint');
      expect(response.body).toContain('A parameter an endpoint does not take is a 400 naming it');
      expect(response.body).toContain('<b>431</b>');
    }
  });

  it('answers the health checks with 200 OK', async () => {
    for (const url of ['/health', '/_health/', '/_health']) {
      const response = await t.app.inject({ url });
      expect({ status: response.statusCode, body: response.body }).toEqual({ status: 200, body: 'OK' });
    }
  });

  it('serves the home page at /, no longer a redirect to the API page', async () => {
    const response = await t.app.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<a href="/api">API</a>');
  });

  it('allows other origins to read the API (CORS), errors included, and only the API', async () => {
    for (const url of ['/api/packages/requests/recent', '/api/packages/no-such-thing/recent', '/api/packages/requests/recent?period=year']) {
      const response = await t.app.inject({ url, headers: { origin: 'https://example.org' } });
      expect(response.headers['access-control-allow-origin']).toBe('*');
    }
    for (const url of ['/', '/api', '/packages/requests', '/health', '/nowhere']) {
      const response = await t.app.inject({ url, headers: { origin: 'https://example.org' } });
      expect({ url, cors: response.headers['access-control-allow-origin'] }).toEqual({ url, cors: undefined });
    }
  });
});
