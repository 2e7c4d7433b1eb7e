import { expect, it } from 'vitest';
import { DESKTOP, PHONE, screenshot, tabTo, useChromiumSite, type WatchedPage } from '../support/browser.js';
import { describeWith } from '../support/describe-with.js';
import { STAND_IN_PACKAGES } from '../support/pypi-standin.js';
import { chromium } from '../support/services.js';

/** Every page but the package page (browser-charts.test.ts), with its name for screenshots. */
const PAGES = [
  ['home', '/'],
  ['top', '/top'],
  ['top-week', '/top?period=week'],
  ['compare', '/compare?packages=requests,django,certifi'],
  ['search', '/search?q=requests'],
  ['about', '/about'],
  ['faqs', '/faqs'],
  ['api', '/api'],
  ['not-found', '/no/such/page'],
  ['no-package', '/packages/never-downloaded'],
] as const;

describeWith([chromium], 'the website in Chromium', () => {
  const chromiumSite = useChromiumSite();
  let watched: WatchedPage;

  async function open(options = DESKTOP) {
    watched = await chromiumSite.open(options);
    return watched.page;
  }

  it('takes a keyboard user from the home page through search to a package page', async () => {
    const page = await open();
    await page.goto(chromiumSite.site.url);
    // The search box has the focus as the page opens: Chromium gives it at its first rendering
    // update, which may come after the load event, so the test waits for it before typing.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('home-search');
    await page.keyboard.type('Requests_');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=Requests_$/);
    expect(await page.locator('.result-list a').allTextContents()).toEqual(['requests-oauthlib', 'requests-toolbelt']);
    await tabTo(page, '.result-list a >> text=requests-toolbelt');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/packages\/requests-toolbelt$/);
    expect(await page.locator('h1').textContent()).toBe('requests-toolbelt');
    expect(await page.title()).toBe('requests-toolbelt · PyPI Stats');
    await page.waitForFunction(() => performance.getEntriesByName('pypistats:charts-drawn').length === 1);
    expect(watched.requests.every((url) => url.startsWith(chromiumSite.site.url))).toBe(true);
  });

  it('goes straight to the package when one matches, from the header’s search box', async () => {
    const page = await open();
    await page.goto(`${chromiumSite.site.url}/top`);
    await tabTo(page, '#header-search');
    await page.keyboard.type('zope.');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/packages\/zope-interface$/);
    expect(await page.locator('h1').textContent()).toBe('zope-interface');
  });

  it('says so when no package matches', async () => {
    const page = await open();
    await page.goto(`${chromiumSite.site.url}/search?q=${encodeURIComponent('<b>nope</b>')}`);
    expect(await page.locator('.empty-state strong').textContent()).toBe('No package name starts with “<b>nope</b>”.');
    expect(await page.locator('#search-page-input').inputValue()).toBe('<b>nope</b>');
  });

  it('lists the top packages of the period the switch picks and links each to its page', async () => {
    const page = await open();
    await page.goto(`${chromiumSite.site.url}/top`);
    expect(await page.locator('section[aria-labelledby="top-month"] .ranking li').count()).toBe(20);
    for (const [label, period] of [['Last day', 'day'], ['Last 7 days', 'week']] as const) {
      await page.getByRole('navigation', { name: 'Period' }).getByRole('link', { name: label }).click();
      await page.waitForURL(new RegExp(`/top\\?period=${period}$`));
      expect(await page.locator(`section[aria-labelledby="top-${period}"] .ranking li`).count()).toBe(20);
    }
    await page.locator('section[aria-labelledby="top-week"] .ranking a').nth(1).click();
    await page.waitForURL(/\/packages\/django$/);
  });

  // 16 page loads with a full-page screenshot each: 59 s alone on a busy machine, past vitest's minute beside other suites.
  it('shows every page without errors, at desktop width and in 375 px without sideways scrolling', { timeout: 180_000 }, async () => {
    for (const [name, path] of PAGES) {
      for (const [device, options] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
        const page = await open(options);
        const response = await page.goto(chromiumSite.site.url + path);
        expect(response!.status()).toBe(name === 'not-found' || name === 'no-package' ? 404 : 200);
        expect(await page.locator('h1').count()).toBe(1);
        if (device === 'phone') expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
        await screenshot(page, `${device}-${name}`);
        expect(watched.problems).toEqual([]);
        await watched.close();
      }
    }
  });

  it('stays the phone’s width when a page echoes a very long query, name or path', async () => {
    const long = 'a'.repeat(10_000);
    const cases = [
      ['long-search', `/search?q=${long}`, 200],
      ['long-search-words', `/search?q=${encodeURIComponent(`${'requests-'.repeat(20)} ${'x'.repeat(300)}`)}`, 200],
      ['long-name', `/packages/${'n'.repeat(1000)}`, 400],
      ['long-path', `/no/${'p'.repeat(3000)}`, 404],
    ] as const;
    for (const [name, path, status] of cases) {
      const page = await open(PHONE);
      const response = await page.goto(chromiumSite.site.url + path);
      expect(response!.status()).toBe(status);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      await screenshot(page, `phone-${name}`);
      expect({ name, width }).toEqual({ name, width: expect.toSatisfy((w: number) => w <= 375) });
      await watched.close();
    }
  });

  it('shows HTML and script in a package’s PyPI metadata as text, running none of it', async () => {
    const page = await open();
    await page.goto(`${chromiumSite.site.url}/packages/${STAND_IN_PACKAGES.html}`);
    await page.waitForFunction(() => performance.getEntriesByName('pypistats:charts-drawn').length === 1);
    expect(await page.locator('.summary').textContent()).toBe('<script>alert("summary")</script> & <b>bold</b> "quoted"');
    expect(await page.locator('.facts').textContent()).toContain('<img src=x onerror="alert(\'author\')">Mallory & Co');
    expect(await page.locator('main img, main b, main script:not(#chart-data)').count()).toBe(0);
    await screenshot(page, 'desktop-package-html-in-metadata');
    // A script that ran would have opened a dialog: the watched page reports any.
  });

  it('links a package’s dependencies to their pages', async () => {
    const page = await open();
    await page.goto(`${chromiumSite.site.url}/packages/requests`);
    expect(await page.locator('#required-dependencies a').allTextContents()).toEqual(['charset-normalizer', 'idna', 'urllib3', 'certifi']);
    expect(await page.locator('#optional-dependencies a').allTextContents()).toEqual(['pysocks', 'chardet']);
    await page.locator('#required-dependencies a', { hasText: 'certifi' }).click();
    await page.waitForURL(/\/packages\/certifi$/);
    expect(await page.locator('h1').textContent()).toBe('certifi');
    await page.waitForFunction(() => performance.getEntriesByName('pypistats:charts-drawn').length === 1);
  });

  it('renders dark when the system prefers it', async () => {
    const page = await open({ ...DESKTOP, colorScheme: 'dark' });
    await page.goto(chromiumSite.site.url);
    const [r, g, b] = (await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).match(/\d+/g)!.map(Number);
    expect((0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255).toBeLessThan(0.15);
    const text = (await page.evaluate(() => getComputedStyle(document.body).color)).match(/\d+/g)!.map(Number);
    expect((0.2126 * text[0]! + 0.7152 * text[1]! + 0.0722 * text[2]!) / 255).toBeGreaterThan(0.8);
    await screenshot(page, 'dark-home');
  });
});
