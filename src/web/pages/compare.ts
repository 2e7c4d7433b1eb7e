/**
 * `/compare?packages=a,b,c`: up to ten packages side by side. The list is the URL, so a link shows
 * what its sender saw; adding and removing are links and a form (they work without script), and
 * the page's script adds search-as-you-type and draws the chart of each package overlaid, with the
 * package page's chart code and settings. Each breakdown is a table of each package's shares.
 */
import type { Assets } from '../assets.js';
import type { PackageCharts } from '../chart-data.js';
import { DEFAULT_LOOKBACK } from '../chart-settings.js';
import { COMPARE_CHART, MAX_COMPARED, SHARE_DAYS, type ShareTable } from '../compare-data.js';
import { formatDay } from '../format.js';
import { html, jsonScript } from '../html.js';
import { renderPage } from '../layout.js';
import { compareUrl, packageUrl } from '../urls.js';
import { settingsForm } from './package.js';

export const COMPARE_DATA_ID = 'compare-data';

export interface ComparePageOptions {
  assets: Assets;
  /** The packages compared, with data, in the URL's order. */
  names: string[];
  /** Names in the URL the store has no downloads of: said, and left out. */
  unknown: string[];
  latestDay: string | null;
  chart: PackageCharts | null;
  tables: ShareTable[];
}

function percent(share: number | null): string {
  if (share === null) return '–';
  return share >= 10 ? `${share.toFixed(0)} %` : `${share.toFixed(1)} %`;
}

function shareTable(names: string[], table: ShareTable) {
  const { dimension } = table;
  return html`<section class="card compare-shares" data-dimension="${dimension.name}" aria-labelledby="shares-${dimension.name}">
  <h2 id="shares-${dimension.name}">${dimension.title}</h2>
  <div class="table-scroll">
  <table>
    <thead><tr><th scope="col">Share of downloads</th>${names.map((name) => html`<th scope="col">${name}</th>`)}</tr></thead>
    <tbody>${table.categories.map(
      ({ label }, row) => html`<tr><th scope="row">${label}</th>${table.shares.map((shares) => html`<td class="num">${percent(shares[row]!)}</td>`)}</tr>`,
    )}</tbody>
  </table>
  </div>
</section>`;
}

function packageList(names: string[]) {
  if (names.length === 0) return html`<p class="muted">No package yet: add one below.</p>`;
  return html`<ul class="compare-list" aria-label="Packages compared">${names.map(
    (name, i) =>
      html`<li data-package="${name}"><span class="swatch" data-index="${i}"></span><a href="${packageUrl(name)}">${name}</a> <a class="remove" href="${compareUrl(names.filter((other) => other !== name))}" aria-label="Remove ${name}">✕</a></li>`,
  )}</ul>`;
}

function addForm(names: string[]) {
  if (names.length >= MAX_COMPARED) return html`<p class="muted">${MAX_COMPARED} packages are the most one page compares: remove one to add another.</p>`;
  return html`<form class="compare-add" action="/compare" method="get" role="search">
  <input type="hidden" name="packages" value="${names.join(',')}">
  <label for="compare-add-input">Add a package</label>
  <div class="search-row">
    <input id="compare-add-input" name="add" type="search" placeholder="Package name, e.g. requests" autocomplete="off" autocapitalize="off" spellcheck="false" maxlength="200" required aria-controls="compare-suggestions" aria-autocomplete="list">
    <button type="submit">Add</button>
  </div>
  <ul id="compare-suggestions" class="suggestions" role="listbox" aria-label="Matching packages" hidden></ul>
</form>`;
}

export function comparePage({ assets, names, unknown, latestDay, chart, tables }: ComparePageOptions): string {
  const body = html`<div class="page-head">
  <div>
    <h1>Compare packages</h1>
    <p class="lead">Up to ${MAX_COMPARED} packages side by side, without mirrors${latestDay ? html`, up to <time datetime="${latestDay}">${formatDay(latestDay)}</time>` : ''}. The address holds the list: share it to show the same.</p>
  </div>
</div>
${unknown.length > 0 ? html`<p class="card empty-state" role="note">No downloads are known of ${unknown.map((name, i) => html`${i > 0 ? ', ' : ''}<strong>${name}</strong>`)}: left out.</p>` : ''}
<section class="card compare-packages" aria-label="Packages">
  ${packageList(names)}
  ${addForm(names)}
</section>
${
  chart && names.length > 0
    ? html`${settingsForm(DEFAULT_LOOKBACK)}
<noscript><p class="card empty-state">The chart needs JavaScript; the shares below do not.</p></noscript>
<figure class="chart card" data-chart="${COMPARE_CHART}" id="chart-${COMPARE_CHART}">
  <figcaption><h2>Downloads</h2><p class="chart-unit">Daily downloads without mirrors</p></figcaption>
  <div class="chart-canvas"></div>
</figure>
${tables.length > 0 ? html`<h2 class="compare-shares-title">Shares over the last ${SHARE_DAYS} days</h2><div class="breakdowns">${tables.map((table) => shareTable(names, table))}</div>` : ''}
${jsonScript(COMPARE_DATA_ID, chart)}`
    : ''
}`;
  return renderPage({ assets, title: 'Compare packages', description: 'Compare the downloads of PyPI packages.', section: null, scripts: ['compare-page.js'], body });
}
