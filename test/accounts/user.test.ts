import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/accounts/session.js';
import { appWithData, type TestApp } from '../support/app.js';
import { startGithubStandin, type GithubStandin } from '../support/github-standin.js';
import { row } from '../support/rows.js';
import { accountsConfig, CookieClient } from '../support/sign-in.js';
import { describeEachStore } from '../support/stores.js';

let github: GithubStandin;
beforeAll(async () => {
  github = await startGithubStandin();
});
afterAll(async () => {
  await github?.close();
});

const days = {
  '2026-11-01': [row('requests', 'overall', 'without_mirrors', 10), row('boto3', 'overall', 'without_mirrors', 500), row('django', 'overall', 'without_mirrors', 7)],
  '2026-11-02': [row('requests', 'overall', 'without_mirrors', 30), row('boto3', 'overall', 'without_mirrors', 1), row('django', 'overall', 'without_mirrors', 7)],
};

describeEachStore('the user page', (kind) => {
  let t: TestApp;
  let client: CookieClient;

  beforeEach(async () => {
    t = await appWithData(days, { kind, accounts: accountsConfig(github, { TRACKED_PACKAGES_MAX: '2', TOKEN_RATE_LIMIT_PER_SECOND: '3', TOKEN_RATE_LIMIT_PER_MINUTE: '0' }), rateLimit: { perSecond: 1, perMinute: 0 } });
    github.signInAs({ id: 7, login: 'maintainer' });
    client = new CookieClient(t.app);
    await client.signIn();
  });
  afterEach(async () => {
    await t.close();
  });

  it('sends a signed-out visitor to sign in, and back', async () => {
    const response = await t.app.inject('/user?sort=week');
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/login?next=%2Fuser%3Fsort%3Dweek');
  });

  it('tracks and untracks by POST, with each package’s recent downloads and a sparkline, sortable', async () => {
    const csrf = await client.csrf();
    expect((await client.post('/user/packages', { package: 'Requests', action: 'add', csrf })).headers.location).toBe('/user');
    expect((await client.post('/user/packages', { package: 'boto3', action: 'add', csrf })).statusCode).toBe(303);
    const page = await client.get('/user');
    expect(page.headers['cache-control']).toBe('private, no-store');
    // The spelling is normalized; last day 30, last week 40.
    expect(page.body).toMatch(/<a href="\/packages\/requests">requests<\/a><\/th>\s*<td class="num">30<\/td>\s*<td class="num">40<\/td>/);
    expect(page.body.match(/<svg class="sparkline"/g)).toHaveLength(2);
    const order = (body: string) => [...body.matchAll(/<th scope="row"><a href="\/packages\/([^"]+)"/g)].map((m) => m[1]);
    expect(order(page.body)).toEqual(['boto3', 'requests']);
    expect(order((await client.get('/user?sort=day')).body)).toEqual(['requests', 'boto3']);
    expect(order((await client.get('/user?sort=month')).body)).toEqual(['boto3', 'requests']);
    expect((await client.get('/user?sort=sideways')).statusCode).toBe(400);

    expect((await client.post('/user/packages', { package: 'boto3', action: 'remove', csrf })).statusCode).toBe(303);
    expect(order((await client.get('/user')).body)).toEqual(['requests']);
  });

  it('refuses a package without data, and one past the limit, with a message', async () => {
    const csrf = await client.csrf();
    const unknown = await client.post('/user/packages', { package: 'no-such-package', action: 'add', csrf });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('No downloads of “no-such-package” are recorded here');
    const bad = await client.post('/user/packages', { package: '-bad-', action: 'add', csrf });
    expect(bad.statusCode).toBe(400);
    expect((await client.post('/user/packages', { package: 'requests', action: 'explode', csrf })).statusCode).toBe(400);
    // A form is small: one over the body limit is refused before it is read whole.
    expect((await client.post('/user/packages', { package: 'requests', action: 'add', csrf, next: `/${'x'.repeat(2000)}` })).statusCode).toBe(413);
    await client.post('/user/packages', { package: 'requests', action: 'add', csrf });
    await client.post('/user/packages', { package: 'boto3', action: 'add', csrf });
    const over = await client.post('/user/packages', { package: 'django', action: 'add', csrf });
    expect(over.statusCode).toBe(400);
    expect(over.body).toContain('You track 2 packages, the most this site allows');
    expect(await t.store.accounts.trackedPackages(7)).toEqual(['requests', 'boto3']);
  });

  it('refuses a form without the CSRF token, with a forged one, or with another session’s', async () => {
    const other = new CookieClient(t.app);
    github.signInAs({ id: 8, login: 'other' });
    await other.signIn();
    const othersToken = await other.csrf();
    for (const csrf of [undefined, '', 'forged', othersToken]) {
      const fields: Record<string, string> = { package: 'requests', action: 'add', ...(csrf === undefined ? {} : { csrf }) };
      const response = await client.post('/user/packages', fields);
      expect(response.statusCode, String(csrf)).toBe(403);
      expect((await client.post('/user/tokens', { name: 'x', ...(csrf === undefined ? {} : { csrf }) })).statusCode).toBe(403);
    }
    // Signed out, there is no session to hold a token.
    const signedOut = new CookieClient(t.app);
    expect((await signedOut.post('/user/packages', { package: 'requests', action: 'add', csrf: othersToken })).statusCode).toBe(403);
    expect(await t.store.accounts.trackedPackages(7)).toEqual([]);
    expect(await t.store.accounts.tokens(7)).toEqual([]);
  });

  it('shows a Track button on package pages to a signed-in user only, outside the shared cache', async () => {
    const shared = await t.app.inject('/packages/requests');
    expect(shared.body).not.toContain('action="/user/packages"');
    expect(shared.headers['cache-control']).toMatch(/^public/);
    // A cache keeping the shared page keys it on the cookie: a signed-in user gets their own.
    expect(shared.headers.vary).toBe('accept-encoding, cookie');
    const mine = await client.get('/packages/requests');
    expect(mine.headers['cache-control']).toBe('private, no-store');
    const form = /<form class="track-button"[\s\S]*?<\/form>/.exec(mine.body)![0];
    expect(form).toContain('value="add"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(form)![1]!;
    const tracked = await client.post('/user/packages', { package: 'requests', action: 'add', csrf, next: '/packages/requests' });
    expect(tracked.headers.location).toBe('/packages/requests');
    expect(/<form class="track-button"[\s\S]*?<\/form>/.exec((await client.get('/packages/requests')).body)![0]).toContain('value="remove"');
    // A `next` to another site is not followed.
    expect((await client.post('/user/packages', { package: 'requests', action: 'remove', csrf, next: '//evil.example' })).headers.location).toBe('/');
    // Still the shared page for everyone else, unchanged.
    expect((await t.app.inject('/packages/requests')).body).not.toContain('track-button');
  });

  it('creates a token shown once, counts its requests against its own limit, and refuses it once revoked', async () => {
    const csrf = await client.csrf();
    const created = await client.post('/user/tokens', { name: 'my dashboard', csrf });
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('private, no-store');
    const token = /<code class="new-token">([^<]+)<\/code>/.exec(created.body)![1]!;
    expect(token).toMatch(/^pypistats_[\w-]{43}$/);
    // Shown once: the page after does not have it, and the store has only its hash.
    const page = await client.get('/user');
    expect(page.body).toContain('my dashboard');
    expect(page.body).not.toContain(token);
    const [stored] = await t.store.accounts.tokens(7);

    const api = (headers: Record<string, string> = {}) => t.app.inject({ url: '/api/packages/requests/recent', headers });
    // The address may make one request a second; with the token, three.
    const withToken = [];
    for (let i = 0; i < 4; i++) withToken.push(await api({ authorization: `Bearer ${token}` }));
    expect(withToken.map((r) => r.statusCode)).toEqual([200, 200, 200, 429]);
    expect(withToken[0]!.headers['ratelimit-limit']).toBe('3');
    expect(withToken[3]!.json().error).toContain('per API token');
    expect((await api()).statusCode).toBe(200);
    expect((await api()).statusCode).toBe(429);

    // A dashboard on another site may send the header: the CORS preflight allows it.
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/packages/requests/recent',
      headers: { origin: 'https://dashboard.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toBe('authorization');

    for (const bad of ['Bearer pypistats_' + 'x'.repeat(43), 'Bearer nonsense', 'Basic abc']) {
      const refused = await api({ authorization: bad });
      expect(refused.statusCode, bad).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(refused.json()).toEqual({ error: expect.stringContaining('unknown or revoked'), status: 401 });
    }

    expect((await client.post(`/user/tokens/${stored!.id}/revoke`, { csrf })).statusCode).toBe(303);
    expect((await api({ authorization: `Bearer ${token}` })).statusCode).toBe(401);
    expect((await client.get('/user')).body).toMatch(/revoked \d{4}-\d\d-\d\d/);
    // Revoked, it is not revoked again (nor another user's, see the store's tests); a token needs a name.
    expect((await client.post(`/user/tokens/${stored!.id}/revoke`, { csrf })).statusCode).toBe(404);
    expect((await client.post('/user/tokens', { name: '   ', csrf })).statusCode).toBe(400);
  });

  it('signs out everywhere this cookie goes', async () => {
    await client.post('/logout', { csrf: await client.csrf() });
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect((await client.get('/packages/requests')).body).not.toContain('track-button');
  });
});
