/** The whole sign-in flow in Chromium against the GitHub stand-in: sign in, track, untrack, sign out. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshot, watchedPage, type WatchedPage } from '../support/browser.js';
import { describeWith } from '../support/describe-with.js';
import { startGithubStandin, type GithubStandin } from '../support/github-standin.js';
import { chromium } from '../support/services.js';
import { TEST_SESSION_SECRET } from '../support/sign-in.js';
import { startSiteServer, type SiteServer } from '../support/site-server.js';

describeWith([chromium], 'signing in with GitHub in Chromium', () => {
  let github: GithubStandin;
  let site: SiteServer;
  let browser: Browser;
  let watched: WatchedPage | undefined;

  beforeAll(async () => {
    github = await startGithubStandin();
    [site, browser] = await Promise.all([
      startSiteServer({
        GITHUB_CLIENT_ID: github.clientId,
        GITHUB_CLIENT_SECRET: github.clientSecret,
        GITHUB_URL: github.url,
        GITHUB_API_URL: github.url,
        SESSION_SECRET: TEST_SESSION_SECRET,
      }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await watched?.close();
    await browser?.close();
    await site?.close();
    await github?.close();
  });

  it('signs in from a package page, tracks it, finds it on /user, untracks it and signs out', async () => {
    github.signInAs({ id: 583231, login: 'octocat' });
    watched = await watchedPage(browser);
    const { page } = watched;
    await page.goto(`${site.url}/packages/requests`);
    // Signed out: the shared page, no Track button.
    expect(await page.locator('.track-button').count()).toBe(0);
    await page.click('a.account-link');
    // /user sends to sign in, GitHub (the stand-in) approves, and the browser comes back to /user.
    await page.waitForURL(`${site.url}/user`);
    expect(await page.locator('.eyebrow').first().textContent()).toBe('Signed in as octocat');
    expect(await page.locator('#tracked-heading').textContent()).toContain('0 of 20');

    await page.goto(`${site.url}/packages/requests`);
    await page.click('.track-button button');
    await page.waitForURL(`${site.url}/packages/requests`);
    expect(await page.locator('.track-button button').textContent()).toBe('Untrack');
    await screenshot(page, 'package-page-signed-in');

    await page.goto(`${site.url}/user`);
    expect(await page.locator('tbody th a').allTextContents()).toEqual(['requests']);
    expect(await page.locator('svg.sparkline').count()).toBe(1);
    await screenshot(page, 'user-page');

    // Untrack from /user; then track another through the form, by a name as typed.
    await page.click('tbody button:has-text("Untrack")');
    await page.waitForURL(`${site.url}/user`);
    expect(await page.locator('tbody th a').count()).toBe(0);
    await page.fill('#track-package', 'Requests');
    await page.click('.track-form button:has-text("Track")');
    await page.waitForURL(`${site.url}/user`);
    expect(await page.locator('tbody th a').allTextContents()).toEqual(['requests']);
    await page.click('tbody button:has-text("Untrack")');
    await page.waitForURL(`${site.url}/user`);

    await page.click('button:has-text("Sign out")');
    await page.waitForURL(`${site.url}/`);
    await page.goto(`${site.url}/packages/requests`);
    expect(await page.locator('.track-button').count()).toBe(0);
    const cookies = await page.context().cookies();
    expect(cookies.find((cookie) => cookie.name === 'pypistats_session')).toBeUndefined();
    expect(watched.problems).toEqual([]);
  });
});
