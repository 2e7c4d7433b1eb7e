/**
 * The breakdowns beyond the seed's (issue 12): every endpoint of the registry under both prefixes,
 * its filter, `top`, the date range, and the errors; `/recent?mirrors`. Rows are written through
 * the Store interface, on SQLite and PostgreSQL; the expected answers are written out here by hand.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PREFIXES } from '../../src/api/package-routes.js';
import { buildApp } from '../../src/app.js';
import type { AggregateRow } from '../../src/domain/aggregates.js';
import { dimensions as registry } from '../../src/domain/dimensions.js';
import { DEFAULT_MIRROR_INSTALLERS } from '../../src/domain/mirrors.js';
import type { Store } from '../../src/store/types.js';
import { appWithData, type TestApp } from '../support/app.js';
import { row } from '../support/rows.js';
import { describeEachStore } from '../support/stores.js';

const DAYS = ['2026-11-01', '2026-11-02', '2026-11-03'] as const;
type PerDay = readonly [number, number, number];

/**
 * Requests' downloads without mirrors per category and day (each dimension sums to the day's
 * without_mirrors: 360, 200, 300). 0: no row that day. Versions: 0.9 is big on the first day only
 * (so `top` over the whole range and over the last two days differ); 1.9 and 2.0rc1 tie over the
 * whole range, and so do the four of 30.
 */
const requests: Record<string, Record<string, PerDay>> = {
  version: {
    '0.9': [300, 0, 0],
    '2.0': [0, 80, 120],
    '2.0rc1': [10, 20, 30],
    '1.10': [20, 40, 60],
    '1.9': [10, 20, 30],
    '1.0rc1': [5, 10, 15],
    '1.0RC1': [5, 10, 15],
    NotPEP440: [5, 10, 15],
    null: [5, 10, 15],
  },
  installer: { pip: [300, 100, 100], uv: [50, 90, 180], poetry: [5, 5, 10], null: [5, 5, 10] },
  ci: { null: [10, 10, 10], false: [250, 100, 150], true: [100, 90, 140] },
  country: { US: [200, 100, 150], DE: [150, 90, 140], null: [10, 10, 10] },
  implementation: { cpython: [350, 190, 280], pypy: [10, 10, 20] },
  cpu: { x86_64: [300, 100, 150], amd64: [20, 20, 20], aarch64: [30, 70, 110], arm64: [10, 10, 20] },
  libc: { glibc: [300, 150, 200], musl: [50, 40, 90], null: [10, 10, 10] },
  distro: {
    Ubuntu: [200, 100, 150],
    ubuntu: [10, 10, 10],
    'Debian GNU/Linux': [100, 50, 80],
    'Alpine Linux': [30, 20, 40],
    'Gentoo Bäse "Linux"': [10, 10, 10],
    null: [10, 10, 10],
  },
  file_type: { bdist_wheel: [300, 180, 280], sdist: [55, 20, 20], Bdist_Egg: [5, 0, 0] },
  python_minor: { '3.12': [200, 100, 200], '3.9': [100, 50, 50], '3.10': [60, 50, 50] },
};
const WITHOUT_MIRRORS: PerDay = [360, 200, 300];
const MIRRORS: PerDay = [5, 0, 7];

/** Each endpoint's categories in the contract's order. */
const order: Record<string, string[]> = {
  version: ['0.9', '1.0RC1', '1.0rc1', '1.9', '1.10', '2.0rc1', '2.0', 'NotPEP440', 'null'],
  installer: ['pip', 'poetry', 'uv', 'null'],
  ci: ['true', 'false', 'null'],
  country: ['DE', 'US', 'null'],
  implementation: ['cpython', 'pypy'],
  cpu: ['aarch64', 'amd64', 'arm64', 'x86_64'],
  libc: ['glibc', 'musl', 'null'],
  distro: ['Alpine Linux', 'Debian GNU/Linux', 'Gentoo Bäse "Linux"', 'Ubuntu', 'ubuntu', 'null'],
  file_type: ['Bdist_Egg', 'bdist_wheel', 'sdist'],
  python_minor: ['3.9', '3.10', '3.12'],
};

