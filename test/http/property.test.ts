/**
 * Random requests through the whole app on a real SQLite store with a little data: paths under
 * /api/ and not, query parameters, header values (If-None-Match, Accept, Accept-Encoding), odd
 * percent-encoding and long values. Whatever comes: never a 5xx, every API error is the JSON
 * shape with its status, every page error an HTML page. fast-check prints the seed and the
 * shrunk request on a failure; `FC_SEED` replays it.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiPath } from '../../src/http/errors.js';
import { appWithData, type TestApp } from '../support/app.js';
import { row } from '../support/rows.js';

let t: TestApp;
let etag: string;
beforeAll(async () => {
  const day = (downloads: number) => [
    row('requests', 'overall', 'with_mirrors', downloads + 1),
    row('requests', 'overall', 'without_mirrors', downloads),
    row('requests', 'python_minor', '3.12', downloads),
    row('requests', 'system', 'linux', downloads),
    row('django', 'overall', 'without_mirrors', downloads * 2),
  ];
  t = await appWithData({ '2026-11-01': day(5), '2026-11-02': day(7) });
  etag = (await t.app.inject({ url: '/api/packages/requests/overall' })).headers.etag as string;
});
afterAll(() => t.close());

/** Characters a URL may carry raw, and those that make trouble when encoded or not. */
const odd = fc.constantFrom('%', '%2', '%ZZ', '%00', '%2e%2e', '%2F', '%5c', '..', '.', '/', '//', '?', '&', '=', '#', '+', '%C3%A9', '%FF', '~', ';', ',', "'", '"', '<', '>', '\\', ' ', '\u00e9', '\u{1F4E6}');
const word = fc.constantFrom(
  'api', 'packages', 'package', 'requests', 'django', '__all__', '__ALL__', 'Requests_', 'no-such-thing', 'recent', 'overall',
  'python_major', 'python_minor', 'system', 'assets', 'search', 'top', 'about', 'faqs', 'health', '_health', 'x', '',
);
const segment = fc.oneof(
  { weight: 5, arbitrary: word },
  { weight: 2, arbitrary: fc.array(fc.oneof(word, odd, fc.string({ maxLength: 6 })), { maxLength: 4 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 3000 }).map((n) => 'a'.repeat(n)) },
);
const path = fc.tuple(fc.constantFrom('/api/packages/', '/api/package/', '/api/', '/', '/packages/', '/assets/', '/search/'), fc.array(segment, { maxLength: 4 }))
  .map(([start, segments]) => start + segments.join('/'))
  // app.inject reads `//x` and `/\\x` as a host, not a path (test/server-errors.test.ts sends them raw).
  .filter((url) => !/^\/[/\\]/.test(url));

const paramName = fc.oneof(fc.constantFrom('period', 'mirrors', 'version', 'os', 'start_date', 'end_date', 'lookback', 'q', 'mirror', ''), fc.string({ maxLength: 8 }));
const paramValue = fc.oneof(
  fc.constantFrom('day', 'WEEK', 'month', 'true', 'FALSE', 'null', 'NULL', '3', '3.12', 'LINUX', 'other', '2026-11-01', '2026-11-02', '2026-02-30', '30', 'all', '', '*'),
  fc.string({ maxLength: 12 }),
  odd,
  fc.integer({ min: 65, max: 5000 }).map((n) => 'x'.repeat(n)),
);
const query = fc.array(fc.tuple(paramName, paramValue), { maxLength: 4 }).map((pairs) =>
  pairs.length === 0 ? '' : `?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`,
);

/** Header values as clients send them, and as they should not: anything a header may hold. */
const headerValue = (valid: string[]) =>
  fc.oneof(
    fc.constantFrom(...valid),
    fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
    fc.integer({ min: 100, max: 6000 }).map((n) => 'a'.repeat(n)),
  );
const headers = fc.record(
  {
    'if-none-match': headerValue(['*', '"x"', 'W/"1-0"', '', ', ,', '"a", "b"']),
    accept: headerValue(['*/*', 'application/json', 'text/html', 'text/html;q=0, */*;q=0.1', 'image/*']),
    'accept-encoding': headerValue(['br', 'gzip', 'identity', 'br;q=0, gzip;q=0', '*', 'deflate, zstd', 'gzip;q=abc']),
    origin: headerValue(['https://example.org', 'null']),
    'x-forwarded-proto': headerValue(['https', 'http']),
  },
  { requiredKeys: [] },
);
const method = fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE');

/** The answer's rules: no 5xx; JSON errors under the API, HTML errors elsewhere. */
async function check(request: { method: string; url: string; headers: Record<string, string> }): Promise<void> {
  const response = await t.app.inject({ method: request.method as 'GET', url: request.url, headers: request.headers });
  const status = response.statusCode;
  expect(status, `${request.method} ${request.url}`).toBeLessThan(500);
  if (status < 400 || request.method === 'HEAD') return;
  const type = String(response.headers['content-type']);
  // The URL the server got: app.inject resolves it as a browser would (`/../api/x` is `/api/x`).
  const sent = new URL(request.url, 'http://localhost');
  if (isApiPath(sent.pathname + sent.search)) {
    expect(type).toBe('application/json; charset=utf-8');
    expect(response.json()).toEqual({ error: expect.any(String), status });
  } else {
    expect(type).toBe('text/html; charset=utf-8');
    const encoding = response.headers['content-encoding'];
    const raw = response.rawPayload;
    const body = encoding === 'br' ? brotliDecompressSync(raw) : encoding === 'gzip' ? gunzipSync(raw) : raw;
    expect(body.toString('utf8')).toMatch(/^<!doctype html>/);
  }
}

/** Runs enough cases to find something, few enough to take seconds. */
const runs = { numRuns: Number(process.env.FC_RUNS ?? 400), ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) };

describe('HTTP properties', () => {
  it('random paths and parameters: never a 5xx, every error in its place’s shape', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, query, headers, async (m, p, q, h) => check({ method: m, url: p + q, headers: h })),
      runs,
    );
  });

  it('random parameters and headers on the API’s endpoints: never a 5xx, errors as JSON', async () => {
    const endpoint = fc.tuple(
      fc.constantFrom('/api/packages/', '/api/package/'),
      fc.constantFrom('requests', 'django', '__all__', '__ALL__', 'no-such-thing', 'Django'),
      fc.constantFrom('recent', 'overall', 'python_major', 'python_minor', 'system'),
    ).map(([prefix, name, endpoint]) => `${prefix}${name}/${endpoint}`);
    const withEtag = headers.map((h) => (h['if-none-match'] === '"x"' ? { ...h, 'if-none-match': etag } : h));
    await fc.assert(
      fc.asyncProperty(endpoint, query, withEtag, async (url, q, h) => check({ method: 'GET', url: url + q, headers: h })),
      runs,
    );
  });
});
