/** The compare page in Chromium: add with the suggestions, remove, the URL as the list, a line per package, phone width. */
import type { BrowserContextOptions, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { PHONE, screenshot, useChromiumSite } from '../support/browser.js';
import { describeWith } from '../support/describe-with.js';
import { chromium } from '../support/services.js';
import { DAYS } from '../support/site-data.js';

describeWith([chromium], 'the compare page in Chromium', () => {
  const chromiumSite = useChromiumSite();

  async function open(path: string, options?: BrowserContextOptions): Promise<Page> {
    const { page } = await chromiumSite.open(options);
    await page.goto(chromiumSite.site.url + path);
    return page;
  }

  const drawn = (page: Page) => page.waitForFunction(() => performance.getEntriesByName('pypistats:charts-drawn').length === 1);

  /** What the chart says it drew (ChartFigure's data-* attributes) and the legend's labels. */
  async function chartState(page: Page) {
    return page.locator('figure[data-chart="compare"]').evaluate((figure: HTMLElement) => ({
      series: Number(figure.dataset.series),
      points: Number(figure.dataset.points),
      labels: [...figure.querySelectorAll('.u-legend .u-series:not(:first-child) .u-label')].map((label) => label.textContent),
      width: figure.querySelector('canvas')?.getBoundingClientRect().width ?? 0,
    }));
  }

  const listed = (page: Page) => page.locator('.compare-list li').evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.package));

  it('adds a package from the suggestions as a name is typed, the URL holding the list', async () => {
    const page = await open('/packages/requests');
    await page.getByRole('link', { name: 'Compare with…' }).click();
    await page.waitForURL(/\/compare\?packages=requests$/);
    await drawn(page);
    expect(await chartState(page)).toMatchObject({ series: 1, points: DAYS, labels: ['requests'] });
    await page.locator('#compare-add-input').pressSequentially('djan');
    const suggestion = page.locator('#compare-suggestions a', { hasText: 'django' });
    await suggestion.waitFor();
    await suggestion.click();
    await page.waitForURL(/\/compare\?packages=requests,django$/);
    await drawn(page);
    expect(await listed(page)).toEqual(['requests', 'django']);
    expect(await chartState(page)).toMatchObject({ series: 2, points: DAYS, labels: ['requests', 'django'] });
    // The keyboard: down from the box to the first suggestion, Enter follows it.
    await page.locator('#compare-add-input').pressSequentially('zope');
    await page.locator('#compare-suggestions a', { hasText: 'zope-interface' }).waitFor();
    await page.locator('#compare-add-input').press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/compare\?packages=requests,django,zope-interface$/);
  });

  it('removes a package, and a shared URL shows the same list and chart', async () => {
    const url = '/compare?packages=requests,django,certifi';
    const page = await open(url);
    await drawn(page);
    expect(await chartState(page)).toMatchObject({ series: 3, labels: ['requests', 'django', 'certifi'] });
    await page.getByRole('link', { name: 'Remove django' }).click();
    await page.waitForURL(/\/compare\?packages=requests,certifi$/);
    await drawn(page);
    expect(await listed(page)).toEqual(['requests', 'certifi']);
    expect((await chartState(page)).labels).toEqual(['requests', 'certifi']);
    const shared = await open(url);
    await drawn(shared);
    expect(await listed(shared)).toEqual(['requests', 'django', 'certifi']);
    expect(await shared.locator('section.compare-shares').count()).toBeGreaterThan(5);
  });

  it('draws ten packages, each a line of its own, and fits a phone’s 375 px', async () => {
    const names = ['requests', 'requests-oauthlib', 'requests-toolbelt', 'django', 'zope-interface', 'certifi', 'urllib3', 'html-in-metadata', 'sparse-pkg', 'filler-01'];
    for (const options of [undefined, PHONE]) {
      const page = await open(`/compare?packages=${names.join(',')}`, options);
      await drawn(page);
      const listedNow = await listed(page);
      const state = await chartState(page);
      expect(state.series).toBe(listedNow.length);
      expect(state.labels).toEqual(listedNow);
      expect(listedNow).toEqual(names);
      expect(state.width).toBeGreaterThan(options === PHONE ? 250 : 600);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(options === PHONE ? 375 : 1280);
      await screenshot(page, options === PHONE ? 'phone-compare' : 'desktop-compare');
    }
  });

  it('works without script: the add form and the remove links', async () => {
    const { page } = await chromiumSite.open({ javaScriptEnabled: false });
    await page.goto(`${chromiumSite.site.url}/compare?packages=requests`);
    await page.locator('#compare-add-input').fill('django');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.waitForURL(/\/compare\?packages=requests,django$/);
    await page.getByRole('link', { name: 'Remove requests' }).click();
    await page.waitForURL(/\/compare\?packages=django$/);
  });
});
