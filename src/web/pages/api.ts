/** `/api`: the JSON API's contract for people, generated from the dimension registry, with live examples. */
import { RECENT_PERIODS } from '../../api/responses.js';
import { seedDimensions as dimensions, WITH_MIRRORS, WITHOUT_MIRRORS, type Dimension } from '../../domain/dimensions.js';
import { ALL_PACKAGES, MAX_NAME_LENGTH } from '../../domain/names.js';
import type { RateLimits } from '../../rate-limit/limiter.js';
import type { Assets } from '../assets.js';
import { codeSpans, html, type Html } from '../html.js';
import { renderPage } from '../layout.js';

function example(path: string) {
  const href = `/api/packages/${ALL_PACKAGES}/${path}`;
  return html`<a href="${href}"><code>${href}</code></a>`;
}

function exampleJson(value: unknown) {
  return html`<pre><code>${JSON.stringify(value, null, 2)}</code></pre>`;
}

function exampleSeries(dimension: Dimension) {
  const categories = dimension.categories.kind === 'mirror_split' ? [WITH_MIRRORS, WITHOUT_MIRRORS] : dimension.filter.examples;
  const data = categories.map((category) => ({ category, date: '2018-02-08', downloads: 1 }));
  return exampleJson({ data, package: 'package_name', type: dimension.responseType });
}

function endpoint(name: string, description: string, parameters: Html[], body: Html) {
  return html`<section class="card endpoint" id="${name}">
  <h3><span class="method">GET</span> /api/packages/&lt;package&gt;/${name}</h3>
  <p>${description}</p>
  <ul>${parameters.map((parameter) => html`<li>${parameter}</li>`)}</ul>
  <p>Try it: ${example(name)}</p>
  ${body}
</section>`;
}

function dimensionSection(dimension: Dimension) {
  const { filter } = dimension;
  return endpoint(
    dimension.name,
    dimension.description,
    [
      html`<b>${filter.param}</b> (optional): ${codeSpans(filter.description)} Example: ${example(`${dimension.name}?${filter.param}=${filter.examples[0]}`)}`,
      html`<b>start_date</b>, <b>end_date</b> (optional, ours): the first and last day, <code>YYYY-MM-DD</code>, inclusive.`,
    ],
    exampleSeries(dimension),
  );
}

/** The limits as a sentence: "5 requests a second and 30 a minute", or null when there are none. */
function describeLimits({ perSecond, perMinute }: RateLimits): string | null {
  if (perSecond > 0 && perMinute > 0) return `${perSecond} requests a second and ${perMinute} a minute`;
  if (perSecond > 0) return `${perSecond} requests a second`;
  if (perMinute > 0) return `${perMinute} requests a minute`;
  return null;
}

function rateLimitNote(rateLimit: RateLimits) {
  const limits = describeLimits(rateLimit);
  if (limits === null) return html`<li>This server does not limit how often a client may call the API.</li>`;
  return html`<li>Each client address may make at most ${limits} to the API; beyond that the answer is <code>429 Too Many Requests</code> with <code>Retry-After</code> (seconds). Answers carry <code>RateLimit-Limit</code>, <code>RateLimit-Remaining</code> and <code>RateLimit-Reset</code>. Revalidations answered <code>304</code> cost nothing while the client is within its limit; over it, they are refused <code>429</code> too. <code>If-None-Match: *</code> counts like any request.</li>`;
}

export interface ApiPageOptions {
  retentionDays: number;
  mirrorInstallers: readonly string[];
  rateLimit: RateLimits;
}

export function apiPage(assets: Assets, options: ApiPageOptions): string {
  const body = html`<div class="page-head">
  <div>
    <h1>PyPI Stats API</h1>
    <p class="lead">Aggregate download statistics and daily time series for every package on PyPI, as JSON. Compatible with pypistats.org: clients need nothing changed but the host.</p>
  </div>
</div>
<div class="prose">
<h2>Notes</h2>
<ul>
  <li>All download counts exclude known mirrors (${options.mirrorInstallers.join(', ')}) unless noted otherwise.</li>
  <li>Time series are kept for ${options.retentionDays} days, ending at the latest loaded day.</li>
  <li>Data is loaded once a day, for the previous UTC day. Dates are UTC days, <code>YYYY-MM-DD</code>.</li>
  <li>Every endpoint answers under <code>/api/packages/&lt;package&gt;/…</code> and <code>/api/package/&lt;package&gt;/…</code>.</li>
  <li>Package names are normalized as PyPI does (PEP 503): <code>Django_REST.framework</code> is <code>django-rest-framework</code>. <code>${ALL_PACKAGES}</code> (in any case) stands for all of PyPI.</li>
  <li>Parameter values are case-insensitive on every endpoint (<code>period=WEEK</code>, <code>mirrors=TRUE</code>, <code>version=NULL</code>, <code>os=Linux</code>); parameter names are not. A parameter an endpoint does not take is a 400 naming it, so a typo is never silently ignored.</li>
  <li>Responses carry an <code>ETag</code> that changes only when new data lands; send <code>If-None-Match</code> to get <code>304 Not Modified</code>.</li>
  ${rateLimitNote(options.rateLimit)}
</ul>

<h2>Endpoints</h2>
${endpoint(
  'recent',
  'Downloads (without mirrors) over the last day, week (7 days) and month (30 days).',
  [html`<b>period</b> (optional): ${RECENT_PERIODS.map((period, i) => html`${i > 0 ? ', ' : ''}<code>${period}</code>`)}. Omitted: all three. Example: ${example('recent?period=week')}`],
  exampleJson({ data: { last_day: 1, last_month: 2, last_week: 3 }, package: 'package_name', type: 'recent_downloads' }),
)}
${dimensions.map(dimensionSection)}

<h2>Ordering</h2>
<p>Rows are ordered by category, then date. Python versions sort as versions (<code>2.7</code>, <code>3.9</code>, <code>3.10</code>) with <code>null</code> last; other categories alphabetically. Days without downloads in a category have no row.</p>

<h2>Errors</h2>
<p>Errors are JSON, <code>{"error": "…", "status": 400}</code>, with that HTTP status:</p>
<ul>
  <li><b>400</b>: a parameter value that is not accepted, a parameter the endpoint does not take, a malformed or reversed date range, a name that cannot be a PyPI project (empty, over ${MAX_NAME_LENGTH} characters, or characters other than letters, digits, <code>.</code>, <code>_</code>, <code>-</code>), a malformed URL or request, or an <code>OPTIONS</code> request that is not a CORS preflight.</li>
  <li><b>404</b>: a package with no downloads in the kept window, or an unknown path.</li>
  <li><b>405</b>: a method other than GET or HEAD, with <code>Allow: GET, HEAD</code>, whatever body it carries.</li>
  <li><b>431</b>: request headers larger than the server accepts.</li>
  <li><b>429</b>: too many requests from one address (see the notes); <code>Retry-After</code> says how many seconds to wait.</li>
  <li><b>503</b>: the database is unavailable for a moment (restarting, unreachable): <code>{"error": "the database is unavailable; try again shortly", "status": 503}</code>, with <code>Retry-After</code> in seconds. Try again then: nothing about the request was wrong.</li>
</ul>
</div>`;
  return renderPage({ assets, title: 'API', description: 'The JSON API of PyPI Stats, compatible with pypistats.org.', section: 'api', body });
}
