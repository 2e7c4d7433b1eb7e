/**
 * `/badge/<package>`, `/api/shields/<package>` and `/chart/<package>.svg` on each store: every
 * parameter, what each bad input gets, the not-found badge, the cache headers and 304s, and SVGs
 * that a real XML parser reads, with each text's box as wide as the text measured.
 */
import measure from 'anafanafo';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_UNAVAILABLE_MESSAGE } from '../../../src/api/errors.js';
import { StoreUnavailableError } from '../../../src/store/types.js';
import { appOver, appWithData, type TestApp } from '../../support/app.js';
import { row } from '../../support/rows.js';
import { describeEachStore } from '../../support/stores.js';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', textNodeName: '#text', parseTagValue: false, isArray: (name) => ['text', 'rect', 'polyline', 'line'].includes(name) });

interface SvgText {
  '#text': string | number;
  textLength: string;
  'aria-hidden'?: string;
  x: string;
  fill: string;
}

/** The badge as an XML parser reads it: well-formed, or the test fails here. */
function parseBadge(svg: string) {
  expect(XMLValidator.validate(svg)).toBe(true);
  const root = parser.parse(svg).svg;
  const rects = root.g[0].rect as { width: string; fill: string; x?: string }[];
  const texts = (root.g[1].text as SvgText[]).filter((text) => text['aria-hidden'] !== 'true');
  return { root, width: Number(root.width), title: root.title as string, label: rects[0]!, message: rects[1]!, labelText: texts[0]!, messageText: texts[1]! };
}

/** Verdana 11px, as shields.io measures; the box is the text and 5 px each side. */
const measured = (text: string) => Math.ceil(measure(text, { font: '11px Verdana', guess: true }));

