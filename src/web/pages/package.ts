/**
 * `/packages/<name>`: recent downloads, one chart per dimension of the registry, and what PyPI
 * says of the package (when it answered). `__all__` is the same page for all of PyPI.
 */
import type { Dimension } from '../../domain/dimensions.js';
import { ALL_PACKAGES } from '../../domain/names.js';
import type { PackageMetadata } from '../../domain/package-metadata.js';
import type { Assets } from '../assets.js';
import { DRAWINGS, INTERVALS, LOOKBACKS, lookbackLabel, MEASURES, type Lookback } from '../chart-settings.js';
import { formatCount, formatDay } from '../format.js';
import { externalUrl, html, type Html } from '../html.js';
import { renderPage } from '../layout.js';
import type { PackagePageData } from '../site-data.js';
import { apiUrl, breakdownDataUrl, compareUrl } from '../urls.js';
import { dependencies } from './dependencies.js';

const INTERVAL_LABELS: Record<(typeof INTERVALS)[number], string> = { day: 'Daily', week: 'Weekly' };
const MEASURE_LABELS: Record<(typeof MEASURES)[number], string> = { downloads: 'Downloads', shares: 'Share %' };
const DRAWING_LABELS: Record<(typeof DRAWINGS)[number], string> = { lines: 'Lines', stacked: 'Stacked' };
/** The switch of the version section: versions as logged, or summed by release series. */
const VERSION_GROUPINGS = [
  ['category', 'Version'],
  ['major', 'Major'],
  ['minor', 'Major.minor'],
] as const;

function choice<T extends string>(name: string, legend: string, values: readonly T[], labels: (value: T) => string, checked: T) {
  return html`<fieldset class="segmented">
    <legend>${legend}</legend>
    <div class="segments">${values.map(
      (value) =>
        html`<label><input type="radio" name="${name}" value="${value}"${value === checked ? html` checked` : ''}><span>${labels(value)}</span></label>`,
    )}</div>
  </fieldset>`;
}

export function settingsForm(lookback: Lookback) {
  return html`<form class="chart-settings" aria-label="Chart settings" hidden>
  ${choice('lookback', 'Range', LOOKBACKS, lookbackLabel, lookback)}
  ${choice('interval', 'Interval', INTERVALS, (value) => INTERVAL_LABELS[value], 'day')}
  ${choice('measure', 'Show', MEASURES, (value) => MEASURE_LABELS[value], 'downloads')}
  ${choice('drawing', 'Draw', DRAWINGS, (value) => DRAWING_LABELS[value], 'lines')}
</form>`;
}

function stat(label: string, value: number) {
  return html`<div class="stat card"><span class="stat-label">${label}</span><span class="stat-value">${formatCount(value)}</span></div>`;
}

