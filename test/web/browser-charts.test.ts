import type { BrowserContextOptions, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { addDays } from '../../src/domain/dates.js';
import { PHONE, screenshot, useChromiumSite } from '../support/browser.js';
import { describeWith } from '../support/describe-with.js';
import { chromium } from '../support/services.js';
import { DAYS, FIRST_DAY, LATEST_DAY, MONTHS_HELD, REQUESTS_MONTH_DOWNLOADS, requestsDownloads } from '../support/site-data.js';
import { dayRange } from '../../src/domain/dates.js';

/** The legend labels of `requests`' charts: its categories in the registry's order. */
const LABELS = {
  overall: ['with mirrors', 'without mirrors'],
  python_major: ['Python 2', 'Python 3', 'unknown'],
  python_minor: ['2.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13', 'unknown'],
  system: ['macOS', 'Linux', 'unknown', 'other', 'Windows'],
};

interface ChartState {
  name: string;
  points: number;
  firstDay: string;
  lastDay: string;
  shape: string;
  labels: string[];
  canvas: { width: number; height: number };
}

/** What each chart says it shows after its latest draw, and its legend and canvas as drawn. */
function charts(page: Page): Promise<ChartState[]> {
  return page.$$eval('figure[data-chart]', (figures) =>
    figures.map((figure) => {
      const canvas = figure.querySelector('canvas');
      return {
        name: figure.dataset.chart!,
        points: Number(figure.dataset.points),
        firstDay: figure.dataset.firstDay!,
        lastDay: figure.dataset.lastDay!,
        shape: figure.dataset.shape!,
        labels: [...figure.querySelectorAll('.u-legend .u-series')].slice(1).map((row) => row.querySelector('.u-label')!.textContent!),
        canvas: { width: canvas?.width ?? 0, height: canvas?.height ?? 0 },
      };
    }),
  );
}

/** Waits until every chart has drawn `points` points. */
async function drawn(page: Page, points: number): Promise<ChartState[]> {
  await page.waitForFunction(
    (n) => [...document.querySelectorAll<HTMLElement>('figure[data-chart]')].every((figure) => figure.dataset.points === String(n)),
    points,
  );
  return charts(page);
}

describeWith([chromium], 'the package page’s charts in Chromium', () => {
  const chromiumSite = useChromiumSite();

  async function open(path: string, options?: BrowserContextOptions): Promise<Page> {
    const { page } = await chromiumSite.open(options);
    await page.goto(chromiumSite.site.url + path);
    await page.waitForFunction(() => performance.getEntriesByName('pypistats:charts-drawn').length === 1);
    return page;
  }

  it('draws every chart with the expected series and a point for every day', async () => {
    const page = await open('/packages/requests');
    const states = await drawn(page, DAYS);
    expect(states.map((state) => [state.name, state.labels])).toEqual(Object.entries(LABELS));
    for (const state of states) {
      expect(state).toMatchObject({ firstDay: addDays(LATEST_DAY, -(DAYS - 1)), lastDay: LATEST_DAY, shape: 'downloads/1' });
      expect(state.canvas.width).toBeGreaterThan(300);
      expect(state.canvas.height).toBeGreaterThan(200);
    }
    await screenshot(page, 'desktop-package');
  });

  it('shows the legend’s values for the latest day, and for the day under the cursor', async () => {
    const page = await open('/packages/requests');
    const legend = page.locator('#chart-overall .u-legend .u-series');
    await expect.poll(() => legend.nth(0).locator('.u-value').textContent()).toBe(LATEST_DAY);
    expect(await legend.nth(2).locator('.u-value').textContent()).toBe('28,950');
    const plot = await page.locator('#chart-overall .u-over').boundingBox();
    await page.mouse.move(plot!.x + 0.5, plot!.y + plot!.height / 2);
    await expect.poll(() => legend.nth(0).locator('.u-value').textContent()).toBe(addDays(LATEST_DAY, -(DAYS - 1)));
  });

  it('changes every chart’s range with one control, and keeps it in the URL', async () => {
    const page = await open('/packages/requests');
    await drawn(page, DAYS);
    for (const days of [30, 60, 90, 120]) {
      await page.getByRole('radio', { name: `${days} days` }).click();
      const states = await drawn(page, days);
      for (const state of states) expect([state.firstDay, state.lastDay]).toEqual([addDays(LATEST_DAY, -(days - 1)), LATEST_DAY]);
      expect(new URL(page.url()).searchParams.get('lookback')).toBe(String(days));
    }
    await page.getByRole('radio', { name: 'All', exact: true }).click();
    await drawn(page, DAYS);
  });

  it('starts at the range of the lookback parameter', async () => {
    const page = await open('/packages/requests?lookback=60');
    const states = await drawn(page, 60);
    expect(states.map((state) => state.firstDay)).toEqual(new Array(4).fill(addDays(LATEST_DAY, -59)));
    expect(await page.locator('input[name="lookback"][value="60"]').isChecked()).toBe(true);
  });

  it('sums by week with the weekly toggle: whole weeks ending on the latest day', async () => {
    const page = await open('/packages/requests?lookback=30');
    await drawn(page, 30);
    await page.getByRole('radio', { name: 'Weekly' }).click();
    let states = await drawn(page, 4);
    for (const state of states) expect(state).toMatchObject({ firstDay: addDays(LATEST_DAY, -27), lastDay: addDays(LATEST_DAY, -6), shape: 'downloads/7' });
    await page.getByRole('radio', { name: 'All', exact: true }).click();
    states = await drawn(page, Math.floor(DAYS / 7));
    expect(states[0]!.labels).toEqual(LABELS.overall);
  });

  it('shows each day’s shares in % with the share toggle; the overall chart splits mirrors from the rest', async () => {
    const page = await open('/packages/requests');
    await page.getByRole('radio', { name: 'Share %' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>('figure[data-chart]')].every((f) => f.dataset.shape === 'shares/1'));
    const states = await charts(page);
    expect(states.map((state) => state.labels)).toEqual([['without mirrors', 'from mirrors'], LABELS.python_major, LABELS.python_minor, LABELS.system]);
    expect(await page.locator('#chart-system .u-legend .u-series').nth(2).locator('.u-value').textContent()).toBe('60.0 %');
    await screenshot(page, 'desktop-package-shares');
  });

  it('is operable from the keyboard alone', async () => {
    const page = await open('/packages/requests');
    await page.locator('input[name="lookback"][value="all"]').focus();
    await page.keyboard.press('ArrowLeft');
    await drawn(page, 120);
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowRight');
    await drawn(page, Math.floor(120 / 7));
  });

  it('fits a 375 px wide phone screen', async () => {
    const page = await open('/packages/requests', PHONE);
    const states = await drawn(page, DAYS);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    for (const state of states) expect(state.canvas.width / 2).toBeLessThanOrEqual(375);
    await screenshot(page, 'phone-package');
  });

  it('draws every x-axis label whole inside its canvas, the last day’s included, at every range and width', async () => {
    for (const options of [{ viewport: { width: 1280, height: 900 } }, { viewport: { width: 1000, height: 900 } }, PHONE]) {
      const { page } = await chromiumSite.open(options);
      // The labels are drawn on the canvas, not in the page: every fillText is recorded with its extent.
      await page.addInitScript(() => {
        const drawnTexts: { text: string; left: number; right: number; canvasWidth: number }[] = [];
        (window as unknown as { drawnTexts: typeof drawnTexts }).drawnTexts = drawnTexts;
        const fillText = CanvasRenderingContext2D.prototype.fillText;
        CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, text: string, x: number, y: number, maxWidth?: number) {
          const width = this.measureText(text).width;
          const align = this.textAlign;
          const left = align === 'center' ? x - width / 2 : align === 'right' || align === 'end' ? x - width : x;
          const origin = this.getTransform().e;
          drawnTexts.push({ text, left: left + origin, right: left + origin + width, canvasWidth: this.canvas.width });
          return fillText.call(this, text, x, y, maxWidth);
        };
      });
      await page.goto(`${chromiumSite.site.url}/packages/requests`);
      await page.waitForFunction(() => performance.getEntriesByName('pypistats:charts-drawn').length === 1);
      for (const lookback of ['30', '60', '90', '120', 'all'] as const) {
        await page.evaluate(() => ((window as unknown as { drawnTexts: unknown[] }).drawnTexts.length = 0));
        await page.getByRole('radio', { name: lookback === 'all' ? 'All' : `${lookback} days`, exact: true }).click();
        await drawn(page, lookback === 'all' ? DAYS : Number(lookback));
        const texts = await page.evaluate(() => (window as unknown as { drawnTexts: { text: string; left: number; right: number; canvasWidth: number }[] }).drawnTexts);
        const dayLabels = texts.filter((t) => /^[A-Z][a-z]{2} \d{1,2}$/.test(t.text));
        expect(dayLabels.length).toBeGreaterThan(4 * 2);
        const outside = dayLabels.filter((t) => t.left < 0 || t.right > t.canvasWidth);
        expect({ width: options.viewport!.width, lookback, outside }).toEqual({ width: options.viewport!.width, lookback, outside: [] });
      }
      if (options === PHONE) await screenshot(page, 'phone-package-axis');
    }
  });

  it('draws 1 year, 2 years and all time by month, from the months kept beyond the days, and shows the all-time total', async () => {
    const page = await open('/packages/requests');
    const days = dayRange(FIRST_DAY, LATEST_DAY);
    const withoutMirrors = (month: string) => days.reduce((sum, day, i) => (day.startsWith(month) ? sum + requestsDownloads(i) : sum), 0);
    const ranges = [
      ['1 year', '1y', 12, '2025-12-01'],
      ['2 years', '2y', 24, '2024-12-01'],
      ['All time', 'history', MONTHS_HELD, '2024-01-01'],
    ] as const;
    for (const [label, lookback, points, firstDay] of ranges) {
      await page.getByRole('radio', { name: label, exact: true }).click();
      for (const state of await drawn(page, points)) expect(state).toMatchObject({ firstDay, lastDay: '2026-11-01', shape: 'downloads/30' });
      expect(new URL(page.url()).searchParams.get('lookback')).toBe(lookback);
      expect(await page.locator('#chart-overall .chart-unit').textContent()).toBe('Downloads per month (UTC)');
    }
    // The legend shows the latest month (in progress), summed from its days; hovering the first, a backfilled one.
    const legend = page.locator('#chart-overall .u-legend .u-series');
    expect(await legend.nth(0).locator('.u-value').textContent()).toBe('2026-11');
    expect(await legend.nth(2).locator('.u-value').textContent()).toBe(withoutMirrors('2026-11').toLocaleString('en-US'));
    const box = (await page.locator('#chart-overall .u-over').boundingBox())!;
    await page.mouse.move(box.x + 2, box.y + box.height / 2);
    await expect.poll(() => legend.nth(0).locator('.u-value').textContent()).toBe('2024-01');
    expect(await legend.nth(2).locator('.u-value').textContent()).toBe(REQUESTS_MONTH_DOWNLOADS.toLocaleString('en-US'));
    // Back to days: a point a day again.
    await page.getByRole('radio', { name: 'All', exact: true }).click();
    await drawn(page, DAYS);
    const allTime = (MONTHS_HELD - 6) * REQUESTS_MONTH_DOWNLOADS + days.reduce((sum, _day, i) => sum + requestsDownloads(i), 0);
    expect(await page.locator('.stat', { hasText: 'All time' }).locator('.stat-value').textContent()).toBe(allTime.toLocaleString('en-US'));
    // A link with a range of months opens on it.
    const linked = await open('/packages/requests?lookback=2y');
    await drawn(linked, 24);
  });

  it('renders dark when the system prefers it, charts included', async () => {
    const page = await open('/packages/__all__', { colorScheme: 'dark', viewport: { width: 1280, height: 900 } });
    await drawn(page, DAYS);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = background.match(/\d+/g)!.map(Number);
    expect((0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255).toBeLessThan(0.15);
    await screenshot(page, 'dark-all-of-pypi');
  });
});
