/** Demo data is labelled as such: a notice on every page, gone once no loaded day is the demo's. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { DEMO_SOURCE } from '../../src/domain/demo.js';
import { appWithData, type TestApp } from '../support/app.js';
import { chunks, row } from '../support/rows.js';

const NOTICE = '<p class="site-notice" role="note"><strong>Demo data.</strong>';
const PAGES = ['/', '/top', '/about', '/faqs', '/api', '/search', '/search?q=zzz', '/packages/pkg', '/packages/no-such', '/packages/-bad-'];

let t: TestApp;
beforeAll(async () => {
  t = await appWithData({});
});
afterAll(() => t.close());

async function write(day: string, source: string) {
  await t.store.replaceDay({ day, source, summary: null, rows: withAllPackagesTotals(chunks([row('pkg', 'overall', 'with_mirrors', 5), row('pkg', 'overall', 'without_mirrors', 5)])) });
}

async function bodies() {
  return Promise.all(PAGES.map(async (url) => ({ url, body: (await t.app.inject({ url })).body })));
}

describe('the demo-data notice', () => {
  it('is on no page before any data, nor when the data is real', async () => {
    for (const { url, body } of await bodies()) expect({ url, notice: body.includes(NOTICE) }).toEqual({ url, notice: false });
    await write('2026-11-01', 'files');
    for (const { url, body } of await bodies()) expect({ url, notice: body.includes(NOTICE) }).toEqual({ url, notice: false });
  });

  it('is on every page, under the header and once, while a loaded day is demo data, and links to the about page’s explanation', async () => {
    await write('2026-11-02', DEMO_SOURCE);
    for (const { url, body } of await bodies()) {
      expect({ url, count: body.split(NOTICE).length - 1 }).toEqual({ url, count: 1 });
      expect(body.indexOf(NOTICE)).toBeGreaterThan(body.indexOf('</header>'));
      expect(body.indexOf(NOTICE)).toBeLessThan(body.indexOf('<main id="main">'));
    }
    const about = (await t.app.inject({ url: '/about' })).body;
    expect(about).toContain('<a href="/about#demo-data">');
    expect(about).toContain('<h2 id="demo-data">Demo data</h2>');
    expect(await t.store.status()).toMatchObject({ demo: true });
  });

  it('goes once the demo day is replaced by real data', async () => {
    await write('2026-11-02', 'files');
    for (const { url, body } of await bodies()) expect({ url, notice: body.includes(NOTICE) }).toEqual({ url, notice: false });
    expect(await t.store.status()).toMatchObject({ demo: false });
  });

  it('cannot be faked by a query: what a visitor types is escaped', async () => {
    await write('2026-11-03', DEMO_SOURCE);
    const body = (await t.app.inject({ url: `/search?q=${encodeURIComponent('<!--site-notice-->')}` })).body;
    expect(body.split(NOTICE).length - 1).toBe(1);
    expect(body).toContain('&lt;!--site-notice--&gt;');
  });
});
