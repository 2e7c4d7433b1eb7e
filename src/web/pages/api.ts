/**
 * `/api`: the JSON API's contract for people, rendered from the OpenAPI description the API
 * generates from its route schemas (src/api/openapi.ts), so the page says exactly what the routes
 * do: every operation, its parameters, an example body and "Try it" links. The notes, the order of
 * rows and the errors are prose of this page.
 */
import { TOP_CATEGORIES } from '../../domain/api-parameters.js';
import { dimensions as registry } from '../../domain/dimensions.js';
import { ALL_PACKAGES, MAX_NAME_LENGTH } from '../../domain/names.js';
import type { OpenApiDocument, OpenApiOperation, OpenApiParameter } from '../../domain/openapi-document.js';
import type { RateLimits } from '../../rate-limit/limiter.js';
import type { Assets } from '../assets.js';
import { codeSpans, html, type Html } from '../html.js';
import { COLOUR_RULE } from '../embeds/colours.js';
import { renderPage } from '../layout.js';

/** The prefix the page writes paths under: every known client's; the seed's `/api/package/` is said once, in the notes. */
const SHOWN_PREFIX = '/api/packages/{package}/';
const OPENAPI_URL = '/api/openapi.json';
/** The tag of the operations of breakdowns turned off (src/api/schemas.ts TAGS.off). */
const TURNED_OFF = 'turned off';

interface Operation {
  /** `/api/packages/{package}/overall`, `/api/top`. */
  path: string;
  /** The section's id: the path's last segment that is no parameter. */
  id: string;
  operation: OpenApiOperation & { 'x-example-package'?: string };
}

/** The path's last segment that is no parameter: `overall`, `top`, `badge` (of `/badge/{package}`). */
function sectionId(path: string): string {
  return path.split('/').filter((segment) => segment !== '' && !segment.startsWith('{')).at(-1)!;
}

/** The GET operations to show, in the description's order: one prefix of the package routes, then the rest of the API. */
function operations(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths)
    .filter(([path, methods]) => methods.get !== undefined && path !== OPENAPI_URL && (path.startsWith(SHOWN_PREFIX) || !path.startsWith('/api/package/')))
    .map(([path, methods]) => ({ path, id: sectionId(path), operation: methods.get! }));
}

function exampleOf(parameter: OpenApiParameter & { example?: unknown; examples?: Record<string, { value: unknown }> }): string | undefined {
  const value = parameter.example ?? Object.values(parameter.examples ?? {})[0]?.value ?? (parameter.schema.examples as unknown[] | undefined)?.[0];
  return value === undefined ? undefined : String(value);
}

function responseExample(operation: OpenApiOperation): unknown {
  const media = operation.responses['200']?.content?.['application/json'] as { example?: unknown; examples?: Record<string, { value: unknown }>; schema?: { examples?: unknown[] } } | undefined;
  return media?.example ?? Object.values(media?.examples ?? {})[0]?.value ?? media?.schema?.examples?.[0];
}

function link(href: string) {
  return html`<a href="${href}"><code>${href}</code></a>`;
}

/** A parameter's description; "Ours: …" (an extension of pypistats.org's API) is said in the label. */
function parameterItem(parameter: OpenApiParameter, urlWith: (query: string) => string) {
  const raw = parameter.description ?? '';
  const ours = raw.startsWith('Ours: ');
  const description = ours ? raw.slice('Ours: '.length) : raw;
  const example = exampleOf(parameter);
  const label = `${parameter.required ? 'required' : 'optional'}${ours ? ', ours' : ''}`;
  return html`<li><b>${parameter.name}</b> (${label}): ${codeSpans(description)}${example === undefined ? '' : html` Example: ${link(urlWith(`${parameter.name}=${encodeURIComponent(example)}`))}`}</li>`;
}