describeEachStore('badges, shields and charts', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    const day = (downloads: number, mirrors: number) => [
      row('requests', 'overall', 'with_mirrors', downloads + mirrors),
      row('requests', 'overall', 'without_mirrors', downloads),
      row('requests', 'python_major', '3', downloads),
      row('requests', 'python_minor', '3.12', downloads),
      row('requests', 'system', 'linux', downloads),
      ...Array.from({ length: 12 }, (_, i) => row('requests', 'version', `2.${i}.0`, i === 0 ? downloads - 66 : i)),
    ];
    t = await appWithData(
      {
        '2026-09-01': [row('requests', 'overall', 'with_mirrors', 7), row('requests', 'overall', 'without_mirrors', 7)],
        '2026-11-22': day(1_000, 10),
        '2026-11-23': day(200_000, 0),
        '2026-11-24': day(1_234_567, 5),
      },
      { kind },
    );
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ url, headers });
  const month = 1_234_567 + 200_000 + 1_000;

  describe('/badge/<package>', () => {
    it('is an SVG badge of the last month, cached an hour, with an accessible title', async () => {
      const response = await get('/badge/requests');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
      expect(response.headers['cache-control']).toBe('public, max-age=3600');
      expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
      const badge = parseBadge(response.body);
      expect(badge.title).toBe('downloads: 1.4M/month');
      expect(badge.root.role).toBe('img');
      expect(badge.root['aria-label']).toBe('downloads: 1.4M/month');
      expect(badge.labelText['#text']).toBe('downloads');
      expect(badge.messageText['#text']).toBe('1.4M/month');
      expect(badge.message.fill).toBe('#007ec6');
    });

    it('draws each text exactly as wide as measured, in a box 5 px wider each side, however long', async () => {
      for (const url of ['/badge/requests', '/badge/requests?units=none&left_text=downloads%20from%20PyPI%20this%20month', '/badge/requests?left_text=WWWWWWWWWW&period=total']) {
        const badge = parseBadge((await get(url)).body);
        for (const [box, text] of [[badge.label, badge.labelText], [badge.message, badge.messageText]] as const) {
          expect(Number(text.textLength) / 10).toBe(measured(String(text['#text'])));
          expect(Number(box.width)).toBe(measured(String(text['#text'])) + 10);
          // Centred in its box (the text is drawn at 10×, scaled by 0.1).
          expect(Number(text.x) / 10).toBe(Number(box.x ?? 0) + Number(box.width) / 2);
        }
        expect(badge.width).toBe(Number(badge.label.width) + Number(badge.message.width));
      }
    });

    it('takes period day, week, month and total (all time: every day held, no suffix)', async () => {
      const cases = [
        ['day', '1.2M/day'],
        ['week', '1.4M/week'],
        ['month', '1.4M/month'],
        ['TOTAL', '1.4M'],
      ] as const;
      for (const [period, message] of cases) expect(parseBadge((await get(`/badge/requests?period=${period}`)).body).messageText['#text']).toBe(message);
      // All time counts the day of September, outside the last 30 days.
      expect(parseBadge((await get('/badge/requests?period=total&units=none')).body).messageText['#text']).toBe(String(month + 7));
    });

    it('takes units international_system, abbreviation and none, and mirrors', async () => {
      expect(parseBadge((await get('/badge/requests?period=day&units=international_system')).body).messageText['#text']).toBe('1.2M/day');
      expect(parseBadge((await get('/badge/requests?period=day&units=abbreviation')).body).messageText['#text']).toBe('1.2M/day');
      expect(parseBadge((await get('/badge/requests?period=day&units=none')).body).messageText['#text']).toBe('1234567/day');
      expect(parseBadge((await get('/badge/requests?period=day&units=none&mirrors=true')).body).messageText['#text']).toBe('1234572/day');
      expect(parseBadge((await get('/badge/requests?period=month&units=none&mirrors=false')).body).messageText['#text']).toBe(`${month}/month`);
    });

    it('takes left_text as given (case kept, XML escaped) and colours as hex (with or without #) or CSS names', async () => {
      const response = await get(`/badge/requests?left_text=${encodeURIComponent('PyPI <"&">')}&left_color=%23ABC&right_color=SteelBlue`);
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('PyPI &lt;&quot;&amp;&quot;&gt;');
      const badge = parseBadge(response.body);
      expect(badge.labelText['#text']).toBe('PyPI <"&">');
      expect(badge.label.fill).toBe('#abc');
      expect(badge.message.fill).toBe('steelblue');
      const hex = parseBadge((await get('/badge/requests?left_color=44cc11&right_color=ff000080')).body);
      expect([hex.label.fill, hex.message.fill]).toEqual(['#44cc11', '#ff000080']);
      // Dark text on a light background, white on a dark one.
      expect(parseBadge((await get('/badge/requests?right_color=yellow')).body).messageText.fill).toBe('#333');
      expect(parseBadge((await get('/badge/requests?right_color=navy')).body).messageText.fill).toBe('#fff');
    });

    it('refuses bad colours, units, periods, mirrors, labels and unknown or repeated parameters with 400 JSON', async () => {
      const cases: [string, RegExp][] = [
        ['left_color=notacolour', /^left_color must be a CSS hex colour/],
        ['right_color=%23abcde', /^right_color must be a CSS hex colour/],
        ['right_color=url(x)', /^right_color must be a CSS hex colour/],
        ['units=metric', /^units must be one of: international_system, abbreviation, none$/],
        ['period=year', /^period must be one of: day, week, month, total$/],
        ['mirrors=yes', /^mirrors must be one of: true, false$/],
        ['left_text=', /left_text/],
        [`left_text=${'x'.repeat(65)}`, /^left_text is too long \(at most 64 characters\)$/],
        ['style=flat', /^unknown parameter: style \(badge takes period, units, mirrors, left_text, left_color, right_color\)$/],
        ['period=day&period=week', /^period must be given at most once$/],
      ];
      for (const [query, message] of cases) {
        const response = await get(`/badge/requests?${query}`);
        expect(response.statusCode, query).toBe(400);
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.json().status).toBe(400);
        expect(response.json().error, query).toMatch(message);
      }
      const badName = await get('/badge/not%20a%20name');
      expect(badName.statusCode).toBe(400);
      expect(badName.json().error).toMatch(/letters, digits/);
    });

    it('draws the grey "package not found" badge with 404 for a package without data, with the label asked for', async () => {
      const response = await get('/badge/no-such-package?left_text=installs');
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      const badge = parseBadge(response.body);
      expect(badge.title).toBe('installs: package not found');
      expect(badge.message.fill).toBe('#9f9f9f');
    });

    it('normalizes the name as the API does', async () => {
      expect(parseBadge((await get('/badge/Requests')).body).messageText['#text']).toBe('1.4M/month');
    });

    it('has an ETag of the data version: 304 to a revalidation, and a new tag once a load lands', async () => {
      const first = await get('/badge/requests?period=week');
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"/);
      const again = await get('/badge/requests?period=week', { 'if-none-match': etag });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers['cache-control']).toBe('public, max-age=3600');
    });
  });

  describe('/api/shields/<package>', () => {
    it("answers shields.io's endpoint-badge JSON, keys in alphabetical order", async () => {
      const response = await get('/api/shields/requests?period=week');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['cache-control']).toBe('public, max-age=3600');
      expect(response.headers['access-control-allow-origin']).toBe('*');
      expect(response.body).toBe('{"cacheSeconds":3600,"color":"blue","label":"downloads","message":"1.4M/week","schemaVersion":1}');
      expect((await get('/api/shields/requests')).json().message).toBe('1.4M/month');
      expect((await get('/api/shields/requests?period=day&units=none&mirrors=true')).json().message).toBe('1234572/day');
      expect((await get('/api/shields/requests?period=total&units=abbreviation')).json().message).toBe('1.4M');
    });

    it('answers 404 JSON for a package without data, 400 for a bad period, 304 to a revalidation', async () => {
      const missing = await get('/api/shields/no-such-package');
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ error: 'no downloads of package "no-such-package" are known', status: 404 });
      const bad = await get('/api/shields/requests?period=year');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toBe('period must be one of: day, week, month, total');
      const etag = (await get('/api/shields/requests')).headers.etag as string;
      expect((await get('/api/shields/requests', { 'if-none-match': etag })).statusCode).toBe(304);
    });
  });

  describe('/chart/<package>.svg', () => {
    it('is a standalone SVG chart, 800×300, with no script, a dark-mode style, the name and the range', async () => {
      const response = await get('/chart/requests.svg?dimension=overall&lookback=30');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
      expect(response.headers['cache-control']).toBe('public, max-age=3600');
      expect(XMLValidator.validate(response.body)).toBe(true);
      const svg = parser.parse(response.body).svg;
      expect([svg.width, svg.height, svg.viewBox]).toEqual(['800', '300', '0 0 800 300']);
      expect(response.body).not.toMatch(/<script|href=|@import|url\(/i);
      expect(svg.style).toContain('@media (prefers-color-scheme: dark)');
      const texts = (svg.text as SvgText[]).map((text) => String(text['#text']));
      expect(texts).toContain('requests: Overall');
      expect(texts).toContain('October 26, 2026 – November 24, 2026 (UTC), daily downloads');
      expect(texts).toEqual(expect.arrayContaining(['with mirrors', 'without mirrors']));
      expect(svg.title['#text']).toBe('Daily downloads of requests by overall, 2026-10-26 to 2026-11-24');
      // One line per series, one point per day of the range.
      expect(svg.polyline).toHaveLength(2);
      for (const line of svg.polyline as { points: string }[]) expect(line.points.split(' ')).toHaveLength(30);
    });

    it('draws the top categories of a breakdown and folds the rest into "other versions", as the page does', async () => {
      const response = await get('/chart/requests.svg?dimension=version&lookback=all');
      expect(response.statusCode).toBe(200);
      const svg = parser.parse(response.body).svg;
      expect(svg.polyline).toHaveLength(9);
      const texts = (svg.text as SvgText[]).map((text) => String(text['#text']));
      expect(texts).toContain('other versions');
      expect(texts).toContain('2.0.0');
      expect(texts).not.toContain('2.1.0');
      // Every day kept: from the first day loaded.
      expect(texts).toContain('September 1, 2026 – November 24, 2026 (UTC), daily downloads without mirrors');
    });

    it('refuses a bad dimension or lookback with 400 JSON, and answers 404 for a package without data', async () => {
      const bad = await get('/chart/requests.svg?dimension=colour');
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(bad.json().error).toMatch(/^dimension must be one of: overall, /);
      const lookback = await get('/chart/requests.svg?lookback=7');
      expect(lookback.statusCode).toBe(400);
      expect(lookback.json().error).toBe('lookback must be one of: 30, 60, 90, 120, all');
      const missing = await get('/chart/no-such-package.svg');
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ error: 'no downloads of package "no-such-package" are known', status: 404 });
      expect((await get('/chart/requests.png')).statusCode).toBe(404);
      expect((await get('/chart/__all__.svg?dimension=version')).statusCode).toBe(404);
    });

    it('has an ETag of the data version: 304 to a revalidation', async () => {
      const etag = (await get('/chart/requests.svg')).headers.etag as string;
      expect((await get('/chart/requests.svg', { 'if-none-match': etag })).statusCode).toBe(304);
    });
  });
  // Last in the suite: it adds a month of history to the shared store.
  it('counts in period=total the months kept beyond the days: a backfilled month before the first day loaded', async () => {
    const before = Number(parseBadge((await get('/badge/requests?period=total&units=none')).body).messageText['#text']);
    expect(before).toBe(month + 7);
    await t.store.replaceBackfillMonth({
      month: '2025-01',
      days: Array.from({ length: 31 }, (_, i) => `2025-01-${String(i + 1).padStart(2, '0')}`),
      rows: (async function* () {
        yield [
          row('requests', 'overall', 'with_mirrors', 5_000_100),
          row('requests', 'overall', 'without_mirrors', 5_000_000),
          row('__all__', 'overall', 'with_mirrors', 5_000_100),
          row('__all__', 'overall', 'without_mirrors', 5_000_000),
        ];
      })(),
    });
    expect(parseBadge((await get('/badge/requests?period=total&units=none')).body).messageText['#text']).toBe(String(before + 5_000_000));
    expect(parseBadge((await get('/badge/requests?period=total&units=none&mirrors=true')).body).messageText['#text']).toBe(String(before + 5_000_000 + 100 + 10 + 5));
    expect((await get('/api/shields/requests?period=total')).json().message).toBe('6.4M');
  });
});