/** Filter values, each kind of match, and the categories each selects. */
const filters: Record<string, [value: string, categories: string[]][]> = {
  // Exact, case and all: the version as logged.
  version: [['1.0RC1', ['1.0RC1']], ['1.0rc1', ['1.0rc1']], ['2.0', ['2.0']], ['NotPEP440', ['NotPEP440']], ['null', ['null']], ['notpep440', []], ['2.0.0', []]],
  // Case-insensitive: the value lowercased (installer, cpu) or upper-cased (country) as the categories are.
  installer: [['pip', ['pip']], ['PIP', ['pip']], ['Uv', ['uv']], ['NULL', ['null']], ['conda', []]],
  country: [['de', ['DE']], ['US', ['US']], ['Null', ['null']], ['FR', []]],
  implementation: [['CPython', ['cpython']], ['pypy', ['pypy']]],
  cpu: [['X86_64', ['x86_64']], ['amd64', ['amd64']], ['ARM64', ['arm64']], ['i686', []]],
  libc: [['MUSL', ['musl']], ['glibc', ['glibc']], ['null', ['null']]],
  // Closed values, in any case.
  ci: [['true', ['true']], ['FALSE', ['false']], ['null', ['null']]],
  // Any case against the categories as logged: one value selects every spelling.
  distro: [['ubuntu', ['Ubuntu', 'ubuntu']], ['UBUNTU', ['Ubuntu', 'ubuntu']], ['debian gnu/linux', ['Debian GNU/Linux']], ['gentoo bäse "linux"', ['Gentoo Bäse "Linux"']], ['null', ['null']], ['Arch Linux', []], ['', []]],
  file_type: [['bdist_wheel', ['bdist_wheel']], ['BDIST_EGG', ['Bdist_Egg']], ['sdist', ['sdist']], ['wheel', []]],
};

const NEW_ENDPOINTS = ['version', 'installer', 'ci', 'country', 'implementation', 'cpu', 'libc', 'distro', 'file_type'];

function daysOf(index: number): AggregateRow[] {
  const rows = [
    row('requests', 'overall', 'without_mirrors', WITHOUT_MIRRORS[index]!),
    row('requests', 'overall', 'with_mirrors', WITHOUT_MIRRORS[index]! + MIRRORS[index]!),
    // Tiny has one download a day, from pip in Germany, of its one version.
    row('tiny', 'overall', 'without_mirrors', 1),
    row('tiny', 'overall', 'with_mirrors', 1),
    row('tiny', 'installer', 'pip', 1),
    row('tiny', 'country', 'DE', 1),
    row('tiny', 'version', '0.1', 1),
  ];
  for (const [dimension, categories] of Object.entries(requests)) {
    for (const [category, perDay] of Object.entries(categories)) if (perDay[index]! > 0) rows.push(row('requests', dimension, category, perDay[index]!));
  }
  return rows;
}

interface Point {
  category: string;
  date: string;
  downloads: number;
}

/** The rows the contract says an answer of `dimension` keeps, from the table above, in its order. */
function expectedPoints(dimension: string, categories: readonly string[] = order[dimension]!, days: readonly string[] = DAYS): Point[] {
  const points: Point[] = [];
  for (const category of order[dimension]!.filter((c) => categories.includes(c))) {
    requests[dimension]![category]!.forEach((downloads, i) => {
      if (downloads > 0 && days.includes(DAYS[i]!)) points.push({ category, date: DAYS[i]!, downloads });
    });
  }
  return points;
}

function appOver(store: Store, dimensions?: string[]): Promise<FastifyInstance> {
  return buildApp({
    store,
    config: {
      retentionDays: 180,
      cacheMaxAge: 3600,
      logLevel: 'silent',
      rateLimit: { perSecond: 0, perMinute: 0 },
      trustedProxies: [],
      hstsMaxAge: 0,
      mirrorInstallers: [...DEFAULT_MIRROR_INSTALLERS],
      ...(dimensions ? { dimensions } : {}),
    },
  });
}

