/** `/api`: the JSON API's contract for people, generated from the dimension registry, with live examples. */
import { INTERVALS, RECENT_PERIODS, TOP_CATEGORIES } from '../../domain/api-parameters.js';
import { dimensions as registry, WITH_MIRRORS, WITHOUT_MIRRORS, type Dimension } from '../../domain/dimensions.js';
import { ALL_PACKAGES, MAX_NAME_LENGTH } from '../../domain/names.js';
import type { RateLimits } from '../../rate-limit/limiter.js';
import type { Assets } from '../assets.js';
import { codeSpans, html, type Html } from '../html.js';
import { renderPage } from '../layout.js';

/** The package of the examples of a per-package breakdown (`__all__` has none): one every PyPI mirror of the logs holds. */
const EXAMPLE_PACKAGE = 'requests';

function examplePackage(dimension?: Dimension): string {
  return dimension?.scope === 'package' ? EXAMPLE_PACKAGE : ALL_PACKAGES;
}

function example(path: string, packageName: string = ALL_PACKAGES) {
  const href = `/api/packages/${packageName}/${path}`;
  return html`<a href="${href}"><code>${href}</code></a>`;
}

function exampleJson(value: unknown) {
  return html`<pre><code>${JSON.stringify(value, null, 2)}</code></pre>`;
}

function exampleSeries(dimension: Dimension) {
  const categories = dimension.categories.kind === 'mirror_split' ? [WITH_MIRRORS, WITHOUT_MIRRORS] : [...dimension.filter.examples].sort(dimension.compareCategories);
  const data = categories.map((category) => ({ category, date: '2018-02-08', downloads: 1 }));
  return exampleJson({ data, package: 'package_name', type: dimension.responseType });
}

interface EndpointDoc {
  name: string;
  description: Html | string;
  parameters: Html[];
  body: Html;
  /** Where "Try it" points; null: nothing to try (the endpoint is turned off). */
  tryIt: Html | null;
  off?: boolean;
}

