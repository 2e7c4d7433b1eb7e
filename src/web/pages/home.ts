/** `/`: the search box first, then how much is tracked and what is downloaded most. */
import { ALL_PACKAGES } from '../../domain/names.js';
import type { Assets } from '../assets.js';
import { formatCount, formatDay } from '../format.js';
import { html } from '../html.js';
import { renderPage, searchForm } from '../layout.js';
import { packageUrl } from '../urls.js';
import type { SiteFacts } from '../site-data.js';

/** How many of the top packages the home page lists. */
const TOP_SHOWN = 10;

export function homePage(assets: Assets, facts: SiteFacts): string {
  const top = facts.top.month.slice(0, TOP_SHOWN);
  const body = html`<section class="hero">
  <h1>PyPI download statistics</h1>
  <p class="lead">Daily downloads of every package on the Python Package Index, by Python version and operating system.</p>
  ${searchForm({ id: 'home-search', className: 'hero-search', autofocus: true, label: 'Find a package' })}
  <p class="hero-facts">${
    facts.latestDay === null
      ? 'No data is loaded yet: the first day appears here as soon as it is.'
      : html`<strong>${formatCount(facts.packageCount)}</strong> packages tracked · data up to <time datetime="${facts.latestDay}">${formatDay(facts.latestDay)}</time>`
  }</p>
</section>
<div class="home-grid">
${
  top.length === 0
    ? ''
    : html`<section class="card" aria-labelledby="home-top-title">
  <div class="card-head">
    <h2 id="home-top-title">Most downloaded, last 30 days</h2>
    <a href="/top">Top 20 →</a>
  </div>
  <ol class="ranking">
    ${top.map(
      (entry) => html`<li><a href="${packageUrl(entry.package)}">${entry.package}</a><span class="num">${formatCount(entry.downloads)}</span></li>`,
    )}
  </ol>
</section>`
}
<div class="home-side">
${
  facts.allRecent === null
    ? ''
    : html`<section class="card" aria-labelledby="home-all-title">
  <div class="card-head">
    <h2 id="home-all-title">All of PyPI</h2>
    <a href="${packageUrl(ALL_PACKAGES)}">Charts →</a>
  </div>
  <dl class="totals">
    <div><dt>Last day</dt><dd>${formatCount(facts.allRecent.lastDay)}</dd></div>
    <div><dt>Last week</dt><dd>${formatCount(facts.allRecent.lastWeek)}</dd></div>
    <div><dt>Last month</dt><dd>${formatCount(facts.allRecent.lastMonth)}</dd></div>
  </dl>
  <p class="muted small">Downloads of every package, without mirrors.</p>
</section>`
}
<section class="card" aria-labelledby="home-api-title">
  <h2 id="home-api-title">The numbers as JSON</h2>
  <p class="muted small">Every number here is in the <a href="/api">API</a>, compatible with pypistats.org's: the <code>pypistats</code> client and shields.io badges work unchanged.</p>
</section>
</div>
</div>`;
  return renderPage({
    assets,
    title: 'PyPI download statistics',
    description: 'Daily download statistics for every package on PyPI, by Python version and operating system.',
    section: 'home',
    headerSearch: false,
    body,
  });
}