function endpointSection({ path, id, operation }: Operation) {
  const off = operation.tags?.includes(TURNED_OFF) ?? false;
  const examplePackage = operation['x-example-package'] ?? ALL_PACKAGES;
  // `/chart/{file}` takes the package as its file name, `<package>.svg`.
  const concrete = path.replace('{package}', examplePackage).replace('{file}', `${examplePackage}.svg`);
  const urlWith = (query: string) => `${concrete}?${query}`;
  const query = (operation.parameters ?? []).filter((parameter) => parameter.in === 'query');
  const body = responseExample(operation);
  const shownPath = path.replace('{package}', '<package>').replace('{file}', '<package>.svg');
  return html`<section class="card endpoint${off ? ' endpoint-off' : ''}" id="${id}">
  <h3><span class="method">GET</span> ${shownPath}</h3>
  ${off ? html`<p><b>Turned off on this server</b>: this endpoint answers <code>404</code> with a JSON error saying so (the operator's <code>DIMENSIONS</code> leaves it out).</p>` : ''}
  <p>${codeSpans(operation.description ?? operation.summary ?? '')}</p>
  ${query.length > 0 ? html`<ul>${query.map((parameter) => parameterItem(parameter, urlWith))}</ul>` : ''}
  ${off ? '' : html`<p>Try it: ${link(concrete)}</p>`}
  ${body === undefined ? '' : html`<pre><code>${JSON.stringify(body, null, 2)}</code></pre>`}
</section>`;
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

/** The embeds' own limit, as the end of a sentence. */
function embedLimitNote(limit: RateLimits | undefined): string {
  const limits = limit && describeLimits(limit);
  if (!limits) return 'this server does not limit them either.';
  return `each client address may request at most ${limits} of them; past that, 429 with Retry-After (a badge then says “rate limited”).`;
}

/** Top and trending, under `/api/` but of no package; the rest of the description's other operations are the embeds. */
const isTopList = (path: string) => path === '/api/top' || path === '/api/trending';

export interface ApiPageOptions {
  retentionDays: number;
  mirrorInstallers: readonly string[];
  rateLimit: RateLimits;
  /** The limit of badges, charts and shields answers (EMBED_RATE_LIMIT_*); unset: none. */
  embedRateLimit?: RateLimits | undefined;
  /** The dimensions on (config.dimensions); unset: every one. */
  dimensions?: readonly string[] | undefined;
  /** Each API token's limits, where sign-in (and so tokens) is on; unset: no tokens. */
  tokenRateLimit?: RateLimits | null | undefined;
  /** The private index the downloads are from (INDEX_NAME); unset: PyPI. */
  indexName?: string | null | undefined;
}

function tokenNote(tokenRateLimit: RateLimits) {
  const limits = describeLimits(tokenRateLimit);
  return html`<li>Signed in with GitHub, you can make API tokens on <a href="/user">your page</a>. A request with <code>Authorization: Bearer &lt;token&gt;</code> is counted against the token's own limit (${limits ?? 'none on this server'}) instead of its address's; an unknown or revoked token is refused <code>401</code>.</li>`;
}

export function apiPage(assets: Assets, options: ApiPageOptions, document: OpenApiDocument): string {
  const on = new Set(options.dimensions ?? registry.map((dimension) => dimension.name));
  const off = registry.filter((dimension) => !dimension.seed && !on.has(dimension.name));
  const shown = operations(document);
  const packageOperations = shown.filter(({ path }) => path.startsWith(SHOWN_PREFIX));
  const topOperations = shown.filter(({ path }) => !path.startsWith(SHOWN_PREFIX) && isTopList(path));
  const embedOperations = shown.filter(({ path }) => !path.startsWith(SHOWN_PREFIX) && !isTopList(path));
  const index = options.indexName ?? 'PyPI';
  const body = html`<div class="page-head">
  <div>
    <h1>PyPI Stats API</h1>
    <p class="lead">Aggregate download statistics and daily time series for every package on ${index}, as JSON. Compatible with pypistats.org: clients need nothing changed but the host.</p>
  </div>
</div>
<div class="prose">
<h2>Notes</h2>
<ul>
  <li>The whole API is described in OpenAPI ${document.openapi} at ${link(OPENAPI_URL)}, generated from the same route schemas as this page; every response matches it.</li>
  <li>All download counts exclude known mirrors (${options.mirrorInstallers.join(', ')}) unless noted otherwise.</li>
  <li>Daily time series are kept for ${options.retentionDays} days, ending at the latest loaded day; monthly totals of every breakdown are kept forever (<code>interval=month</code>, <code>months</code>, <code>total</code>).</li>
  <li>Data is loaded once a day, for the previous UTC day. Dates are UTC days, <code>YYYY-MM-DD</code>.</li>
  <li>Every package endpoint answers under <code>/api/packages/&lt;package&gt;/…</code> and <code>/api/package/&lt;package&gt;/…</code>.</li>
  <li>Package names are normalized as PyPI does (PEP 503): <code>Django_REST.framework</code> is <code>django-rest-framework</code>. <code>${ALL_PACKAGES}</code> (in any case) stands for all of ${index}.</li>
  <li>Parameter values are case-insensitive on every endpoint (<code>period=WEEK</code>, <code>mirrors=TRUE</code>, <code>version=NULL</code>, <code>os=Linux</code>), but for the package version of <code>/version</code>, matched exactly as logged; parameter names are not. A parameter an endpoint does not take is a 400 naming it, so a typo is never silently ignored; so is one given twice.</li>
  <li>Every breakdown counts downloads without mirrors; for each package and day its categories sum to <code>without_mirrors</code>. A missing or empty field is the category <code>null</code>.</li>
  <li>${off.length === 0 ? html`Every breakdown is on on this server.` : html`Turned off on this server (they answer <code>404</code> saying so): ${off.map((dimension, i) => html`${i > 0 ? ', ' : ''}<a href="#${dimension.name}"><code>${dimension.name}</code></a>`)}.`}</li>
  <li>Responses carry an <code>ETag</code> that changes only when new data lands; send <code>If-None-Match</code> to get <code>304 Not Modified</code>.</li>
  ${rateLimitNote(options.rateLimit)}
  ${options.tokenRateLimit ? tokenNote(options.tokenRateLimit) : ''}
</ul>

<h2>Endpoints</h2>
${packageOperations.map(endpointSection)}

<h2 id="formats">Formats</h2>
<p>Every time series answers JSON, as above, or CSV: <code>format=csv</code>, or <code>Accept: text/csv</code> without <code>format</code>. CSV is <code>text/csv; charset=utf-8</code>, a header line <code>category,date,downloads</code>, then the rows in the JSON's order, quoted as RFC 4180 says (a category with a comma, a quote or a line break is quoted, its quotes doubled; every record ends with CRLF). It has an ETag of its own, and these answers carry <code>Vary: Accept</code>. Any other <code>format</code> is a <code>400</code>. Example: ${link(`/api/packages/${ALL_PACKAGES}/python_minor?format=csv`)}</p>
<pre><code>category,date,downloads
3.12,2018-02-08,1
3.13,2018-02-08,1</code></pre>

<h2>Top and trending</h2>
${topOperations.map(endpointSection)}

<h2 id="badges">Badges and embeds</h2>
<p>For a README: a badge, shields.io's endpoint badge, and a chart, each one line of Markdown (with this server's address):</p>
<pre><code>[![Downloads](https://&lt;this server&gt;/badge/requests)](https://&lt;this server&gt;/packages/requests)
[![Downloads](https://img.shields.io/endpoint?url=https%3A%2F%2F&lt;this server&gt;%2Fapi%2Fshields%2Frequests)](https://&lt;this server&gt;/packages/requests)
[![Downloads of requests](https://&lt;this server&gt;/chart/requests.svg?dimension=overall&amp;lookback=90)](https://&lt;this server&gt;/packages/requests)</code></pre>
<p>Colours are ${COLOUR_RULE}; the <code>#</code> is written <code>%23</code> in a URL, or left out. A late load never turns a badge into an error: it shows the latest day loaded. Badges, charts and shields answers are not counted against the API's rate limit (GitHub fetches a README's images through a few addresses of its own), but ${embedLimitNote(options.embedRateLimit)}</p>
${embedOperations.map(endpointSection)}

<h2>Ordering</h2>
<p>Rows are ordered by category, then date. Python versions sort as versions (<code>2.7</code>, <code>3.9</code>, <code>3.10</code>) with <code>null</code> last; package versions as PEP 440 says (<code>1.9</code>, <code>1.10</code>, <code>2.0rc1</code>, <code>2.0</code>), strings PEP 440 cannot parse after them alphabetically, <code>null</code> last; CI <code>true</code>, <code>false</code>, <code>null</code>; other categories alphabetically, <code>null</code> last. Days without downloads in a category have no row.</p>

<h2>Errors</h2>
<p>Errors are JSON, <code>{"error": "…", "status": 400}</code>, with that HTTP status:</p>
<ul>
  <li><b>400</b>: a parameter value that is not accepted (<code>top</code> outside ${TOP_CATEGORIES.min}–${TOP_CATEGORIES.max} or not a whole number included), a parameter the endpoint does not take or gives twice, <code>top</code> on <code>/overall</code> (it has two series, nothing to rank), a malformed or reversed date range (a month as <code>YYYY-MM</code> with <code>interval=month</code>, a day as <code>YYYY-MM-DD</code> otherwise), a name that cannot be a PyPI project (empty, over ${MAX_NAME_LENGTH} characters, or characters other than letters, digits, <code>.</code>, <code>_</code>, <code>-</code>), a malformed URL or request, or an <code>OPTIONS</code> request that is not a CORS preflight.</li>
  <li><b>404</b>: a package with no downloads in the kept window (on every endpoint), an unknown path, a breakdown turned off on this server, <code>${ALL_PACKAGES}/version</code> (versions are per package), or top and trending before any day is loaded.</li>
  <li><b>405</b>: a method other than GET or HEAD, with <code>Allow: GET, HEAD</code>, whatever body it carries.</li>
  <li><b>431</b>: request headers larger than the server accepts.</li>
  <li><b>429</b>: too many requests from one address (see the notes); <code>Retry-After</code> says how many seconds to wait.</li>
  <li><b>503</b>: the database is unavailable for a moment (restarting, unreachable): <code>{"error": "the database is unavailable; try again shortly", "status": 503}</code>, with <code>Retry-After</code> in seconds. Try again then: nothing about the request was wrong.</li>
</ul>
</div>`;
  return renderPage({ assets, title: 'API', description: 'The JSON API of PyPI Stats, compatible with pypistats.org.', section: 'api', body });
}
