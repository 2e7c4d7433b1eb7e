import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAssets } from '../../src/web/assets.js';
import { appWithData, type TestApp } from '../support/app.js';
import { row } from '../support/rows.js';

const days = { '2026-11-01': [row('requests', 'overall', 'with_mirrors', 3), row('requests', 'overall', 'without_mirrors', 2)] };

let t: TestApp;
let assetUrl: string;
beforeAll(async () => {
  t = await appWithData(days);
  assetUrl = (await loadAssets()).url('site.css');
});
afterAll(() => t.close());

const PAGE_CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'";

/** What every response carries, whatever its kind. */
function expectCommonHeaders(headers: Record<string, unknown>) {
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(headers['strict-transport-security']).toBeUndefined();
}

/** What documents (pages, assets) carry beside: the API's JSON is never one. */
function expectDocumentHeaders(headers: Record<string, unknown>) {
  expectCommonHeaders(headers);
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['permissions-policy']).toMatch(/^accelerometer=\(\), .*camera=\(\), .*geolocation=\(\), .*microphone=\(\), .*usb=\(\)/);
}

describe('security headers on every kind of response', () => {
  it('pages, their errors and the health checks: the pages’ CSP, same-origin resources, no CORS', async () => {
    const urls = ['/', '/api', '/about', '/packages/requests', '/packages/no-such-thing', '/nowhere', '/packages/-bad-', '/health', '/assets/no-such-file.css', '/assets/../x'];
    for (const url of urls) {
      const response = await t.app.inject({ url, headers: { origin: 'https://example.org' } });
      expect({ url, csp: response.headers['content-security-policy'] }).toEqual({ url, csp: PAGE_CSP });
      expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      expectDocumentHeaders(response.headers);
    }
  });

  it('the API, its errors and its 304s: readable from other origins, nothing to run', async () => {
    const first = await t.app.inject({ url: '/api/packages/requests/overall' });
    const requests: { url: string; headers?: Record<string, string>; method?: 'POST' }[] = [
      { url: '/api/packages/requests/overall' },
      { url: '/api/packages/requests/overall', headers: { 'if-none-match': first.headers.etag as string } },
      { url: '/api/packages/no-such-thing/recent' },
      { url: '/api/packages/requests/recent?period=year' },
      { url: '/api/packages/requests/overall', method: 'POST' },
    ];
    const statuses = [];
    for (const request of requests) {
      const response = await t.app.inject({ ...request, headers: { origin: 'https://example.org', ...request.headers } });
      statuses.push(response.statusCode);
      expect(response.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(response.headers['access-control-allow-origin']).toBe('*');
      expectCommonHeaders(response.headers);
      expect(response.headers['permissions-policy']).toBeUndefined();
    }
    expect(statuses).toEqual([200, 304, 404, 400, 405]);
    // An unknown path under /api/ is the API's JSON 404 with its headers too.
    const unknown = await t.app.inject({ url: '/api/packages/requests/nothing' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expectCommonHeaders(unknown.headers);
  });

  it('badges and charts: shown by other sites, styled by themselves, framed nowhere, no document headers beyond', async () => {
    const badge = await t.app.inject({ url: '/badge/requests' });
    const requests = [
      { url: '/badge/requests' },
      { url: '/badge/requests', headers: { 'if-none-match': badge.headers.etag as string } },
      { url: '/badge/no-such-thing' },
      { url: '/chart/requests.svg' },
    ];
    const statuses = [];
    for (const request of requests) {
      const response = await t.app.inject(request);
      statuses.push(response.statusCode);
      expect(response.headers['content-security-policy']).toBe("default-src 'none';style-src 'unsafe-inline';frame-ancestors 'none'");
      expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expectCommonHeaders(response.headers);
      for (const dropped of ['referrer-policy', 'origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options', 'x-permitted-cross-domain-policies', 'x-xss-protection', 'permissions-policy']) {
        expect(response.headers[dropped], `${request.url} ${dropped}`).toBeUndefined();
      }
    }
    expect(statuses).toEqual([200, 304, 404, 200]);
  });

  it('assets: nosniff, same-origin, and Vary: Accept-Encoding on every encoding and on 304s', async () => {
    const statuses = [];
    for (const encoding of ['br', 'gzip', 'identity']) {
      const response = await t.app.inject({ url: assetUrl, headers: { 'accept-encoding': encoding } });
      statuses.push(response.statusCode);
      expect(response.headers['content-encoding']).toBe(encoding === 'identity' ? undefined : encoding);
      expect(response.headers.vary).toBe('accept-encoding');
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
      expectDocumentHeaders(response.headers);
      const again = await t.app.inject({ url: assetUrl, headers: { 'accept-encoding': encoding, 'if-none-match': response.headers.etag as string } });
      statuses.push(again.statusCode);
      expect(again.headers.vary).toBe('accept-encoding');
    }
    expect(statuses).toEqual([200, 304, 200, 304, 200, 304]);
  });
});

describe('HSTS', () => {
  it('is sent only over HTTPS: X-Forwarded-Proto counts from a trusted proxy alone', async () => {
    const proxied = await appWithData(days, { trustedProxies: ['127.0.0.1'] });
    try {
      for (const url of ['/', '/api/packages/requests/overall', assetUrl, '/nowhere']) {
        const https = await proxied.app.inject({ url, headers: { 'x-forwarded-proto': 'https' } });
        expect({ url, hsts: https.headers['strict-transport-security'] }).toEqual({ url, hsts: 'max-age=31536000' });
        const http = await proxied.app.inject({ url, headers: { 'x-forwarded-proto': 'http' } });
        expect(http.headers['strict-transport-security']).toBeUndefined();
      }
    } finally {
      await proxied.close();
    }
    // Not from a proxy it trusts: anyone could write the header.
    const forged = await t.app.inject({ url: '/', headers: { 'x-forwarded-proto': 'https' } });
    expect(forged.headers['strict-transport-security']).toBeUndefined();
  });

  it('takes its max-age from HSTS_MAX_AGE, and 0 turns it off', async () => {
    for (const [hstsMaxAge, expected] of [[600, 'max-age=600'], [0, undefined]] as const) {
      const app = await appWithData(days, { trustedProxies: ['127.0.0.1'], hstsMaxAge });
      try {
        const response = await app.app.inject({ url: '/', headers: { 'x-forwarded-proto': 'https' } });
        expect(response.headers['strict-transport-security']).toBe(expected);
      } finally {
        await app.close();
      }
    }
  });
});
