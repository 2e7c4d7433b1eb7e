/** The compare page as the server renders it: the list in the URL, its errors, the chart data and the share tables. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackageCharts } from '../../src/web/chart-data.js';
import { appWithData, type TestApp } from '../support/app.js';
import { DAYS, siteDays } from '../support/site-data.js';

let t: TestApp;

beforeAll(async () => {
  t = await appWithData(siteDays());
});
afterAll(() => t.close());

async function get(url: string) {
  const response = await t.app.inject({ url });
  return { status: response.statusCode, headers: response.headers, body: response.body };
}

function chartData(body: string): PackageCharts {
  return JSON.parse(/<script type="application\/json" id="compare-data">([\s\S]*?)<\/script>/.exec(body)![1]!) as PackageCharts;
}

describe('the compare page', () => {
  it('draws one series per package in the URL’s order, with a link to remove each and a form to add one', async () => {
    const response = await get('/compare?packages=django,requests');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const chart = chartData(response.body).charts[0]!;
    expect(chart.downloads.map((series) => series.label)).toEqual(['django', 'requests']);
    expect(chart.downloads[0]!.values).toHaveLength(DAYS);
    expect(new Set(chart.downloads.map((series) => series.colour)).size).toBe(2);
    expect(response.body).toContain('<a class="remove" href="/compare?packages=requests" aria-label="Remove django">');
    expect(response.body).toContain('<a class="remove" href="/compare?packages=django" aria-label="Remove requests">');
    expect(response.body).toContain('<input type="hidden" name="packages" value="django,requests">');
  });

  it('has a table of shares per breakdown of global scope, each package’s shares of the same categories', async () => {
    const body = (await get('/compare?packages=django,requests')).body;
    const tables = [...body.matchAll(/data-dimension="([a-z_]+)"/g)].map((m) => m[1]);
    expect(tables).toEqual(['python_major', 'python_minor', 'system', 'installer', 'ci', 'country', 'implementation', 'cpu', 'libc', 'distro', 'file_type']);
    const system = body.slice(body.indexOf('data-dimension="system"'));
    const header = /<thead><tr>([\s\S]*?)<\/tr><\/thead>/.exec(system)![1]!;
    expect(header).toBe('<th scope="col">Share of downloads</th><th scope="col">django</th><th scope="col">requests</th>');
    const firstRow = /<tbody><tr>([\s\S]*?)<\/tr>/.exec(system)![1]!;
    expect(firstRow).toMatch(/^<th scope="row">[^<]+<\/th><td class="num">[\d.]+ %<\/td><td class="num">[\d.]+ %<\/td>$/);
  });

  it('folds `add` into the list and spells every list one way (normalized, each once)', async () => {
    expect((await get('/compare?packages=requests&add=Django')).headers.location).toBe('/compare?packages=requests,django');
    const spelled = await get('/compare?packages=Requests,requests,zope.interface');
    expect([spelled.status, spelled.headers.location]).toEqual([301, '/compare?packages=requests,zope-interface']);
    expect((await get('/compare?packages=requests%2Cdjango')).headers.location).toBe('/compare?packages=requests,django');
  });

  it('says which names have no downloads and leaves them out', async () => {
    const response = await get('/compare?packages=requests,no-such-package');
    expect(response.status).toBe(200);
    expect(response.body).toContain('No downloads are known of <strong>no-such-package</strong>: left out.');
    expect(chartData(response.body).charts[0]!.downloads.map((series) => series.label)).toEqual(['requests']);
  });

  it('answers more than ten packages, or a name that cannot be one, with a 400 page that says so', async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `pkg-${i}`).join(',');
    const many = await get(`/compare?packages=${eleven}`);
    expect(many.status).toBe(400);
    expect(many.body).toContain('One page compares at most 10 packages; 11 were asked.');
    expect(many.body).toContain('href="/compare?packages=pkg-0,pkg-1,pkg-2,pkg-3,pkg-4,pkg-5,pkg-6,pkg-7,pkg-8,pkg-9"');
    const bad = await get('/compare?packages=requests,-bad-');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('“-bad-” cannot be a package');
    expect(bad.body).toContain('href="/compare?packages=requests"');
  });

  it('with no package yet, asks for one', async () => {
    const response = await get('/compare');
    expect(response.status).toBe(200);
    expect(response.body).toContain('No package yet: add one below.');
    expect(response.body).not.toContain('id="compare-data"');
  });

  it('is linked from each package page', async () => {
    expect((await get('/packages/requests')).body).toContain('<a class="compare-link" href="/compare?packages=requests">Compare with…</a>');
  });
});

describe('the search as JSON, for the suggestions', () => {
  it('gives the names the site search finds', async () => {
    const response = await get('/search.json?q=Requests_');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body)).toEqual({ more: false, names: ['requests-oauthlib', 'requests-toolbelt'] });
    expect(JSON.parse((await get('/search.json?q=')).body)).toEqual({ more: false, names: [] });
  });
});