describe('the embeds\' own rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await appWithData({ '2026-11-24': [row('requests', 'overall', 'with_mirrors', 5), row('requests', 'overall', 'without_mirrors', 5)] }, {
      embedRateLimit: { perSecond: 0, perMinute: 3 },
      rateLimit: { perSecond: 0, perMinute: 1 },
    });
  });
  afterAll(() => t.close());

  it('is apart from the API\'s: badges go on past the API\'s limit, then a flood gets a grey 429 badge with Retry-After', async () => {
    expect((await t.app.inject({ url: '/api/packages/requests/recent' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/packages/requests/recent' })).statusCode).toBe(429);
    for (const url of ['/badge/requests', '/api/shields/requests', '/chart/requests.svg']) expect((await t.app.inject({ url })).statusCode, url).toBe(200);
    const refused = await t.app.inject({ url: '/badge/requests' });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(parseBadge(refused.body).title).toBe('downloads: rate limited');
    const shields = await t.app.inject({ url: '/api/shields/requests' });
    expect(shields.statusCode).toBe(429);
    expect(shields.json().error).toMatch(/^too many requests: this server sends at most 3 badges and charts a minute/);
  });
});

describe('the embeds with the store unavailable', () => {
  let t: TestApp;
  let down: Awaited<ReturnType<typeof appOver>>;
  beforeAll(async () => {
    t = await appWithData({ '2026-11-24': [row('requests', 'overall', 'with_mirrors', 5), row('requests', 'overall', 'without_mirrors', 5)] });
    // Every read of the store fails as an unreachable database does.
    const store = new Proxy(t.store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return () => Promise.reject(new StoreUnavailableError('the test took the database away'));
      },
    });
    down = await appOver(store);
  });
  afterAll(async () => {
    await down.close();
    await t.close();
  });

  it('answer a badge with a grey "unavailable" badge and a chart with an SVG saying so: 503, Retry-After, never cached', async () => {
    const badge = await down.inject({ url: '/badge/requests?period=week' });
    expect(badge.statusCode).toBe(503);
    expect(badge.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(badge.headers['cache-control']).toBe('no-store');
    expect(badge.headers.etag).toBeUndefined();
    expect(Number(badge.headers['retry-after'])).toBeGreaterThan(0);
    const parsed = parseBadge(badge.body);
    expect(parsed.title).toBe('downloads: unavailable');
    expect(parsed.message.fill).toBe('#9f9f9f');

    const chart = await down.inject({ url: '/chart/requests.svg?lookback=30' });
    expect(chart.statusCode).toBe(503);
    expect(chart.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(chart.headers['cache-control']).toBe('no-store');
    expect(Number(chart.headers['retry-after'])).toBeGreaterThan(0);
    expect(XMLValidator.validate(chart.body)).toBe(true);
    const root = parser.parse(chart.body).svg;
    expect([root.width, root.height]).toEqual(['800', '300']);
    expect(root.title['#text']).toBe(STORE_UNAVAILABLE_MESSAGE);

    // shields.io's answer is the API's JSON 503, as every /api/ answer.
    const shields = await down.inject({ url: '/api/shields/requests' });
    expect(shields.statusCode).toBe(503);
    expect(shields.json()).toEqual({ error: STORE_UNAVAILABLE_MESSAGE, status: 503 });
    // Bad input is still a 400, before the store is asked.
    expect((await down.inject({ url: '/badge/requests?left_color=nocolour' })).statusCode).toBe(400);
  });
});

describe('the embeds and methods', () => {
  it('answer HEAD like GET, and other methods 405', async () => {
    const t = await appWithData({ '2026-11-24': [row('requests', 'overall', 'with_mirrors', 5), row('requests', 'overall', 'without_mirrors', 5)] });
    try {
      for (const url of ['/badge/requests', '/chart/requests.svg', '/api/shields/requests']) {
        const head = await t.app.inject({ method: 'HEAD', url });
        expect(head.statusCode, url).toBe(200);
        expect(head.body).toBe('');
        const post = await t.app.inject({ method: 'POST', url, payload: 'x' });
        expect(post.statusCode, url).toBe(405);
        expect(post.headers.allow).toBe('GET, HEAD');
      }
    } finally {
      await t.close();
    }
  });
});