function endpoint({ name, description, parameters, body, tryIt, off = false }: EndpointDoc) {
  return html`<section class="card endpoint${off ? ' endpoint-off' : ''}" id="${name}">
  <h3><span class="method">GET</span> /api/packages/&lt;package&gt;/${name}</h3>
  ${off ? html`<p><b>Turned off on this server</b>: this endpoint answers <code>404</code> with a JSON error saying so (the operator's <code>DIMENSIONS</code> leaves it out).</p>` : ''}
  <p>${description}</p>
  <ul>${parameters.map((parameter) => html`<li>${parameter}</li>`)}</ul>
  ${tryIt ? html`<p>Try it: ${tryIt}</p>` : ''}
  ${body}
</section>`;
}

function isBreakdown(dimension: Dimension): boolean {
  return dimension.categories.kind !== 'mirror_split';
}

function filterCase(dimension: Dimension): Html {
  const { filter } = dimension;
  if (filter.values) return html`One of ${filter.values.map((value, i) => html`${i > 0 ? ', ' : ''}<code>${value}</code>`)}, in any case.`;
  if (filter.caseSensitive) return html`Matched exactly as logged: case matters.`;
  if (filter.matchesAnyCase) return html`Categories are kept as logged; the value matches them in any case, so it may select several spellings.`;
  return html`In any case.`;
}

function dimensionSection(dimension: Dimension, on: boolean) {
  const { filter } = dimension;
  const packageName = examplePackage(dimension);
  const parameters = [
    html`<b>${filter.param}</b> (optional): ${codeSpans(filter.description)} ${filterCase(dimension)} A value that matches no category answers <code>200</code> with <code>"data": []</code>. Example: ${example(`${dimension.name}?${filter.param}=${filter.examples[0]}`, packageName)}`,
    html`<b>start_date</b>, <b>end_date</b> (optional, ours): the first and last day, <code>YYYY-MM-DD</code>, inclusive; with <code>interval=month</code>, the first and last month, <code>YYYY-MM</code>.`,
    html`<b>interval</b> (optional, ours): ${INTERVALS.map((interval, i) => html`${i > 0 ? ', ' : ''}<code>${interval}</code>`)}. <code>day</code> (the default) gives a row per day of the kept days; <code>month</code> a row per UTC month (<code>"date": "YYYY-MM"</code>) of every month held, kept beyond the days, the month in progress included (partial: see <a href="#months"><code>months</code></a>). Filters and <code>top</code> apply as by day. Example: ${example(`${dimension.name}?interval=month`, packageName)}`,
  ];
  if (isBreakdown(dimension)) {
    parameters.push(
      html`<b>top</b> (optional, ours): ${TOP_CATEGORIES.min} to ${TOP_CATEGORIES.max}. Only the N categories with the most downloads over the asked range (a tie goes to the category first in this endpoint's order), in this endpoint's order; the others are left out, not summed into one. Example: ${example(`${dimension.name}?top=3`, packageName)}`,
    );
  }
  const scopeNote = dimension.scope === 'package' ? html` Per package: <code>${ALL_PACKAGES}/${dimension.name}</code> answers <code>404</code>, since a ${dimension.name} of one package summed across packages means nothing.` : '';
  return endpoint({
    name: dimension.name,
    description: html`${codeSpans(dimension.description)} <code>type</code> is <code>${dimension.responseType}</code>.${scopeNote}`,
    parameters,
    body: exampleSeries(dimension),
    tryIt: on ? example(dimension.name, packageName) : null,
    off: !on,
  });
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
  /** The dimensions on (config.dimensions); unset: every one. The others are documented as turned off. */
  dimensions?: readonly string[] | undefined;
}

export function apiPage(assets: Assets, options: ApiPageOptions): string {
  const on = new Set(options.dimensions ?? registry.map((dimension) => dimension.name));
  const off = registry.filter((dimension) => !dimension.seed && !on.has(dimension.name));
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
  <li>Daily time series are kept for ${options.retentionDays} days, ending at the latest loaded day; monthly totals of every breakdown are kept forever (<code>interval=month</code>, <code>months</code>, <code>total</code>).</li>
  <li>Data is loaded once a day, for the previous UTC day. Dates are UTC days, <code>YYYY-MM-DD</code>.</li>
  <li>Every endpoint answers under <code>/api/packages/&lt;package&gt;/…</code> and <code>/api/package/&lt;package&gt;/…</code>.</li>
  <li>Package names are normalized as PyPI does (PEP 503): <code>Django_REST.framework</code> is <code>django-rest-framework</code>. <code>${ALL_PACKAGES}</code> (in any case) stands for all of PyPI.</li>
  <li>Parameter values are case-insensitive on every endpoint (<code>period=WEEK</code>, <code>mirrors=TRUE</code>, <code>version=NULL</code>, <code>os=Linux</code>), but for the package version of <code>/version</code>, matched exactly as logged; parameter names are not. A parameter an endpoint does not take is a 400 naming it, so a typo is never silently ignored; so is one given twice.</li>
  <li>Every breakdown counts downloads without mirrors; for each package and day its categories sum to <code>without_mirrors</code>. A missing or empty field is the category <code>null</code>.</li>
  <li>${off.length === 0 ? html`Every breakdown is on on this server.` : html`Turned off on this server (they answer <code>404</code> saying so): ${off.map((dimension, i) => html`${i > 0 ? ', ' : ''}<a href="#${dimension.name}"><code>${dimension.name}</code></a>`)}.`}</li>
  <li>Responses carry an <code>ETag</code> that changes only when new data lands; send <code>If-None-Match</code> to get <code>304 Not Modified</code>.</li>
  ${rateLimitNote(options.rateLimit)}
</ul>

<h2>Endpoints</h2>
${endpoint({
  name: 'recent',
  description: 'Downloads (without mirrors, unless asked) over the last day, week (7 days) and month (30 days), ending at the latest loaded day.',
  parameters: [
    html`<b>period</b> (optional): ${RECENT_PERIODS.map((period, i) => html`${i > 0 ? ', ' : ''}<code>${period}</code>`)}. Omitted: all three. Example: ${example('recent?period=week')}`,
    html`<b>mirrors</b> (optional, ours): <code>true</code> counts mirror downloads too; <code>false</code> (the default) leaves them out. The same keys either way. Example: ${example('recent?mirrors=true')}`,
  ],
  body: exampleJson({ data: { last_day: 1, last_month: 2, last_week: 3 }, package: 'package_name', type: 'recent_downloads' }),
  tryIt: example('recent'),
})}
${registry.map((dimension) => dimensionSection(dimension, on.has(dimension.name)))}
${endpoint({
  name: 'months',
  description: html`Which months are held for the package (kept forever, beyond the ${options.retentionDays} days of daily rows) and how complete each is: <code>days</code> the month's days, <code>days_loaded</code> those its downloads were counted from (fewer: a partial month, such as the month in progress), <code>source</code> <code>daily</code> (summed from the days loaded) or <code>backfill</code> (a history backfill counted some of its days). <code>type</code> is <code>months</code>.`,
  parameters: [html`No parameters.`],
  body: exampleJson({ data: [{ date: '2026-10', days: 31, days_loaded: 31, source: 'daily' }], package: 'package_name', type: 'months' }),
  tryIt: example('months', EXAMPLE_PACKAGE),
})}
${endpoint({
  name: 'total',
  description: html`All-time downloads over every month held, with and without mirrors, and the first month with downloads. <code>type</code> is <code>total_downloads</code>.`,
  parameters: [html`No parameters.`],
  body: exampleJson({ data: { first_month: '2019-03', with_mirrors: 123, without_mirrors: 120 }, package: 'package_name', type: 'total_downloads' }),
  tryIt: example('total', EXAMPLE_PACKAGE),
})}

