/**
 * The compare page of ten packages (the most it takes), loaded in headless Chromium: the time from
 * navigation to the chart drawn, the median over fresh browser contexts (nothing cached) after a
 * first load that fills the server's page cache.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { addDays, type Day } from '../../src/domain/dates.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { openStore } from '../../src/store/open.js';
import { pypiSizedDay } from '../pypi-sized-day.js';
import { startServer, stop } from '../lib/processes.js';
import { record, round, skipped } from '../lib/results.js';

const LATEST_DAY: Day = '2026-11-24';
/** Issue 16's target: ten packages drawn within 400 ms. */
const TARGET_MS = 400;
const COMPARED = 10;
/** Set by the compare page's script once its chart has drawn (src/web/client/compare-page.ts). */
const DRAWN_MARK = 'pypistats:charts-drawn';
const CHROMIUM = process.env.TEST_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface ComparePageOptions {
  days: number;
  packages: number;
  loads: number;
  withTargets: boolean;
}

async function writeDatabase(dir: string, days: number, packages: number): Promise<string> {
  const file = path.join(dir, 'compare.sqlite');
  const store = await openStore({ kind: 'sqlite', file });
  try {
    for (let i = 0; i < days; i++) {
      const day = addDays(LATEST_DAY, i - (days - 1));
      await store.replaceDay({ day, source: 'bench', summary: null, rows: withAllPackagesTotals(pypiSizedDay(i, { packages, topDownloads: 20_000_000, breakdowns: true })) });
    }
  } finally {
    await store.close();
  }
  return file;
}

async function drawnMs(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length === 1, DRAWN_MARK);
    const series = await page.locator('figure[data-chart="compare"]').getAttribute('data-series');
    if (series !== String(COMPARED)) throw new Error(`the compare chart drew ${series} series, not ${COMPARED}`);
    return await page.evaluate((mark) => performance.getEntriesByName(mark)[0]!.startTime, DRAWN_MARK);
  } finally {
    await context.close();
  }
}

/** The median, or null when there is no Chromium (the scenario is then listed as skipped). */
export async function comparePage(dir: string, options: ComparePageOptions): Promise<number | null> {
  if (!existsSync(CHROMIUM)) {
    skipped.push(`compare-page (no Chromium at ${CHROMIUM}; install Debian's chromium or set TEST_CHROMIUM)`);
    return null;
  }
  const scenario = `compare page, ${COMPARED} packages over ${options.days} days, headless Chromium`;
  const database = await writeDatabase(dir, options.days, options.packages);
  const server = await startServer({ DATABASE_URL: `sqlite:${database}`, DEMO_DATA: 'off', PAGE_RATE_LIMIT_PER_SECOND: '0', PAGE_RATE_LIMIT_PER_MINUTE: '0' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const names = Array.from({ length: COMPARED }, (_, i) => `package-${i + 1}`);
    const url = `${server.url}/compare?packages=${names.join(',')}`;
    // The first load renders the page into the server's cache and warms the browser; not counted.
    await drawnMs(browser, url);
    const times: number[] = [];
    for (let i = 0; i < options.loads; i++) times.push(await drawnMs(browser, url));
    times.sort((a, b) => a - b);
    const ms = round(times[Math.floor(times.length / 2)]!);
    const target = options.withTargets ? { target: `< ${TARGET_MS} ms`, met: ms < TARGET_MS } : {};
    record({ scenario, measure: `navigation to the chart drawn (median of ${times.length} loads, nothing cached in the browser)`, value: ms, unit: 'ms', ...target });
    record({ scenario, measure: 'slowest of the loads', value: round(times.at(-1)!), unit: 'ms' });
    return ms;
  } finally {
    await browser.close();
    await stop(server);
  }
}