function facts(metadata: PackageMetadata) {
  const homePage = externalUrl(metadata.homePage);
  const entries: [string, Html | string][] = [];
  if (metadata.latestVersion) entries.push(['Latest version', metadata.latestVersion]);
  if (metadata.license) entries.push(['License', metadata.license]);
  if (metadata.author) entries.push(['Author', metadata.author]);
  if (homePage) entries.push(['Home page', html`<a href="${homePage}" rel="nofollow noopener">${new URL(homePage).host}</a>`]);
  if (entries.length === 0) return '';
  return html`<dl class="facts">${entries.map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`)}</dl>`;
}

export interface PackagePageOptions {
  assets: Assets;
  data: PackagePageData;
  metadata: PackageMetadata | null;
  lookback: Lookback;
  /** The dimensions on: the seed's are drawn from the page, the others fetched when shown. */
  dimensions: readonly Dimension[];
}

/**
 * Under each chart: its series as CSV from the API (the client adds `start_date` for the range
 * shown), saved as `<package>-<dimension>.csv`.
 */
function csvLink(name: string, dimension: Dimension) {
  return html`<p class="chart-links"><a href="${apiUrl(name, dimension.name)}?format=csv" download="${name}-${dimension.name}.csv" data-csv>Download CSV</a></p>`;
}

/**
 * A breakdown's section: empty until it comes into view, when the page fetches its data (from
 * `data-src`) and draws it. Versions get a switch to their release series and a table; countries
 * a table and a map, whose script (`data-map-script`) is fetched then too.
 */
function breakdownSection(assets: Assets, name: string, dimension: Dimension) {
  const id = `breakdown-${dimension.name}`;
  const version = dimension.name === 'version';
  const country = dimension.name === 'country';
  return html`<section class="breakdown card" data-breakdown="${dimension.name}" id="${id}" aria-labelledby="${id}-title" data-src="${breakdownDataUrl(name, dimension.name)}"${country ? html` data-map-script="${assets.url('country-map.js')}"` : ''}>
    <figure class="breakdown-chart">
      <figcaption><h2 id="${id}-title">${dimension.title}</h2><p class="chart-unit">${dimension.description}</p></figcaption>
      ${version ? html`<fieldset class="segmented grouping" hidden><legend>Group versions</legend><div class="segments">${VERSION_GROUPINGS.map(([value, label]) => html`<label><input type="radio" name="grouping-${dimension.name}" value="${value}"${value === 'category' ? html` checked` : ''}><span>${label}</span></label>`)}</div></fieldset>` : ''}
      <div class="chart-canvas"></div>
      ${csvLink(name, dimension)}
    </figure>
    ${country ? html`<div class="country-map" aria-label="Share of downloads by country, on a map"></div>` : ''}
    ${version || country ? html`<div class="breakdown-table" hidden></div>` : ''}
  </section>`;
}
export function packagePage({ assets, data, metadata, lookback, dimensions }: PackagePageOptions): string {
  const all = data.name === ALL_PACKAGES;
  // __all__ has no breakdown of one package's own (its versions).
  const breakdowns = dimensions.filter((dimension) => !dimension.seed && !(all && dimension.scope === 'package'));
  const pypiUrl = externalUrl(metadata?.pypiUrl);
  const summary = all ? 'Downloads of every package on PyPI, summed.' : metadata?.summary?.trim();
  const body = html`<div class="page-head">
  <div>
    <p class="eyebrow">${all ? 'PyPI' : 'Package'}</p>
    <h1>${all ? 'All of PyPI' : data.name}</h1>
    ${summary ? html`<p class="lead summary">${summary}</p>` : ''}
  </div>
  <div class="package-actions">
    <!--package-actions-->
    ${pypiUrl ? html`<a class="button-link" href="${pypiUrl}" rel="noopener">View on PyPI ↗</a>` : ''}
  </div>
</div>
${metadata ? facts(metadata) : ''}
<section class="stats" aria-label="Recent downloads">
  ${stat('Last day', data.recent.lastDay)}
  ${stat('Last week', data.recent.lastWeek)}
  ${stat('Last month', data.recent.lastMonth)}
  ${data.allTime === null ? '' : stat('All time', data.allTime)}
</section>
<p class="data-note">Without mirrors. Data up to <time datetime="${data.latestDay}">${formatDay(data.latestDay)}</time> (UTC), from <time datetime="${data.firstDay}">${formatDay(data.firstDay)}</time>.
  <a href="${apiUrl(data.name, 'recent')}">As JSON</a> · <a class="compare-link" href="${compareUrl([data.name])}">Compare with…</a></p>
${settingsForm(lookback)}
<noscript><p class="card empty-state">The charts need JavaScript. Their numbers are in the <a href="/api">JSON API</a>.</p></noscript>
<div class="charts">
  ${dimensions.filter((dimension) => dimension.seed).map(
    (dimension) => html`<figure class="chart card" data-chart="${dimension.name}" id="chart-${dimension.name}">
    <figcaption><h2>${dimension.title}</h2><p class="chart-unit">${dimension.description}</p></figcaption>
    <div class="chart-canvas"></div>
    ${csvLink(data.name, dimension)}
  </figure>`,
  )}
</div>
${breakdowns.length > 0 ? html`<div class="breakdowns">${breakdowns.map((dimension) => breakdownSection(assets, data.name, dimension))}</div>` : ''}
${metadata ? dependencies(metadata) : ''}
${data.chartScript}`;
  return renderPage({
    assets,
    title: all ? 'All of PyPI' : data.name,
    description: all ? 'Daily downloads of all of PyPI.' : `Daily downloads of ${data.name} from PyPI.`,
    section: all ? 'all' : null,
    scripts: ['package-page.js'],
    body,
  });
}
