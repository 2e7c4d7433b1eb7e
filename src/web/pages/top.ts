/** `/top`: the most downloaded packages over the last day, week and month. */
import type { PackageDownloads, TopPackages } from '../../store/types.js';
import type { Assets } from '../assets.js';
import { formatCount, formatDay } from '../format.js';
import { html } from '../html.js';
import { renderPage } from '../layout.js';
import { packageUrl } from '../urls.js';
import type { SiteFacts } from '../site-data.js';

export const TOP_PAGE_SIZE = 20;

const PERIODS: { key: keyof TopPackages; title: string }[] = [
  { key: 'day', title: 'Last day' },
  { key: 'week', title: 'Last 7 days' },
  { key: 'month', title: 'Last 30 days' },
];

function ranking(entries: PackageDownloads[]) {
  if (entries.length === 0) return html`<p class="muted">No downloads recorded yet.</p>`;
  return html`<ol class="ranking">
    ${entries.slice(0, TOP_PAGE_SIZE).map(
      (entry) => html`<li><a href="${packageUrl(entry.package)}">${entry.package}</a><span class="num">${formatCount(entry.downloads)}</span></li>`,
    )}
  </ol>`;
}

export function topPage(assets: Assets, facts: SiteFacts): string {
  const body = html`<div class="page-head">
  <div>
    <h1>Top packages</h1>
    <p class="lead">The ${TOP_PAGE_SIZE} most downloaded packages, without mirrors${
      facts.latestDay ? html`, up to <time datetime="${facts.latestDay}">${formatDay(facts.latestDay)}</time>` : ''
    }.</p>
  </div>
</div>
<div class="top-grid">
  ${PERIODS.map(
    (period) => html`<section class="card" aria-labelledby="top-${period.key}">
    <h2 id="top-${period.key}">${period.title}</h2>
    ${ranking(facts.top[period.key])}
  </section>`,
  )}
</div>`;
  return renderPage({ assets, title: 'Top packages', description: 'The most downloaded packages on PyPI.', section: 'top', body });
}
