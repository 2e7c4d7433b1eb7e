import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accounts as parseAccounts } from '../../src/config/accounts.js';
import { SESSION_COOKIE } from '../../src/accounts/session.js';
import { appOver, appWithData, type TestApp } from '../support/app.js';
import { startGithubStandin, type GithubStandin } from '../support/github-standin.js';
import { row } from '../support/rows.js';
import { accountsConfig, CookieClient } from '../support/sign-in.js';

let github: GithubStandin;
let t: TestApp;

beforeAll(async () => {
  github = await startGithubStandin();
  t = await appWithData({ '2026-11-01': [row('requests', 'overall', 'without_mirrors', 10)] }, { accounts: accountsConfig(github) });
});
afterAll(async () => {
  await t?.close();
  await github?.close();
});
beforeEach(() => github.signInAs({ id: 101, login: 'Octo-Cat' }));

describe('GitHub sign-in', () => {
  it('sends the browser to GitHub with a state, and back to the path it came from, signed in', async () => {
    const client = new CookieClient(t.app);
    const login = await client.get('/login?next=/packages/requests');
    expect(login.statusCode).toBe(302);
    const authorize = new URL(login.headers.location as string);
    expect(authorize.origin + authorize.pathname).toBe(`${github.url}/login/oauth/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe(github.clientId);
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('redirect_uri')).toBe('http://localhost:80/login/callback');

    const callback = await client.signIn('/packages/requests');
    expect(callback.statusCode).toBe(302);
    expect(callback.headers.location).toBe('/packages/requests');
    const cookie = (callback.cookies as { name: string; httpOnly?: boolean; sameSite?: string; secure?: boolean }[]).find((c) => c.name === SESSION_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(cookie.secure).toBeFalsy();
    // The code went to GitHub's token endpoint with the client's credentials, asking for JSON.
    expect(github.tokenRequests.at(-1)).toMatchObject({ accept: 'application/json', body: { client_id: github.clientId, client_secret: github.clientSecret } });

    const user = await client.get('/user');
    expect(user.statusCode).toBe(200);
    expect(user.headers['cache-control']).toBe('private, no-store');
    expect(user.body).toContain('Signed in as Octo-Cat');
    expect(await t.store.accounts.user(101)).toMatchObject({ login: 'Octo-Cat' });
  });

  it('keys the user by GitHub id: a renamed user keeps their packages, with the new login', async () => {
    const client = new CookieClient(t.app);
    await client.signIn();
    await client.post('/user/packages', { package: 'requests', action: 'add', csrf: await client.csrf() });
    github.signInAs({ id: 101, login: 'renamed' });
    const again = new CookieClient(t.app);
    await again.signIn();
    const page = await again.get('/user');
    expect(page.body).toContain('Signed in as renamed');
    expect(page.body).toContain('href="/packages/requests"');
    await again.post('/user/packages', { package: 'requests', action: 'remove', csrf: await again.csrf() });
  });

  it('marks the session cookie Secure when served over HTTPS (a trusted proxy says so)', async () => {
    const app = await appOver(t.store, { accounts: accountsConfig(github), trustedProxies: ['127.0.0.1'] });
    try {
      const client = new CookieClient(app);
      const login = await client.request({ method: 'GET', url: '/login', headers: { 'x-forwarded-proto': 'https' } });
      const cookies = login.cookies as { name: string; secure?: boolean }[];
      expect(cookies.map((c) => c.name)).toContain(SESSION_COOKIE);
      // The session and the sign-in's PKCE verifier alike.
      for (const cookie of cookies) expect(cookie.secure, cookie.name).toBe(true);
      expect(new URL(login.headers.location as string).searchParams.get('redirect_uri')).toBe('https://localhost:80/login/callback');
    } finally {
      await app.close();
    }
  });

  it('refuses a callback whose state is not the one this browser was given, and leaves no session', async () => {
    const client = new CookieClient(t.app);
    const callback = await client.signIn('/user', (url) => url.searchParams.set('state', 'forged-state'));
    expect(callback.statusCode).toBe(400);
    expect(callback.body).toContain('state');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect((await client.get('/user')).statusCode).toBe(302);
  });

  it('refuses a callback with no state, and one from another browser', async () => {
    const first = new CookieClient(t.app);
    const login = await first.get('/login');
    const authorize = await fetch(login.headers.location as string, { redirect: 'manual' });
    const callback = new URL(authorize.headers.get('location')!);
    // Another browser (no cookie of this sign-in) brought the code back: login CSRF.
    const other = new CookieClient(t.app);
    expect((await other.get(`${callback.pathname}${callback.search}`)).statusCode).toBe(400);
    callback.searchParams.delete('state');
    expect((await first.get(`${callback.pathname}${callback.search}`)).statusCode).toBe(400);
    expect(first.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('answers a token exchange GitHub refuses with an error page and no session', async () => {
    const client = new CookieClient(t.app);
    github.fail({ tokenExchange: true });
    const callback = await client.signIn('/user');
    expect(callback.statusCode).toBe(400);
    expect(callback.body).toContain('The code passed is incorrect or expired.');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('answers 502 when GitHub is down or its API fails, with no session', async () => {
    const client = new CookieClient(t.app);
    github.fail({ userStatus: 503 });
    const failed = await client.signIn('/user');
    expect(failed.statusCode).toBe(502);
    expect(failed.body).toContain('503');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);

    const down = await startGithubStandin();
    const url = down.url;
    await down.close();
    const app = await appOver(t.store, { accounts: parseAccounts({ GITHUB_CLIENT_ID: github.clientId, GITHUB_CLIENT_SECRET: github.clientSecret, GITHUB_URL: url, GITHUB_API_URL: url, SESSION_SECRET: 'x'.repeat(32) }) });
    try {
      const offline = new CookieClient(app);
      const login = await offline.get('/login');
      // The browser could not reach GitHub either; a callback it brings anyway cannot be exchanged.
      const state = new URL(login.headers.location as string).searchParams.get('state')!;
      const callback = await offline.get(`/login/callback?code=anything&state=${state}`);
      expect(callback.statusCode).toBe(502);
      expect(offline.cookies.has(SESSION_COOKIE)).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('returns only to a path of this site', async () => {
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '/ok\u0000', 'evil.example']) {
      const client = new CookieClient(t.app);
      const callback = await client.signIn(next);
      expect(callback.statusCode, next).toBe(302);
      expect(callback.headers.location, next).toBe('/');
    }
    const client = new CookieClient(t.app);
    expect((await client.signIn('/user?sort=month')).headers.location).toBe('/user?sort=month');
  });

  it('signs out by POST with the CSRF token only', async () => {
    const client = new CookieClient(t.app);
    await client.signIn();
    expect((await client.post('/logout', {})).statusCode).toBe(403);
    expect((await client.post('/logout', { csrf: 'forged' })).statusCode).toBe(403);
    expect((await client.get('/user')).statusCode).toBe(200);
    expect((await client.get('/logout')).statusCode).toBe(404);
    const out = await client.post('/logout', { csrf: await client.csrf() });
    expect(out.statusCode).toBe(303);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect((await client.get('/user')).headers.location).toBe('/login?next=%2Fuser');
  });

  it('rotates the session at sign-in: the cookie from before is not the one after', async () => {
    const client = new CookieClient(t.app);
    await client.get('/login');
    const before = client.cookies.get(SESSION_COOKIE);
    await client.signIn();
    const after = client.cookies.get(SESSION_COOKIE);
    expect(before).toBeDefined();
    expect(after).not.toBe(before);
    // The sign-in's state went with the old content: the same callback cannot be replayed into a session.
  });

  it('takes no session cookie made with another secret', async () => {
    const client = new CookieClient(t.app);
    await client.signIn();
    const other = await appOver(t.store, { accounts: accountsConfig(github, { SESSION_SECRET: 'another secret, also longer than 32 bytes' }) });
    try {
      client.app = other;
      expect((await client.get('/user')).statusCode).toBe(302);
    } finally {
      await other.close();
    }
  });

  it('shares sessions between instances with one secret', async () => {
    const client = new CookieClient(t.app);
    await client.signIn();
    const csrf = await client.csrf();
    const second = await appOver(t.store, { accounts: accountsConfig(github) });
    try {
      client.app = second;
      expect((await client.get('/user')).statusCode).toBe(200);
      // A form of one instance is accepted by the other.
      expect((await client.post('/user/packages', { package: 'requests', action: 'add', csrf })).statusCode).toBe(303);
      expect(await t.store.accounts.trackedPackages(101)).toContain('requests');
      await client.post('/user/packages', { package: 'requests', action: 'remove', csrf });
    } finally {
      await second.close();
    }
  });
});

describe('sign-in off (no GitHub variables)', () => {
  it('hides sign-in: its routes answer 404 and pages have no account link', async () => {
    const off = await appOver(t.store);
    try {
      for (const url of ['/login', '/login/callback', '/user', '/admin']) expect((await off.inject(url)).statusCode, url).toBe(404);
      for (const url of ['/logout', '/user/packages', '/user/tokens']) expect((await off.inject({ method: 'POST', url })).statusCode, url).toBe(404);
      expect((await off.inject('/')).body).not.toContain('href="/user"');
      expect((await t.app.inject('/')).body).toContain('href="/user"');
      // The /api page tells of tokens only where there are some.
      expect((await off.inject('/api')).body).not.toContain('Authorization: Bearer');
      expect((await t.app.inject('/api')).body).toContain("counted against the token's own limit (50 requests a second and 3000 a minute)");
    } finally {
      await off.close();
    }
  });
});

describe('accounts configuration', () => {
  const base = { GITHUB_CLIENT_ID: 'id', GITHUB_CLIENT_SECRET: 'secret' };
  it('needs SESSION_SECRET of 32 bytes or more when sign-in is on', () => {
    expect(() => parseAccounts(base)).toThrow(/SESSION_SECRET/);
    expect(() => parseAccounts({ ...base, SESSION_SECRET: 'short' })).toThrow(/at least 32 bytes/);
    expect(parseAccounts({ ...base, SESSION_SECRET: 'x'.repeat(32) }).github).toMatchObject({ url: 'https://github.com', apiUrl: 'https://api.github.com' });
  });
  it('is off without the GitHub variables, and refuses half of them or admins without sign-in', () => {
    expect(parseAccounts({})).toMatchObject({ github: null, adminGithubUsers: [], trackedPackagesMax: 20, tokenRateLimit: { perSecond: 50, perMinute: 3000 } });
    expect(() => parseAccounts({ GITHUB_CLIENT_ID: 'id' })).toThrow(/go together/);
    expect(() => parseAccounts({ ADMIN_GITHUB_USERS: 'octocat' })).toThrow(/needs sign-in/);
    expect(() => parseAccounts({ ...base, SESSION_SECRET: 'x'.repeat(32), ADMIN_GITHUB_USERS: 'not a login' })).toThrow(/not a GitHub login/);
    expect(parseAccounts({ ...base, SESSION_SECRET: 'x'.repeat(32), ADMIN_GITHUB_USERS: ' Octo-Cat , b ' }).adminGithubUsers).toEqual(['octo-cat', 'b']);
  });
});
