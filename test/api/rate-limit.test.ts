/**
 * Rate limits on the JSON API, counted in the process's memory. The clock is faked (Date and
 * timers only), so "within a second" holds however slowly a loaded machine runs the requests.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appWithData, type TestApp, type TestAppOptions } from '../support/app.js';
import { row } from '../support/rows.js';

const DAYS = { '2026-11-01': [row('requests', 'overall', 'with_mirrors', 3), row('requests', 'overall', 'without_mirrors', 2)] };
/** As configured by default: 5 a second and 30 a minute. */
const DEFAULTS = { rateLimit: { perSecond: 5, perMinute: 30 } };
const URL = '/api/packages/requests/recent';

let apps: TestApp[] = [];
async function app(options: TestAppOptions = DEFAULTS): Promise<TestApp> {
  const t = await appWithData(DAYS, options);
  apps.push(t);
  return t;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: new Date('2026-11-02T12:00:00Z') });
});
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(apps.map((t) => t.close()));
  apps = [];
});

interface Get {
  ip?: string;
  headers?: Record<string, string>;
}

async function get(t: TestApp, url = URL, { ip = '198.51.100.1', headers = {} }: Get = {}) {
  const response = await t.app.inject({ url, remoteAddress: ip, headers });
  const header = (name: string) => response.headers[name] as string | undefined;
  return { status: response.statusCode, body: response.body, header, json: () => response.json() };
}

async function statuses(t: TestApp, count: number, request: Get = {}, url = URL): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await get(t, url, request)).status);
  return seen;
}

const ok = (count: number) => Array<number>(count).fill(200);

