/** The human-readable API page (`/api`), generated from the dimension registry. */
import { dimensions, type Dimension } from '../domain/dimensions.js';
import { ALL_PACKAGES, MAX_NAME_LENGTH } from '../domain/names.js';
import type { RateLimits } from '../rate-limit/limiter.js';
import { RECENT_PERIODS } from './responses.js';

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `code` spans for backticked words of the registry's prose; the rest escaped. */
function prose(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function example(path: string): string {
  const href = `/api/packages/${ALL_PACKAGES}/${path}`;
  return `<a href="${escapeHtml(href)}"><code>${escapeHtml(href)}</code></a>`;
}

function exampleSeries(dimension: Dimension): string {
  const categories =
    dimension.categories.kind === 'mirror_split' ? ['with_mirrors', 'without_mirrors'] : dimension.filter.examples;
  const data = categories.map((category) => ({ category, date: '2018-02-08', downloads: 1 }));
  return JSON.stringify({ data, package: 'package_name', type: dimension.responseType }, null, 2);
}

function dimensionSection(dimension: Dimension): string {
  const { filter } = dimension;
  return `<section>
  <h3>GET /api/packages/&lt;package&gt;/${dimension.name}</h3>
  <p>${prose(dimension.description)}</p>
  <ul>
    <li><b>${filter.param}</b> (optional): ${prose(filter.description)} Example: ${example(`${dimension.name}?${filter.param}=${filter.examples[0]}`)}</li>
    <li><b>start_date</b>, <b>end_date</b> (optional, ours): the first and last day, <code>YYYY-MM-DD</code>, inclusive.</li>
  </ul>
  <p>Try it: ${example(dimension.name)}</p>
  <pre><code>${escapeHtml(exampleSeries(dimension))}</code></pre>
</section>`;
}

/** The limits as a sentence: "5 requests a second and 30 a minute", or null when there are none. */
function describeLimits({ perSecond, perMinute }: RateLimits): string | null {
  if (perSecond > 0 && perMinute > 0) return `${perSecond} requests a second and ${perMinute} a minute`;
  if (perSecond > 0) return `${perSecond} requests a second`;
  if (perMinute > 0) return `${perMinute} requests a minute`;
  return null;
}

function rateLimitNote(rateLimit: RateLimits): string {
  const limits = describeLimits(rateLimit);
  if (limits === null) return '<li>This server does not limit how often a client may call the API.</li>';
  return `<li>Each client address may make at most ${limits} to the API; beyond that the answer is <code>429 Too Many Requests</code> with <code>Retry-After</code> (seconds). Answers carry <code>RateLimit-Limit</code>, <code>RateLimit-Remaining</code> and <code>RateLimit-Reset</code>. Revalidations answered <code>304</code> do not count.</li>`;
}

export function apiPage(options: { retentionDays: number; rateLimit: RateLimits }): string {
  const recentExample = JSON.stringify({ data: { last_day: 1, last_month: 2, last_week: 3 }, package: 'package_name', type: 'recent_downloads' }, null, 2);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PyPI Stats API</title>
<style>
  :root { color-scheme: light dark; --fg: #1d2330; --bg: #fff; --muted: #5a6375; --code: #f3f5f8; --link: #1f5fbf; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e3e7ee; --bg: #14171d; --muted: #9aa3b2; --code: #1f242d; --link: #7fb0ff; } }
  body { font: 16px/1.55 system-ui, sans-serif; color: var(--fg); background: var(--bg); max-width: 860px; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
  a { color: var(--link); } h1 { margin-bottom: .2rem; } h3 { margin-top: 2rem; font-family: ui-monospace, monospace; font-size: 1.05rem; }
  code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
  pre { background: var(--code); padding: .8rem 1rem; overflow-x: auto; border-radius: 6px; }
  p.lead { color: var(--muted); margin-top: 0; }
</style>
</head>
<body>
<h1>PyPI Stats API</h1>
<p class="lead">Aggregate download statistics and daily time series for every package on PyPI, as JSON. Compatible with pypistats.org: clients need nothing changed but the host.</p>

<h2>Notes</h2>
<ul>
  <li>All download counts exclude known mirrors (bandersnatch, z3c.pypimirror, Artifactory, devpi) unless noted otherwise.</li>
  <li>Time series are kept for ${options.retentionDays} days, ending at the latest loaded day.</li>
  <li>Data is loaded once a day, for the previous UTC day. Dates are UTC days, <code>YYYY-MM-DD</code>.</li>
  <li>Every endpoint answers under <code>/api/packages/&lt;package&gt;/…</code> and <code>/api/package/&lt;package&gt;/…</code>.</li>
  <li>Package names are normalized as PyPI does (PEP 503): <code>Django_REST.framework</code> is <code>django-rest-framework</code>. <code>${ALL_PACKAGES}</code> stands for all of PyPI.</li>
  <li>Responses carry an <code>ETag</code> that changes only when new data lands; send <code>If-None-Match</code> to get <code>304 Not Modified</code>.</li>
  ${rateLimitNote(options.rateLimit)}
</ul>

<h2>Endpoints</h2>
<section>
  <h3>GET /api/packages/&lt;package&gt;/recent</h3>
  <p>Downloads (without mirrors) over the last day, week (7 days) and month (30 days).</p>
  <ul><li><b>period</b> (optional): ${RECENT_PERIODS.map((p) => `<code>${p}</code>`).join(', ')}. Omitted: all three. Example: ${example('recent?period=week')}</li></ul>
  <p>Try it: ${example('recent')}</p>
  <pre><code>${escapeHtml(recentExample)}</code></pre>
</section>
${dimensions.map(dimensionSection).join('\n')}

<h2>Ordering</h2>
<p>Rows are ordered by category, then date. Python versions sort as versions (<code>2.7</code>, <code>3.9</code>, <code>3.10</code>) with <code>null</code> last; other categories alphabetically. Days without downloads in a category have no row.</p>

<h2>Errors</h2>
<p>Errors are JSON, <code>{"error": "…", "status": 400}</code>, with that HTTP status:</p>
<ul>
  <li><b>400</b>: a parameter value that is not accepted, a malformed or reversed date range, or a name that cannot be a PyPI project (empty, over ${MAX_NAME_LENGTH} characters, or characters other than letters, digits, <code>.</code>, <code>_</code>, <code>-</code>).</li>
  <li><b>404</b>: a package with no downloads in the kept window, or an unknown path.</li>
  <li><b>405</b>: a method other than GET or HEAD.</li>
  <li><b>429</b>: too many requests from one address (see the notes); <code>Retry-After</code> says how many seconds to wait.</li>
</ul>
</body>
</html>`;
}
