/**
 * The package page of a popular package with 180 days of data (every Python minor and system,
 * counts in the millions, PyPI's metadata from the stand-in), loaded in headless Chromium: bytes
 * transferred in all (page, styles, script, icon) and the time from navigation to every chart
 * drawn, the median over fresh browser contexts (nothing cached), next to the targets. Then a
 * few loads more, traced, recorded as where the time went (bench/lib/page-trace.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { addDays, type Day } from '../../src/domain/dates.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { openStore } from '../../src/store/open.js';
import { startPypiStandIn } from '../../test/support/pypi-standin.js';
import { pypiSizedDay } from '../pypi-sized-day.js';
import { traceLoad, type PageTrace } from '../lib/page-trace.js';
import { startServer, stop } from '../lib/processes.js';
import { record, round, skipped } from '../lib/results.js';

const DAYS = 180;
const LATEST_DAY: Day = '2026-11-24';
const PACKAGE = 'package-1';
const TARGET_KB = 150;
const TARGET_MS = 300;
/** Traced loads: the one with the median time is recorded. */
const TRACED_LOADS = 3;
/** Set by the page's script once every chart has drawn (src/web/client/package-page.ts). */
const DRAWN_MARK = 'pypistats:charts-drawn';
const CHROMIUM = process.env.TEST_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

interface Load {
  bytes: number;
  ms: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** 180 PyPI-like days of 200 packages, `package-1` the most popular, loaded through a store. */
async function writeDatabase(dir: string): Promise<string> {
  const file = path.join(dir, 'pages.sqlite');
  const store = await openStore({ kind: 'sqlite', file });
  try {
    for (let i = 0; i < DAYS; i++) {
      const day = addDays(LATEST_DAY, i - (DAYS - 1));
      await store.replaceDay({ day, source: 'bench', summary: null, rows: withAllPackagesTotals(pypiSizedDay(i, { packages: 200, topDownloads: 20_000_000 })) });
    }
  } finally {
    await store.close();
  }
  return file;
}

/** Loads `url` in `context`'s page, counting every byte the browser receives (headers included). */
async function load(browser: Browser, url: string, visits: number): Promise<Load[]> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    let bytes = 0;
    cdp.on('Network.loadingFinished', (event) => (bytes += event.encodedDataLength));
    const loads: Load[] = [];
    for (let visit = 0; visit < visits; visit++) {
      bytes = 0;
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForFunction((mark) => performance.getEntriesByName(mark).length === 1, DRAWN_MARK);
      const ms = await page.evaluate((mark) => performance.getEntriesByName(mark)[0]!.startTime, DRAWN_MARK);
      loads.push({ bytes, ms });
    }
    return loads;
  } finally {
    await context.close();
  }
}

export async function pages(dir: string, options: { loads: number }): Promise<void> {
  const scenario = `package page, ${DAYS} days of a popular package, headless Chromium`;
  if (!existsSync(CHROMIUM)) {
    skipped.push(`pages (no Chromium at ${CHROMIUM}; install Debian's chromium or set TEST_CHROMIUM)`);
    return;
  }
  const database = await writeDatabase(dir);
  const requests = JSON.parse(await readFile(new URL('../../test/support/pypi-json/requests.json', import.meta.url), 'utf8'));
  const pypi = await startPypiStandIn({ packages: { [PACKAGE]: { ...requests, info: { ...requests.info, name: PACKAGE } } } });
  const server = await startServer({ DATABASE_URL: `sqlite:${database}`, DEMO_DATA: 'off', PYPI_URL: pypi.url });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const url = `${server.url}/packages/${PACKAGE}`;
    // The first load fills the server's caches and warms the browser; it is not counted.
    await load(browser, url, 1);
    const fresh: Load[] = [];
    for (let i = 0; i < options.loads; i++) fresh.push(...(await load(browser, url, 1)));
    const repeat = (await load(browser, url, 2))[1]!;
    const traces: PageTrace[] = [];
    for (let i = 0; i < TRACED_LOADS; i++) traces.push(await traceLoad(browser, url, DRAWN_MARK));
    const traced = traces.sort((a, b) => a.ms - b.ms)[Math.floor(TRACED_LOADS / 2)]!;

    const kb = round(median(fresh.map((l) => l.bytes)) / 1024);
    const ms = round(median(fresh.map((l) => l.ms)));
    const of = `median of ${options.loads} loads, nothing cached`;
    record({ scenario, measure: `bytes transferred in all (${of})`, value: kb, unit: 'KB', target: `< ${TARGET_KB} KB`, met: kb < TARGET_KB });
    record({ scenario, measure: 'bytes as a share of the target', value: round((kb / TARGET_KB) * 100), unit: '%' });
    record({ scenario, measure: `navigation to every chart drawn (${of})`, value: ms, unit: 'ms', target: `< ${TARGET_MS} ms`, met: ms < TARGET_MS });
    record({ scenario, measure: 'time as a share of the target', value: round((ms / TARGET_MS) * 100), unit: '%' });
    record({ scenario, measure: 'slowest of the loads', value: round(Math.max(...fresh.map((l) => l.ms))), unit: 'ms' });
    record({ scenario, measure: 'repeat visit: bytes (page and assets from the browser cache)', value: round(repeat.bytes / 1024), unit: 'KB' });
    record({ scenario, measure: 'repeat visit: navigation to every chart drawn', value: round(repeat.ms), unit: 'ms' });
    const tracedOf = `median of ${TRACED_LOADS} traced loads, nothing cached; tracing slows a load`;
    record({ scenario, measure: `traced load: navigation to every chart drawn (${tracedOf})`, value: traced.ms, unit: 'ms' });
    for (const { name, ms } of traced.milestones) record({ scenario, measure: `traced load: ${name}, from navigation`, value: ms, unit: 'ms' });
    for (const { name, ms } of traced.parts) record({ scenario, measure: `traced load, page's main thread until every chart drawn: ${name}`, value: ms, unit: 'ms' });
  } finally {
    await browser.close();
    await stop(server);
    await pypi.close();
  }
}
