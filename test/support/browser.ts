/**
 * Debian's Chromium, driven by playwright-core (never a downloaded browser), for the website's
 * browser tests. Every page is watched: a console error, an uncaught error, a failed asset, a
 * dialog (what an injected script would open) or a request to any host but this machine is a
 * problem the test reports, and such requests are stopped before they leave.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium as playwright, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { chromium } from './services.js';
import { startSiteServer, type SiteServer } from './site-server.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Screenshots are kept here (not in git) for people to look at. */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/website/', import.meta.url));

export function launchChromium(): Promise<Browser> {
  return playwright.launch({ executablePath: chromium.value!, args: CHROMIUM_ARGS });
}

export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
export const PHONE: BrowserContextOptions = { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

export interface WatchedPage {
  page: Page;
  /** Every URL the page asked for. */
  requests: string[];
  /** Console errors, uncaught errors, dialogs and requests that would have left this machine. */
  problems: string[];
  close(): Promise<void>;
}

function isLocal(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:' || protocol === 'about:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

export async function watchedPage(browser: Browser, options: BrowserContextOptions = DESKTOP): Promise<WatchedPage> {
  const context = await browser.newContext(options);
  const requests: string[] = [];
  const problems: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    return isLocal(url) ? route.continue() : route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('request', (request) => {
    requests.push(request.url());
    if (!isLocal(request.url())) problems.push(`a request left this machine: ${request.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // A 404 page's own status is logged as a failed load; the tests check page statuses themselves.
    const documentStatus = message.text().startsWith('Failed to load resource') && message.location().url === page.url();
    if (!documentStatus) problems.push(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== 'document') {
      problems.push(`${response.url()} answered ${response.status()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught error on ${page.url()}: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`a dialog opened on ${page.url()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  let closed: Promise<void> | undefined;
  // Idempotent: a test may close a page early, and its suite closes every page after the test.
  return { page, requests, problems, close: () => (closed ??= context.close()) };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

/** Presses Tab until `selector` has the focus, as a keyboard user would walk to it. */
export async function tabTo(page: Page, selector: string, maxPresses = 60): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    if (await page.locator(selector).evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} never got the focus after ${maxPresses} presses of Tab`);
}

export interface ChromiumSite {
  /** The site under test (set before the suite's first test). */
  readonly site: SiteServer;
  /** A new watched page; the suite checks after each test that it saw no problems, and closes it. */
  open(options?: BrowserContextOptions): Promise<WatchedPage>;
}

/**
 * For a suite: the website with its stand-ins, and Chromium, started once and closed after.
 * `env`: more of the server's environment.
 */
export function useChromiumSite(env: Record<string, string> = {}): ChromiumSite {
  let site: SiteServer | undefined;
  let browser: Browser | undefined;
  const opened: WatchedPage[] = [];
  beforeAll(async () => {
    [site, browser] = await Promise.all([startSiteServer(env), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
  afterEach(async () => {
    const pages = opened.splice(0);
    for (const page of pages) await page.close();
    expect(pages.flatMap((page) => page.problems)).toEqual([]);
  });
  return {
    get site() {
      if (!site) throw new Error('the site starts in beforeAll');
      return site;
    },
    async open(options = DESKTOP) {
      const page = await watchedPage(browser!, options);
      opened.push(page);
      return page;
    },
  };
}
