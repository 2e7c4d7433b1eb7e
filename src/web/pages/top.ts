/**
 * `/top?period=day|week|month`: the most downloaded packages of the period, and those whose
 * downloads grew most against the period before (weeks and months only), with a switch of period
 * made of links, so the page works without script. Both lists are ranked at load time.
 */
import { PERIOD_DAYS, TOP_PERIODS, TRENDING_FLOOR_PER_DAY, TRENDING_PERIODS, type TopPeriod, type TrendingPeriod } from '../../domain/api-parameters.js';
import type { PackageDownloads, TrendingPackage } from '../../store/types.js';
import type { Assets } from '../assets.js';
import { formatCount, formatDay } from '../format.js';
import { html } from '../html.js';
import { renderPage } from '../layout.js';
import { packageUrl, topUrl } from '../urls.js';
import { SITE_LIST_LENGTH, type SiteFacts } from '../site-data.js';

/** The period the page shows when the URL names none: pypistats.org's top list was a month's. */
export const DEFAULT_TOP_PERIOD: TopPeriod = 'month';

const PERIOD_TITLES: Record<TopPeriod, string> = { day: 'Last day', week: 'Last 7 days', month: 'Last 30 days' };

export function isTopPeriod(value: string): value is TopPeriod {
  return (TOP_PERIODS as readonly string[]).includes(value);
}

function isTrendingPeriod(period: TopPeriod): period is TrendingPeriod {
  return (TRENDING_PERIODS as readonly string[]).includes(period);
}

function ranking(entries: PackageDownloads[]) {
  if (entries.length === 0) return html`<p class="muted">No downloads recorded yet.</p>`;
  return html`<ol class="ranking">
    ${entries.map((entry) => html`<li><a href="${packageUrl(entry.package)}">${entry.package}</a><span class="num">${formatCount(entry.downloads)}</span></li>`)}
  </ol>`;
}

/** Growth as a person reads it: "+150 %" for a ratio of 2.5, "+0.4 %" for 1.004 (a whole percent would say 0). */
function growthLabel(entry: TrendingPackage): string {
  const percent = (entry.downloads / entry.previous - 1) * 100;
  return `+${percent < 10 ? percent.toFixed(1) : formatCount(Math.round(percent))} %`;
}

function trendingRanking(period: TrendingPeriod, entries: TrendingPackage[]) {
  const floor = TRENDING_FLOOR_PER_DAY * PERIOD_DAYS[period];
  if (entries.length === 0) {
    return html`<p class="muted">None yet: trending needs two whole ${period}s loaded, and a package with at least ${formatCount(floor)} downloads in the ${period} before.</p>`;
  }
  return html`<ol class="ranking">
    ${entries.map(
      (entry) =>
        html`<li><a href="${packageUrl(entry.package)}">${entry.package}</a><span class="num" title="${formatCount(entry.previous)} → ${formatCount(entry.downloads)}">${growthLabel(entry)}</span></li>`,
    )}
  </ol>
  <p class="small muted">Growth against the ${period} before, among packages with at least ${formatCount(floor)} downloads then (${TRENDING_FLOOR_PER_DAY} a day).</p>`;
}

function periodSwitch(current: TopPeriod) {
  return html`<nav class="segmented" aria-label="Period">
    <span class="segments">${TOP_PERIODS.map(
      (period) => html`<a href="${topUrl(period)}"${period === current ? html` aria-current="page"` : ''}><span>${PERIOD_TITLES[period]}</span></a>`,
    )}</span>
  </nav>`;
}

export function topPage(assets: Assets, facts: SiteFacts, period: TopPeriod): string {
  const trending = isTrendingPeriod(period)
    ? trendingRanking(period, facts.trending[period])
    : html`<p class="muted">A day against the day before says more about the weekday than about a package: trending compares <a href="${topUrl('week')}">weeks</a> or <a href="${topUrl('month')}">months</a>.</p>`;
  const body = html`<div class="page-head">
  <div>
    <h1>Top packages</h1>
    <p class="lead">The ${SITE_LIST_LENGTH} most downloaded packages and the ${SITE_LIST_LENGTH} that grew most, without mirrors${
      facts.latestDay ? html`, up to <time datetime="${facts.latestDay}">${formatDay(facts.latestDay)}</time>` : ''
    }. All of them: <a href="/api#top"><code>/api/top</code></a> and <a href="/api#trending"><code>/api/trending</code></a>.</p>
  </div>
</div>
${periodSwitch(period)}
<div class="top-grid">
  <section class="card" aria-labelledby="top-${period}">
    <h2 id="top-${period}">Most downloaded · ${PERIOD_TITLES[period]}</h2>
    ${ranking(facts.top[period])}
  </section>
  <section class="card" aria-labelledby="trending-${period}">
    <h2 id="trending-${period}">Trending · ${PERIOD_TITLES[period]}</h2>
    ${trending}
  </section>
</div>`;
  return renderPage({ assets, title: 'Top packages', description: 'The most downloaded and the trending packages on PyPI.', section: 'top', body });
}