describe('rate limits per client address (5 a second and 30 a minute by default)', () => {
  it('answers the 6th request within a second 429, with Retry-After and a JSON error', async () => {
    const t = await app();
    expect(await statuses(t, 5)).toEqual(ok(5));
    const refused = await get(t);
    expect(refused.status).toBe(429);
    expect(refused.header('retry-after')).toBe('1');
    expect(refused.header('content-type')).toBe('application/json; charset=utf-8');
    expect(refused.header('cache-control')).toBe('no-store');
    expect(refused.json()).toEqual({
      error: 'too many requests: the API answers at most 5 requests a second from one address; retry in 1 s',
      status: 429,
    });
    expect([refused.header('ratelimit-limit'), refused.header('ratelimit-remaining')]).toEqual(['5', '0']);
    vi.advanceTimersByTime(1000);
    expect((await get(t)).status).toBe(200);
  });

  it('answers the 31st request within a minute 429, however slowly the 30 came', async () => {
    const t = await app();
    for (let second = 0; second < 6; second++) {
      expect(await statuses(t, 5)).toEqual(ok(5));
      vi.advanceTimersByTime(1000);
    }
    const refused = await get(t);
    expect(refused.status).toBe(429);
    expect(refused.header('retry-after')).toBe('54');
    expect(refused.json().error).toBe('too many requests: the API answers at most 30 requests a minute from one address; retry in 54 s');
    expect([refused.header('ratelimit-limit'), refused.header('ratelimit-reset')]).toEqual(['30', '54']);
    vi.advanceTimersByTime(54_000);
    expect((await get(t)).status).toBe(200);
  });

  it('says where the client stands: the headers of the window closest to its limit, counting down', async () => {
    const t = await app();
    const seen: string[][] = [];
    for (let i = 0; i < 5; i++) {
      const response = await get(t);
      seen.push(['limit', 'remaining', 'reset', 'policy'].map((name) => response.header(`ratelimit-${name}`)!));
    }
    expect(seen).toEqual([4, 3, 2, 1, 0].map((remaining) => ['5', String(remaining), '1', '5;w=1, 30;w=60']));
    // 28 requests in: 2 left this second and 2 this minute; the minute, ending later, binds.
    for (let second = 1; second <= 5; second++) {
      vi.advanceTimersByTime(1000);
      await statuses(t, second < 5 ? 5 : 3);
    }
    const response = await get(t);
    expect(['limit', 'remaining', 'reset'].map((name) => response.header(`ratelimit-${name}`))).toEqual(['30', '1', '55']);
  });

  it('counts every API request of a client against one budget: both prefixes, every endpoint, errors too', async () => {
    const t = await app();
    const urls = ['/api/packages/requests/overall', '/api/package/requests/system', '/api/packages/no-such-package/recent', '/api/packages/requests/recent?period=year'];
    expect(await Promise.all(urls.map(async (url) => (await get(t, url)).status))).toEqual([200, 200, 404, 400]);
    expect((await get(t, '/api/package/requests/python_major')).status).toBe(200);
    expect((await get(t, '/api/packages/requests/python_minor')).status).toBe(429);
  });

  it('gives each address its own budget; an IPv6 /64 is one client, an IPv4-mapped address its IPv4 one', async () => {
    const t = await app();
    expect(await statuses(t, 6, { ip: '198.51.100.1' })).toEqual([...ok(5), 429]);
    expect(await statuses(t, 5, { ip: '198.51.100.2' })).toEqual(ok(5));
    expect((await get(t, URL, { ip: '::ffff:198.51.100.2' })).status).toBe(429);
    expect(await statuses(t, 3, { ip: '2001:db8:1:2::1' })).toEqual(ok(3));
    expect(await statuses(t, 3, { ip: '2001:db8:1:2:ffff::9' })).toEqual([200, 200, 429]);
    expect((await get(t, URL, { ip: '2001:db8:1:3::1' })).status).toBe(200);
  });

  it('keeps revalidations answered 304 free while the client is within its limit', async () => {
    const t = await app();
    const etag = (await get(t)).header('etag')!;
    const revalidate = { headers: { 'if-none-match': etag } };
    expect(await statuses(t, 50, revalidate)).toEqual(Array(50).fill(304));
    expect(await statuses(t, 5)).toEqual([...ok(4), 429]);
    // A stale ETag gets the new answer, and that counts.
    expect((await get(t, URL, { ip: '198.51.100.9', headers: { 'if-none-match': '"stale"' } })).header('ratelimit-remaining')).toBe('4');
  });

  it('counts a revalidation once its client is over the limit, refusing it 429 before computing anything', async () => {
    const t = await app();
    const etag = (await get(t)).header('etag')!;
    expect(await statuses(t, 5)).toEqual([...ok(4), 429]);
    const reads = ['series', 'recent', 'hasPackage'].map((method) => vi.spyOn(t.store, method as 'series'));
    // Distinct URLs never answered before, known names and unknown alike: a flood of revalidations.
    const urls = Array.from({ length: 300 }, (_, i) => (i % 2 ? `/api/packages/requests/overall?start_date=2026-10-${String((i % 28) + 1).padStart(2, '0')}&end_date=2026-11-${String((i % 30) + 1).padStart(2, '0')}` : `/api/packages/no-such-package-${i}/overall`));
    const seen = await Promise.all(urls.map(async (url) => (await get(t, url, { headers: { 'if-none-match': etag } })).status));
    expect(new Set(seen)).toEqual(new Set([429]));
    for (const read of reads) expect(read).not.toHaveBeenCalled();
    // Counted: the minute window too is spent by them.
    vi.advanceTimersByTime(1000);
    expect(await statuses(t, 1)).toEqual([429]);
  });

  it('gives a burst of revalidations no more computed answers than the budget allows', async () => {
    const t = await app();
    const etag = (await get(t)).header('etag')!;
    const urls = Array.from({ length: 40 }, (_, i) => `/api/packages/no-such-package-${i}/recent`);
    const seen = await Promise.all(urls.map(async (url) => (await get(t, url, { headers: { 'if-none-match': etag } })).status));
    // The 4 left of the second's budget are computed (404s, counted); the rest are refused.
    expect(seen.filter((status) => status === 404)).toHaveLength(4);
    expect(seen.filter((status) => status === 429)).toHaveLength(36);
  });

  it('counts a request with a current ETag that is not answered 304 (an error has no ETag)', async () => {
    const t = await app();
    const etag = (await get(t)).header('etag')!;
    const revalidate = { headers: { 'if-none-match': etag } };
    expect(await statuses(t, 4, revalidate, '/api/packages/no-such-package/overall')).toEqual(Array(4).fill(404));
    expect((await get(t)).status).toBe(429);
  });

  it('counts If-None-Match: * like any request: it names no answer the client holds', async () => {
    const t = await app();
    const any = { headers: { 'if-none-match': '*' } };
    expect(await statuses(t, 5, any)).toEqual(Array(5).fill(304));
    expect(await statuses(t, 1, any, '/api/packages/no-such-package/overall')).toEqual([429]);
    expect((await get(t, '/api/packages/no-such-package/overall', { ip: '198.51.100.2', ...any })).status).toBe(404);
  });

  it('does not limit the health checks or the website’s pages, the /api page and the front door included', async () => {
    const t = await app();
    expect(await statuses(t, 6)).toEqual([...ok(5), 429]);
    for (const [url, status] of [['/health', 200], ['/_health/', 200], ['/api', 200], ['/api/', 200], ['/', 200], ['/top', 200], ['/about', 200]] as const) {
      const seen = await statuses(t, 40, {}, url);
      expect(seen).toEqual(Array(40).fill(status));
      expect((await get(t, url)).header('ratelimit-limit')).toBeUndefined();
    }
  });

  it('turns a window off with 0, and every limit off with both 0', async () => {
    const minuteOnly = await app({ rateLimit: { perSecond: 0, perMinute: 3 } });
    expect(await statuses(minuteOnly, 4)).toEqual([...ok(3), 429]);
    expect((await get(minuteOnly)).header('ratelimit-policy')).toBe('3;w=60');
    const secondOnly = await app({ rateLimit: { perSecond: 2, perMinute: 0 } });
    for (let second = 0; second < 40; second++) {
      expect(await statuses(secondOnly, 3)).toEqual([200, 200, 429]);
      vi.advanceTimersByTime(1000);
    }
    const unlimited = await app({ rateLimit: { perSecond: 0, perMinute: 0 } });
    expect(await statuses(unlimited, 100)).toEqual(ok(100));
    expect((await get(unlimited)).header('ratelimit-limit')).toBeUndefined();
  });
});