<h2>Ordering</h2>
<p>Rows are ordered by category, then date. Python versions sort as versions (<code>2.7</code>, <code>3.9</code>, <code>3.10</code>) with <code>null</code> last; package versions as PEP 440 says (<code>1.9</code>, <code>1.10</code>, <code>2.0rc1</code>, <code>2.0</code>), strings PEP 440 cannot parse after them alphabetically, <code>null</code> last; CI <code>true</code>, <code>false</code>, <code>null</code>; other categories alphabetically, <code>null</code> last. Days without downloads in a category have no row.</p>

<h2>Errors</h2>
<p>Errors are JSON, <code>{"error": "…", "status": 400}</code>, with that HTTP status:</p>
<ul>
  <li><b>400</b>: a parameter value that is not accepted (<code>top</code> outside ${TOP_CATEGORIES.min}–${TOP_CATEGORIES.max} or not a whole number included), a parameter the endpoint does not take or gives twice, <code>top</code> on <code>/overall</code> (it has two series, nothing to rank), a malformed or reversed date range (a month as <code>YYYY-MM</code> with <code>interval=month</code>, a day as <code>YYYY-MM-DD</code> otherwise), a name that cannot be a PyPI project (empty, over ${MAX_NAME_LENGTH} characters, or characters other than letters, digits, <code>.</code>, <code>_</code>, <code>-</code>), a malformed URL or request, or an <code>OPTIONS</code> request that is not a CORS preflight.</li>
  <li><b>404</b>: a package with no downloads in the kept window (on every endpoint), an unknown path, a breakdown turned off on this server, or <code>${ALL_PACKAGES}/version</code> (versions are per package).</li>
  <li><b>405</b>: a method other than GET or HEAD, with <code>Allow: GET, HEAD</code>, whatever body it carries.</li>
  <li><b>431</b>: request headers larger than the server accepts.</li>
  <li><b>429</b>: too many requests from one address (see the notes); <code>Retry-After</code> says how many seconds to wait.</li>
  <li><b>503</b>: the database is unavailable for a moment (restarting, unreachable): <code>{"error": "the database is unavailable; try again shortly", "status": 503}</code>, with <code>Retry-After</code> in seconds. Try again then: nothing about the request was wrong.</li>
</ul>
</div>`;
  return renderPage({ assets, title: 'API', description: 'The JSON API of PyPI Stats, compatible with pypistats.org.', section: 'api', body });
}