describeEachStore('every breakdown PyPI logs', (kind) => {
  let t: TestApp;
  /** A second server over the same store, with only installer and ci of the nine on. */
  let few: FastifyInstance;

  beforeAll(async () => {
    t = await appWithData({ [DAYS[0]]: daysOf(0), [DAYS[1]]: daysOf(1), [DAYS[2]]: daysOf(2) }, { kind });
    few = await appOver(t.store, ['overall', 'python_major', 'python_minor', 'system', 'installer', 'ci']);
  });
  afterAll(async () => {
    await few.close();
    await t.close();
  });

  async function get(url: string, app: FastifyInstance = t.app) {
    const response = await app.inject({ url });
    return { status: response.statusCode, body: response.body, type: response.headers['content-type'], json: () => response.json() };
  }

  describe.each(API_PREFIXES)('under %s', (prefix) => {
    it.each(Object.keys(order))('/%s answers every category in its order, then by date, with its type', async (dimension) => {
      const response = await get(`${prefix}/requests/${dimension}`);
      expect(response.status).toBe(200);
      expect(response.type).toBe('application/json; charset=utf-8');
      expect(response.body).toBe(JSON.stringify({ data: expectedPoints(dimension), package: 'requests', type: `${dimension}_downloads` }));
    });

    it.each(Object.keys(filters))('/%s filters as its registry entry says; a value matching nothing is 200 with no data', async (dimension) => {
      const param = registry.find((d) => d.name === dimension)!.filter.param;
      for (const [value, categories] of filters[dimension]!) {
        const response = await get(`${prefix}/requests/${dimension}?${param}=${encodeURIComponent(value)}`);
        expect({ value, status: response.status, body: response.json() }).toEqual({
          value,
          status: 200,
          body: { data: expectedPoints(dimension, categories), package: 'requests', type: `${dimension}_downloads` },
        });
      }
    });

    it.each(Object.keys(order))('/%s?top=1 keeps the most downloaded category; top above the count keeps them all', async (dimension) => {
      const totals = order[dimension]!.map((category) => [category, requests[dimension]![category]!.reduce((a, b) => a + b, 0)] as const);
      const most = [...totals].sort((a, b) => b[1] - a[1])[0]![0];
      expect((await get(`${prefix}/requests/${dimension}?top=1`)).json().data).toEqual(expectedPoints(dimension, [most]));
      for (const top of [order[dimension]!.length, order[dimension]!.length + 1, 1000]) {
        expect((await get(`${prefix}/requests/${dimension}?top=${top}`)).body).toBe((await get(`${prefix}/requests/${dimension}`)).body);
      }
    });

    it('top ranks over the asked range, breaks ties by the endpoint order, and answers in that order', async () => {
      const categories = async (query: string) => [...new Set((await get(`${prefix}/requests/version?${query}`)).json().data.map((p: Point) => p.category))];
      expect(await categories('top=1')).toEqual(['0.9']);
      expect(await categories('top=1&start_date=2026-11-02')).toEqual(['2.0']);
      expect(await categories('top=2')).toEqual(['0.9', '2.0']);
      // 1.9 and 2.0rc1 both have 60: 1.9 comes first in PEP 440 order.
      expect(await categories('top=4')).toEqual(['0.9', '1.9', '1.10', '2.0']);
      expect(await categories('top=5')).toEqual(['0.9', '1.9', '1.10', '2.0rc1', '2.0']);
      // Four have 30: 1.0RC1 comes first (equal to 1.0rc1 in PEP 440, then by code unit).
      expect(await categories('top=6')).toEqual(['0.9', '1.0RC1', '1.9', '1.10', '2.0rc1', '2.0']);
      // Two with 0.9 out of the range: a range with nothing of the day before.
      const lastDay = (await get(`${prefix}/requests/version?top=2&start_date=2026-11-03`)).json().data;
      expect(lastDay).toEqual([
        { category: '1.10', date: '2026-11-03', downloads: 60 },
        { category: '2.0', date: '2026-11-03', downloads: 120 },
      ]);
      // With a filter, top ranks among what the filter keeps.
      expect(await get(`${prefix}/requests/distro?distro=UBUNTU&top=1`).then((r) => r.json().data)).toEqual(expectedPoints('distro', ['Ubuntu']));
      expect((await get(`${prefix}/requests/version?version=1.9&top=1`)).json().data).toEqual(expectedPoints('version', ['1.9']));
      // On a seed breakdown too.
      expect((await get(`${prefix}/requests/python_minor?top=2`)).json().data).toEqual(expectedPoints('python_minor', ['3.9', '3.12']));
    });

    it('start_date and end_date bound every new endpoint, inclusive, with and without top', async () => {
      for (const dimension of NEW_ENDPOINTS) {
        const one = (await get(`${prefix}/requests/${dimension}?start_date=2026-11-02&end_date=2026-11-02`)).json();
        expect(one.data).toEqual(expectedPoints(dimension, order[dimension], ['2026-11-02']));
        const from = (await get(`${prefix}/requests/${dimension}?start_date=2026-11-02&top=1000`)).json();
        expect(from.data).toEqual(expectedPoints(dimension, order[dimension], ['2026-11-02', '2026-11-03']));
        const outside = await get(`${prefix}/requests/${dimension}?end_date=2026-10-01&top=3`);
        expect([outside.status, outside.json().data]).toEqual([200, []]);
      }
    });

    it("takes the Python client's ?& on every new endpoint", async () => {
      for (const dimension of NEW_ENDPOINTS) {
        const response = await get(`${prefix}/requests/${dimension}?&start_date=2026-11-01`);
        expect({ dimension, status: response.status, data: response.json().data }).toEqual({ dimension, status: 200, data: expectedPoints(dimension) });
        expect((await get(`${prefix}/requests/${dimension}?&`)).status).toBe(200);
      }
    });

    it('__all__ sums every global breakdown over the packages, and has no /version', async () => {
      const installer = (await get(`${prefix}/__all__/installer?installer=pip`)).json();
      expect(installer).toEqual({
        data: DAYS.map((date, i) => ({ category: 'pip', date, downloads: requests.installer!.pip![i]! + 1 })),
        package: '__all__',
        type: 'installer_downloads',
      });
      for (const name of ['__all__', '__ALL__']) {
        for (const query of ['', '?top=3', '?version=2.0']) {
          const response = await get(`${prefix}/${name}/version${query}`);
          expect({ status: response.status, body: response.json() }).toEqual({
            status: 404,
            body: { error: '__all__ has no version breakdown: a version belongs to one package, so its downloads are kept per package only', status: 404 },
          });
        }
      }
      expect((await get(`${prefix}/tiny/version`)).json().data).toEqual(DAYS.map((date) => ({ category: '0.1', date, downloads: 1 })));
    });

    it('answers 404 for a package with no data on every endpoint, the new ones with their parameters included', async () => {
      for (const endpoint of ['recent', 'recent?mirrors=true', ...NEW_ENDPOINTS, ...NEW_ENDPOINTS.map((e) => `${e}?top=5`), 'version?version=1.0']) {
        const response = await get(`${prefix}/no-such-package/${endpoint}`);
        expect({ endpoint, status: response.status, body: response.json() }).toEqual({
          endpoint,
          status: 404,
          body: { error: 'no downloads of package "no-such-package" are known', status: 404 },
        });
      }
    });

    it('answers 404 saying so for a breakdown turned off on this server, whatever it is asked', async () => {
      for (const dimension of ['version', 'country', 'implementation', 'cpu', 'libc', 'distro', 'file_type']) {
        for (const path of [`requests/${dimension}`, `requests/${dimension}?top=0&nonsense=1`, `no-such-package/${dimension}`, `__all__/${dimension}`]) {
          const response = await get(`${prefix}/${path}`, few);
          expect({ path, status: response.status, type: response.type, body: response.json() }).toEqual({
            path,
            status: 404,
            type: 'application/json; charset=utf-8',
            body: { error: `the ${dimension} breakdown is turned off on this server`, status: 404 },
          });
        }
      }
      // The ones on, and the seed's, answer as on a server with every breakdown.
      for (const endpoint of ['installer?top=2', 'ci?ci=true', 'overall', 'system', 'recent']) {
        expect((await get(`${prefix}/requests/${endpoint}`, few)).body).toBe((await get(`${prefix}/requests/${endpoint}`)).body);
      }
      // A path of no dimension is still the unknown-path 404.
      expect((await get(`${prefix}/requests/versions`, few)).json()).toEqual({ error: `nothing here: ${prefix}/requests/versions`, status: 404 });
    });

    it('answers 400 with a JSON error for each bad top, filter or parameter', async () => {
      const cases: [string, string][] = [
        ['requests/version?top=0', 'top must be at least 1'],
        ['requests/installer?top=1001', 'top must be at most 1000'],
        ['requests/country?top=99999999999999999999', 'top must be at most 1000'],
        ['requests/cpu?top=-3', 'top must be at least 1'],
        ['requests/libc?top=ten', 'top must be a whole number'],
        ['requests/distro?top=1.5', 'top must be a whole number'],
        ['requests/file_type?top=', 'top must be a whole number'],
        ['requests/ci?top=1&top=2', 'top must be given at most once'],
        ['requests/python_major?top=0', 'top must be at least 1'],
        ['requests/overall?top=3', 'unknown parameter: top (overall takes mirrors, start_date, end_date, interval, format)'],
        ['requests/ci?ci=yes', 'ci must be one of: true, false, null'],
        ['requests/version?version=1.0&version=2.0', 'version must be given at most once'],
        [`requests/distro?distro=${'x'.repeat(129)}`, 'distro is too long (at most 128 characters)'],
        [`requests/version?version=${'1'.repeat(129)}`, 'version is too long (at most 128 characters)'],
        ['requests/installer?os=linux', 'unknown parameter: os (installer takes installer, start_date, end_date, interval, format, top)'],
        ['requests/version?Version=1.0', 'unknown parameter: Version (version takes version, start_date, end_date, interval, format, top)'],
        ['requests/country?start_date=2026-11-03&end_date=2026-11-01', 'start_date must not be after end_date'],
        ['requests/implementation?end_date=tomorrow', 'end_date must be a date as YYYY-MM-DD'],
        ['requests/recent?mirrors=yes', 'mirrors must be one of: true, false'],
        ['requests/recent?mirrors=true&top=3', 'unknown parameter: top (recent takes period, mirrors)'],
        ['a%20b/version', 'the package name is not a valid PyPI project name (letters, digits, ".", "_" and "-", starting and ending with a letter or digit)'],
      ];
      for (const [path, error] of cases) {
        const response = await get(`${prefix}/${path}`);
        expect({ path, status: response.status, body: response.json() }).toEqual({ path, status: 400, body: { error, status: 400 } });
      }
    });

    it('/recent?mirrors=true sums with mirrors, the same keys; mirrors=false is the default', async () => {
      const withMirrors = (await get(`${prefix}/requests/recent?mirrors=true`)).json();
      expect(withMirrors).toEqual({ data: { last_day: 307, last_month: 872, last_week: 872 }, package: 'requests', type: 'recent_downloads' });
      const without = { data: { last_day: 300, last_month: 860, last_week: 860 }, package: 'requests', type: 'recent_downloads' };
      expect((await get(`${prefix}/requests/recent?mirrors=false`)).json()).toEqual(without);
      expect((await get(`${prefix}/requests/recent`)).json()).toEqual(without);
      expect((await get(`${prefix}/requests/recent?&period=day&mirrors=TRUE`)).json().data).toEqual({ last_day: 307 });
      expect((await get(`${prefix}/__all__/recent?mirrors=true&period=week`)).json().data).toEqual({ last_week: 875 });
    });
  });

  describe('caching', () => {
    it('keys every parameter: an empty filter, a filter, top and the range are each their own answer', async () => {
      // Fresh server: nothing cached; each pair is asked in the order that would show a shared key.
      const app = await appOver(t.store);
      try {
        const full = JSON.stringify({ data: expectedPoints('distro'), package: 'requests', type: 'distro_downloads' });
        expect((await get('/api/packages/requests/distro?distro=', app)).json().data).toEqual([]);
        expect((await get('/api/packages/requests/distro', app)).body).toBe(full);
        expect((await get('/api/packages/requests/version?top=1', app)).json().data).toEqual(expectedPoints('version', ['0.9']));
        expect((await get('/api/packages/requests/version', app)).json().data).toEqual(expectedPoints('version'));
        expect((await get('/api/packages/requests/version?version=1.0RC1', app)).json().data).toEqual(expectedPoints('version', ['1.0RC1']));
        expect((await get('/api/packages/requests/version?version=1.0rc1', app)).json().data).toEqual(expectedPoints('version', ['1.0rc1']));
        expect((await get('/api/packages/requests/recent?mirrors=true&period=day', app)).json().data).toEqual({ last_day: 307 });
        expect((await get('/api/packages/requests/recent?period=day', app)).json().data).toEqual({ last_day: 300 });
        expect((await get('/api/packages/requests/cpu?top=1&start_date=2026-11-03', app)).json().data).toEqual(expectedPoints('cpu', ['x86_64'], ['2026-11-03']));
        expect((await get('/api/packages/requests/cpu?top=1&start_date=2026-11-02', app)).json().data).toEqual(
          expectedPoints('cpu', ['x86_64'], ['2026-11-02', '2026-11-03']),
        );
      } finally {
        await app.close();
      }
    });
  });

  describe('the /api page', () => {
    it('documents every endpoint of the registry, top, mirrors on /recent, and which are turned off', async () => {
      const every = (await get('/api')).body;
      for (const dimension of registry) {
        expect(every).toContain(`<h3><span class="method">GET</span> /api/packages/&lt;package&gt;/${dimension.name}</h3>`);
        expect(every).toContain(`<b>${dimension.filter.param}</b>`);
      }
      expect(every).toContain('href="/api/packages/requests/version?top=3"');
      expect(every).toContain('href="/api/packages/__all__/country?country=US"');
      expect(every).toContain('href="/api/packages/__all__/recent?mirrors=true"');
      expect(every).toContain('<b>top</b> (optional, ours): 1 to 1000.');
      expect(every).toContain('Every breakdown is on on this server.');
      expect(every).not.toContain('Turned off on this server');
      const some = (await get('/api', few)).body;
      expect(some).toContain('Turned off on this server (they answer <code>404</code> saying so): <a href="#version"><code>version</code></a>, <a href="#country">');
      expect(some).toContain('<section class="card endpoint endpoint-off" id="distro">');
      expect(some).toContain('<section class="card endpoint" id="installer">');
      expect(some).not.toContain('href="/api/packages/__all__/distro"');
    });
  });
});

describe('a server with every breakdown off', () => {
  it('answers the seed endpoints as before and 404 on each of the nine', async () => {
    const t = await appWithData({ '2026-11-01': [row('requests', 'overall', 'without_mirrors', 3), row('requests', 'overall', 'with_mirrors', 3)] });
    const app = await appOver(t.store, []);
    try {
      expect((await app.inject({ url: '/api/packages/requests/overall?mirrors=false' })).json().data).toEqual([{ category: 'without_mirrors', date: '2026-11-01', downloads: 3 }]);
      for (const dimension of NEW_ENDPOINTS) {
        const response = await app.inject({ url: `/api/package/requests/${dimension}` });
        expect([response.statusCode, response.json().error]).toEqual([404, `the ${dimension} breakdown is turned off on this server`]);
      }
    } finally {
      await app.close();
      await t.close();
    }
  });
});