describe('the /api page', () => {
  it('states the limits this server applies, and the 429 among the errors', async () => {
    for (const [rateLimit, says] of [
      [{ perSecond: 5, perMinute: 30 }, 'Each client address may make at most 5 requests a second and 30 a minute to the API'],
      [{ perSecond: 0, perMinute: 3 }, 'Each client address may make at most 3 requests a minute to the API'],
      [{ perSecond: 2, perMinute: 0 }, 'Each client address may make at most 2 requests a second to the API'],
      [{ perSecond: 0, perMinute: 0 }, 'This server does not limit how often a client may call the API.'],
    ] as const) {
      const page = (await get(await app({ rateLimit }), '/api')).body;
      expect(page).toContain(says);
      expect(page).toContain('<li><b>429</b>: too many requests from one address');
    }
  });
});

describe('the client address behind proxies', () => {
  it('ignores X-Forwarded-For by default: a forged one does not buy a new budget', async () => {
    const t = await app();
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) seen.push((await get(t, URL, { ip: '203.0.113.9', headers: { 'x-forwarded-for': `192.0.2.${i}` } })).status);
    expect(seen).toEqual([...ok(5), 429]);
  });

  it('believes X-Forwarded-For from a trusted proxy only, and only the address the proxy added', async () => {
    const t = await app({ ...DEFAULTS, trustedProxies: ['10.0.0.0/24'] });
    const viaProxy = (client: string) => ({ ip: '10.0.0.7', headers: { 'x-forwarded-for': client } });
    expect(await statuses(t, 6, viaProxy('198.51.100.7'))).toEqual([...ok(5), 429]);
    expect((await get(t, URL, viaProxy('198.51.100.8'))).status).toBe(200);
    // The client's own forged X-Forwarded-For arrives in front of the address the proxy saw.
    expect((await get(t, URL, viaProxy('192.0.2.1, 198.51.100.7'))).status).toBe(429);
    // Not through the proxy: the header is the sender's own word, so its socket address counts.
    const direct = { ip: '203.0.113.9', headers: { 'x-forwarded-for': '198.51.100.99' } };
    expect(await statuses(t, 6, direct)).toEqual([...ok(5), 429]);
    expect((await get(t, URL, { ip: '198.51.100.99' })).status).toBe(200);
  });
});
