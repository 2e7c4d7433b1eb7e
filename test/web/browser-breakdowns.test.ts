import type { BrowserContextOptions, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { PHONE, screenshot, useChromiumSite } from '../support/browser.js';
import { describeWith } from '../support/describe-with.js';
import { chromium } from '../support/services.js';
import { BREAKDOWN_WEIGHTS, DAYS, REQUESTS_BIG_VERSIONS, REQUESTS_SMALL_VERSIONS, requestsDownloads, splitCounts } from '../support/site-data.js';

/** The breakdowns of the registry beyond the seed's, in its order: every one is on by default. */
const BREAKDOWNS = ['version', 'installer', 'ci', 'country', 'implementation', 'cpu', 'libc', 'distro', 'file_type'];
const LAST = DAYS - 1;

/** `requests`' downloads of each big version on day `index`. */
function bigVersions(index: number): Record<string, number> {
  return splitCounts(requestsDownloads(index) - REQUESTS_SMALL_VERSIONS.length, REQUESTS_BIG_VERSIONS);
}

function lastDays(days: number, count: (index: number) => number): number {
  let sum = 0;
  for (let i = DAYS - days; i < DAYS; i++) sum += count(i);
  return sum;
}

interface SectionState {
  name: string;
  state: string | undefined;
  points: number;
  series: number;
  shape: string;
  hidden: string;
  labels: string[];
  values: string[];
}

function sections(page: Page): Promise<SectionState[]> {
  return page.$$eval('section[data-breakdown]', (found) =>
    found.map((section) => {
      const figure = section.querySelector<HTMLElement>('figure')!;
      const rows = [...figure.querySelectorAll('.u-legend .u-series')].slice(1);
      return {
        name: section.dataset.breakdown!,
        state: section.dataset.state,
        points: Number(figure.dataset.points ?? 0),
        series: Number(figure.dataset.series ?? 0),
        shape: figure.dataset.shape ?? '',
        hidden: figure.dataset.hidden ?? '',
        labels: rows.map((row) => row.querySelector('.u-label')!.textContent!),
        values: rows.map((row) => row.querySelector('.u-value')!.textContent!),
      };
    }),
  );
}

async function section(page: Page, name: string): Promise<SectionState> {
  return (await sections(page)).find((state) => state.name === name)!;
}

/** Scrolls `name`'s section into view and waits until it is drawn with `points` points. */
async function scrollTo(page: Page, name: string, points = DAYS): Promise<SectionState> {
  await page.locator(`section[data-breakdown="${name}"]`).scrollIntoViewIfNeeded();
  await page.waitForFunction(
    ([n, p]) => {
      const found = document.querySelector<HTMLElement>(`section[data-breakdown="${n}"]`);
      return found?.dataset.state === 'drawn' && found.querySelector<HTMLElement>('figure')!.dataset.points === String(p);
    },
    [name, points] as const,
  );
  return section(page, name);
}

const breakdownRequests = (requests: string[]) => requests.filter((url) => new URL(url).pathname.includes('/breakdowns/'));
const mapRequests = (requests: string[]) => requests.filter((url) => new URL(url).pathname.startsWith('/assets/country-map-'));

describeWith([chromium], 'the package page’s breakdowns in Chromium', () => {
  const chromiumSite = useChromiumSite();

  async function open(path: string, options?: BrowserContextOptions) {
    const watched = await chromiumSite.open(options);
    await watched.page.goto(chromiumSite.site.url + path);
    await watched.page.waitForFunction(() => performance.getEntriesByName('pypistats:charts-drawn').length === 1);
    return watched;
  }

  it('fetches and draws no section below the fold before it is scrolled to, and each one when it is', async () => {
    const { page, requests } = await open('/packages/requests');
    expect((await sections(page)).map((state) => state.name)).toEqual(BREAKDOWNS);
    // Time for an observer that would fire anyway.
    await page.waitForTimeout(300);
    const fold = await page.evaluate(() => innerHeight);
    const tops = await page.$$eval('section[data-breakdown]', (found) => found.map((s) => s.getBoundingClientRect().top));
    // Every section is below the fold (and the observer's margin) at this size.
    expect(Math.min(...tops)).toBeGreaterThan(fold + 200);
    expect(breakdownRequests(requests)).toEqual([]);
    expect(mapRequests(requests)).toEqual([]);
    expect((await sections(page)).every((state) => state.state === undefined && state.points === 0)).toBe(true);

    const installer = await scrollTo(page, 'installer');
    expect(breakdownRequests(requests).map((url) => new URL(url).pathname)).toContain('/packages/requests/breakdowns/installer');
    expect(installer.labels).toEqual(['pip', 'poetry', 'uv', 'unknown']);
    const counts = splitCounts(requestsDownloads(LAST), BREAKDOWN_WEIGHTS.installer!);
    expect(installer.values).toEqual([counts.pip, counts.poetry, counts.uv, counts.null].map((n) => n!.toLocaleString('en-US')));
    expect(await section(page, 'file_type')).toMatchObject({ state: undefined, points: 0 });
  });

  it('draws every breakdown with its series and a point for every day', async () => {
    const { page } = await open('/packages/requests');
    const expected: Record<string, string[]> = {
      installer: ['pip', 'poetry', 'uv', 'unknown'],
      ci: ['CI', 'not CI', 'unknown'],
      implementation: ['CPython', 'PyPy'],
      cpu: ['aarch64', 'arm64', 'x86_64', 'unknown'],
      libc: ['glibc', 'musl', 'unknown'],
      distro: ['Alpine Linux', 'Debian GNU/Linux', 'Ubuntu', 'unknown'],
      file_type: ['wheel', 'sdist'],
    };
    for (const [name, labels] of Object.entries(expected)) {
      const state = await scrollTo(page, name);
      expect([name, state.labels, state.shape]).toEqual([name, labels, 'downloads/1']);
    }
    await screenshot(page, 'desktop-breakdowns');
  });

  it('draws the eight largest countries and folds the rest into others, with each day’s remainder', async () => {
    const { page } = await open('/packages/requests');
    const country = await scrollTo(page, 'country');
    expect(country.labels).toEqual(['BR', 'CN', 'DE', 'FR', 'GB', 'IN', 'JP', 'US', 'others']);
    const counts = splitCounts(requestsDownloads(LAST), BREAKDOWN_WEIGHTS.country!);
    const others = counts.CA! + counts.KR! + counts.RU! + counts.null!;
    expect(country.values.at(-1)).toBe(others.toLocaleString('en-US'));
    expect(country.values[7]).toBe(counts.US!.toLocaleString('en-US'));
  });

  it('folds all but the eight largest versions into other versions, and lists every version with its last day, week and month', async () => {
    const { page } = await open('/packages/requests');
    const version = await scrollTo(page, 'version');
    expect(version.labels).toEqual(['0.0.0', '0.0.1', '0.0.2', '1.2.3', '2.31.0', '2.32.2', '2.32.3', '3.0.0rc1', 'other versions']);
    expect(version.values.at(-1)).toBe((REQUESTS_SMALL_VERSIONS.length - 3).toLocaleString('en-US'));
    expect(version.values[6]).toBe(bigVersions(LAST)['2.32.3']!.toLocaleString('en-US'));

    const rows = page.locator('#breakdown-version .breakdown-table tbody tr');
    expect(await rows.count()).toBe(1500);
    const row = (category: string) =>
      page.locator(`#breakdown-version .breakdown-table tbody tr[data-category="${category}"]`).evaluate((tr) => [...tr.children].map((cell) => cell.textContent!.trim()));
    const latest = (days: number) => lastDays(days, (i) => bigVersions(i)['2.32.3']!).toLocaleString('en-US');
    expect(await row('2.32.3')).toEqual(['2.32.3', latest(1), latest(7), latest(30)]);
    expect(await row('0.0.5')).toEqual(['0.0.5', '1', '7', '30']);
    expect(await row('null')).toEqual(['unknown', '1', '7', '30']);
    // Newest first; the largest month stands out.
    expect(await rows.first().getAttribute('data-category')).toBe('null');
    expect(await page.locator('#breakdown-version tr.largest').getAttribute('data-category')).toBe('2.32.3');
    // Sorted by the month, largest first.
    await page.locator('#breakdown-version thead button', { hasText: 'Last month' }).click();
    const largest = await rows.evaluateAll((trs) => trs.slice(0, 5).map((tr) => (tr as HTMLElement).dataset.category));
    // 1.2.3 and 3.0.0rc1 have the same weight: either may come first.
    expect([...largest.slice(0, 3), ...largest.slice(3).sort()]).toEqual(['2.32.3', '2.32.2', '2.31.0', '1.2.3', '3.0.0rc1']);
  });

  it('groups versions by release series: major and major.minor, summed', async () => {
    const { page } = await open('/packages/requests');
    await scrollTo(page, 'version');
    const table = () =>
      page.locator('#breakdown-version .breakdown-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent!.trim())));
    const sum = (days: number, versions: string[]) => lastDays(days, (i) => versions.reduce((s, v) => s + bigVersions(i)[v]!, 0)).toLocaleString('en-US');

    // From the keyboard: the switch is a radio group.
    await page.locator('input[name="grouping-version"][value="category"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelectorAll('#breakdown-version .breakdown-table tbody tr').length === 6);
    expect(await table()).toEqual([
      ['unknown', '1', '7', '30'],
      ['custom-build', '1', '7', '30'],
      ['3.*', sum(1, ['3.0.0rc1']), sum(7, ['3.0.0rc1']), sum(30, ['3.0.0rc1'])],
      ['2.*', sum(1, ['2.31.0', '2.32.2', '2.32.3']), sum(7, ['2.31.0', '2.32.2', '2.32.3']), sum(30, ['2.31.0', '2.32.2', '2.32.3'])],
      ['1.*', sum(1, ['1.2.3']), sum(7, ['1.2.3']), sum(30, ['1.2.3'])],
      ['0.*', '1,493', (1493 * 7).toLocaleString('en-US'), (1493 * 30).toLocaleString('en-US')],
    ]);
    const major = await section(page, 'version');
    expect(major.labels).toEqual(['0.*', '1.*', '2.*', '3.*', 'custom-build', 'unknown']);

    await page.keyboard.press('ArrowRight');
    // 0.0 to 0.149, 1.2, 2.31, 2.32, 3.0, custom-build and null.
    await page.waitForFunction(() => document.querySelectorAll('#breakdown-version .breakdown-table tbody tr').length === 156);
    const rows = await table();
    expect(rows.find((row) => row[0] === '2.32.*')).toEqual(['2.32.*', sum(1, ['2.32.2', '2.32.3']), sum(7, ['2.32.2', '2.32.3']), sum(30, ['2.32.2', '2.32.3'])]);
    expect(rows.find((row) => row[0] === '0.149.*')).toEqual(['0.149.*', '3', '21', '90']);
    const minor = await section(page, 'version');
    expect(minor.labels.at(-1)).toBe('other versions');
    expect(minor.series).toBe(9);
  });

  it('lists countries by name and share, and shades a map fetched only when the section is shown, the largest darkest', async () => {
    const { page, requests } = await open('/packages/requests');
    await scrollTo(page, 'version');
    expect(mapRequests(requests)).toEqual([]);
    await scrollTo(page, 'country');
    await page.waitForSelector('#breakdown-country .country-map svg path[data-country]');
    expect(mapRequests(requests)).toHaveLength(1);
    const table = await page
      .locator('#breakdown-country .breakdown-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent!.trim())));
    expect(table.map((row) => row[0])).toEqual(['United States', 'Germany', 'China', 'United Kingdom', 'France', 'India', 'Japan', 'Brazil', expect.any(String), expect.any(String), expect.any(String), expect.any(String)]);
    expect(table[0]![1]).toBe('30.0 %');
    const paths = await page.$$eval('#breakdown-country .country-map path', (found) =>
      found.map((path) => ({ country: path.getAttribute('data-country'), share: path.getAttribute('data-share'), fill: getComputedStyle(path).fill })),
    );
    expect(paths.length).toBeGreaterThan(150);
    const shaded = paths.filter((path) => path.share !== null);
    expect(shaded.map((path) => path.country).sort()).toEqual(['BR', 'CA', 'CN', 'DE', 'FR', 'GB', 'IN', 'JP', 'KR', 'RU', 'US']);
    const lightness = (fill: string) => fill.match(/\d+/g)!.slice(0, 3).map(Number).reduce((a, b) => a + b, 0);
    const darkest = shaded.reduce((a, b) => (lightness(b.fill) < lightness(a.fill) ? b : a));
    expect(darkest.country).toBe('US');
    await page.locator('#breakdown-country').screenshot({ path: 'test-artifacts/website/country-section.png' });
  });

  it('stacks the areas of every chart with one control, and a legend click hides a series', async () => {
    const { page } = await open('/packages/requests');
    await page.getByRole('radio', { name: 'Stacked' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('figure[data-chart]')].every((f) => f.dataset.shape === 'downloads/1/stacked'));
    let country = await scrollTo(page, 'country');
    expect(country.shape).toBe('downloads/1/stacked');
    // uPlot toggles a series from its legend label's cell.
    await page.locator('#breakdown-country .u-legend .u-series').nth(8).locator('th').click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#breakdown-country figure')!.dataset.hidden === 'US');
    country = await section(page, 'country');
    // Its own count, not the stacked sum, is still in the legend.
    expect(country.values[7]).toBe(splitCounts(requestsDownloads(LAST), BREAKDOWN_WEIGHTS.country!).US!.toLocaleString('en-US'));
    await page.locator('#chart-python_minor .u-legend .u-series').nth(1).locator('th').click();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('#chart-python_minor')!.dataset.hidden === '2.7');
    await page.getByRole('radio', { name: 'Share %' }).click();
    country = await scrollTo(page, 'country');
    expect(country.shape).toBe('shares/1/stacked');
    await screenshot(page, 'desktop-breakdowns-stacked');
  });

  it('applies the range and interval to the breakdowns too', async () => {
    const { page } = await open('/packages/requests');
    await scrollTo(page, 'ci');
    await page.getByRole('radio', { name: '30 days' }).click();
    await scrollTo(page, 'ci', 30);
    await page.getByRole('radio', { name: 'Weekly' }).click();
    await scrollTo(page, 'cpu', 4);
    expect((await section(page, 'ci')).points).toBe(4);
  });

  it('says so when a package has no downloads in a breakdown yet', async () => {
    const { page } = await open('/packages/zope-interface');
    await page.locator('section[data-breakdown="installer"]').scrollIntoViewIfNeeded();
    await page.waitForSelector('#breakdown-installer[data-state="drawn"] .breakdown-empty');
    expect((await section(page, 'installer')).series).toBe(0);
  });

  it('shows all of PyPI’s breakdowns but versions', async () => {
    const { page } = await open('/packages/__all__');
    expect((await sections(page)).map((state) => state.name)).toEqual(BREAKDOWNS.slice(1));
    expect((await scrollTo(page, 'libc')).labels).toEqual(['glibc', 'musl', 'unknown']);
  });

  it('fits a 375 px wide phone screen with every section drawn', async () => {
    const { page } = await open('/packages/requests', PHONE);
    for (const name of BREAKDOWNS) await scrollTo(page, name);
    await page.waitForSelector('#breakdown-country .country-map svg');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await screenshot(page, 'phone-breakdowns');
  });

  it('sends the page of a package with 1,500 versions in under 150 KB before any section is shown', async () => {
    const { page, requests } = await open('/packages/requests');
    await page.waitForLoadState('networkidle');
    const bytes = await page.evaluate(() =>
      [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].reduce((sum, entry) => sum + (entry as PerformanceResourceTiming).transferSize, 0),
    );
    expect(breakdownRequests(requests)).toEqual([]);
    expect(bytes).toBeGreaterThan(10_000);
    expect(bytes).toBeLessThan(150_000);
  });
});

describeWith([chromium], 'a site with only some breakdowns on (DIMENSIONS)', () => {
  const chromiumSite = useChromiumSite({ DIMENSIONS: 'country,ci' });

  it('shows only their sections, and the seed’s charts', async () => {
    const { page } = await chromiumSite.open();
    await page.goto(`${chromiumSite.site.url}/packages/requests`);
    await page.waitForFunction(() => performance.getEntriesByName('pypistats:charts-drawn').length === 1);
    expect(await page.$$eval('figure[data-chart]', (found) => found.map((f) => (f as HTMLElement).dataset.chart))).toEqual(['overall', 'python_major', 'python_minor', 'system']);
    expect((await sections(page)).map((state) => state.name)).toEqual(['ci', 'country']);
    expect((await scrollTo(page, 'ci')).labels).toEqual(['CI', 'not CI', 'unknown']);
    const response = await page.request.get(`${chromiumSite.site.url}/packages/requests/breakdowns/installer`);
    expect(response.status()).toBe(404);
  });
});
