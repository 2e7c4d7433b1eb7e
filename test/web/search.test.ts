import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithData, type TestApp } from '../support/app.js';
import { siteDays } from '../support/site-data.js';

let t: TestApp;

beforeAll(async () => {
  t = await appWithData(siteDays());
});
afterAll(() => t.close());

async function search(url: string) {
  const response = await t.app.inject({ url });
  const names = [...response.body.matchAll(/<li><a href="\/packages\/([^"]+)">/g)].map((m) => m[1]);
  return { status: response.statusCode, location: response.headers.location, body: response.body, names };
}

describe('search', () => {
  it('lists the packages whose name starts with the query, alphabetically, an exact match marked', async () => {
    const result = await search('/search?q=req');
    expect(result.status).toBe(200);
    expect(result.names).toEqual(['requests', 'requests-oauthlib', 'requests-toolbelt']);
    expect(result.body).toContain('3 packages starting with “req”.');
    const exact = await search('/search?q=requests');
    expect(exact.names).toEqual(['requests', 'requests-oauthlib', 'requests-toolbelt']);
    expect(exact.body).toContain('<a href="/packages/requests">requests</a> <span class="badge">exact match</span>');
  });

  it('normalizes the query as PyPI normalizes names', async () => {
    expect((await search('/search?q=Requests_')).names).toEqual(['requests-oauthlib', 'requests-toolbelt']);
    expect((await search('/search?q=%20REQUESTS.Toolbelt%20')).location).toBe('/packages/requests-toolbelt');
    expect((await search('/search?q=zope%20interface')).location).toBe('/packages/zope-interface');
  });

  it('goes straight to the package page when one package matches', async () => {
    const result = await search('/search?q=dj');
    expect(result.status).toBe(302);
    expect(result.location).toBe('/packages/django');
  });

  it('says so when nothing matches', async () => {
    const result = await search('/search?q=nothing-like-this');
    expect(result.status).toBe(200);
    expect(result.names).toEqual([]);
    expect(result.body).toContain('No package name starts with “nothing-like-this”.');
  });

  it('shows a hostile query as text, in the heading, the message and the search box', async () => {
    const hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const result = await search(`/search?q=${encodeURIComponent(hostile)}`);
    expect(result.status).toBe(200);
    expect(result.body).not.toContain('<script>alert');
    expect(result.body).not.toContain('<img src=x');
    expect(result.body).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"');
    expect(result.body).toContain('Search: “&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('shows an empty search page without a query, and takes pypistats.org’s /search/<term>', async () => {
    for (const url of ['/search', '/search?q=', '/search?q=%20%20']) {
      const result = await search(url);
      expect(result.status).toBe(200);
      expect(result.body).toContain('<h1>Search packages</h1>');
    }
    const old = await search('/search/Requests%20Tool');
    expect(old.status).toBe(301);
    expect(old.location).toBe('/search?q=Requests+Tool');
  });
});
