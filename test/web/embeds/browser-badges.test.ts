/**
 * Badges and README charts as Chromium draws them: every text of a badge inside its box (the
 * widths the browser lays out, not the ones the server wrote), a badge that looks like the
 * committed screenshot within a tolerance, and a chart that follows the viewer's colour scheme.
 * UPDATE_SCREENSHOTS=1 writes the screenshot anew (then look at it before committing it).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { expect, it } from 'vitest';
import { addDays } from '../../../src/domain/dates.js';
import { useChromiumSite } from '../../support/browser.js';
import { describeWith } from '../../support/describe-with.js';
import { chromium } from '../../support/services.js';
import { LATEST_DAY } from '../../support/site-data.js';

const SCREENSHOT = fileURLToPath(new URL('./badge-requests.png', import.meta.url));
/**
 * Share of the badge's pixels that may differ from the screenshot: text is antialiased a little
 * differently by another Chromium or FreeType, but a box, a colour or a text out of place changes
 * far more than this.
 */
const TOLERANCE = 0.02;

describeWith([chromium], 'badges and charts in Chromium', () => {
  const chromiumSite = useChromiumSite();

  it('lays out every text of a badge within its box, as wide as the server measured it', async () => {
    const { page } = await chromiumSite.open();
    for (const query of ['', '?left_text=downloads%20of%20WWWW&units=none', '?period=total&right_color=yellow', '?left_text=%E2%AC%87%20%E5%AE%89%E8%A3%85']) {
      const response = await page.goto(`${chromiumSite.site.url}/badge/requests${query}`);
      expect(response!.status()).toBe(200);
      const layout = await page.$$eval('svg > g:last-of-type > text:not([aria-hidden])', (texts) =>
        texts.map((text) => {
          const element = text as SVGTextElement;
          // Drawn at 10× and scaled by 0.1: the box's pixels are a tenth of the text's units.
          return { drawn: element.getBBox().width / 10, computed: Number(element.getAttribute('textLength')) / 10, centre: Number(element.getAttribute('x')) / 10 };
        }),
      );
      const boxes = await page.$$eval('svg g[clip-path] rect', (rects) => rects.slice(0, 2).map((rect) => ({ x: Number(rect.getAttribute('x') ?? 0), width: Number(rect.getAttribute('width')) })));
      expect(layout).toHaveLength(2);
      layout.forEach((text, i) => {
        // textLength makes the browser draw exactly the width computed, whatever font it has.
        expect(Math.abs(text.drawn - text.computed), query).toBeLessThan(0.5);
        expect(text.centre - text.drawn / 2, query).toBeGreaterThanOrEqual(boxes[i]!.x + 4.5);
        expect(text.centre + text.drawn / 2, query).toBeLessThanOrEqual(boxes[i]!.x + boxes[i]!.width - 4.5);
      });
    }
  });

  it('looks like the committed screenshot of the badge, within a tolerance', async () => {
    const { page } = await chromiumSite.open({ viewport: { width: 300, height: 60 }, deviceScaleFactor: 2 });
    await page.goto(`${chromiumSite.site.url}/badge/requests`);
    const shot = PNG.sync.read(await page.locator('svg').screenshot({ omitBackground: true }));
    if (process.env.UPDATE_SCREENSHOTS === '1') await writeFile(SCREENSHOT, PNG.sync.write(shot));
    const expected = PNG.sync.read(await readFile(SCREENSHOT));
    expect([shot.width, shot.height]).toEqual([expected.width, expected.height]);
    const differing = pixelmatch(shot.data, expected.data, undefined, shot.width, shot.height, { threshold: 0.2 });
    expect(differing / (shot.width * shot.height)).toBeLessThan(TOLERANCE);
  });

  it('shows the badge in a page of another site as an image, and the chart light or dark as the viewer prefers', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page } = await chromiumSite.open({ viewport: { width: 900, height: 400 }, colorScheme });
      await page.goto(`${chromiumSite.site.url}/chart/requests.svg?lookback=90`);
      const background = await page.$eval('svg rect.bg', (rect) => getComputedStyle(rect).fill);
      expect(background).toBe(colorScheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)');
      const title = await page.$eval('svg text.fg', (text) => ({ text: text.textContent, colour: getComputedStyle(text).fill }));
      expect(title.text).toBe('requests: Overall');
      expect(title.colour).toBe(colorScheme === 'dark' ? 'rgb(240, 246, 252)' : 'rgb(31, 35, 40)');
      // No text runs past the 800×300 the chart is drawn in.
      const outside = await page.$$eval('svg text', (texts) =>
        texts.map((text) => (text as SVGTextElement).getBBox()).filter((box) => box.x < 0 || box.y < 0 || box.x + box.width > 800 || box.y + box.height > 300).length,
      );
      expect(outside).toBe(0);
    }
    // An <img> of the badge on a page of another origin (about:blank's): its headers let another site show it.
    const { page } = await chromiumSite.open();
    await page.setContent(`<img alt="downloads" src="${chromiumSite.site.url}/badge/requests">`);
    const loaded = await page.$eval('img', async (image) => {
      await image.decode();
      return { width: image.naturalWidth, height: image.naturalHeight };
    });
    expect(loaded.height).toBe(20);
    expect(loaded.width).toBeGreaterThan(100);
  });

  it('points each chart\'s "Download CSV" at the range shown, and the CSV it gets is that range', async () => {
    const { page } = await chromiumSite.open();
    await page.goto(`${chromiumSite.site.url}/packages/requests?lookback=30`);
    await page.waitForFunction(() => performance.getEntriesByName('pypistats:charts-drawn').length === 1);
    const hrefs = () => page.$$eval('a[data-csv]', (links) => links.map((link) => link.getAttribute('href')!));
    const first = addDays(LATEST_DAY, -29);
    for (const href of await hrefs()) expect(href).toMatch(new RegExp(`^/api/packages/requests/[a-z_]+\\?format=csv&start_date=${first}$`));
    const csv = await page.evaluate(async (href) => (await fetch(href)).text(), (await hrefs())[0]!);
    const days = new Set(csv.trim().split('\r\n').slice(1).map((line) => line.split(',')[1]));
    expect([...days].sort()).toEqual(Array.from({ length: 30 }, (_, i) => addDays(first, i)));
    await page.getByRole('radio', { name: 'All', exact: true }).click();
    for (const href of await hrefs()) expect(href).toMatch(/^\/api\/packages\/requests\/[a-z_]+\?format=csv$/);
  });
});
