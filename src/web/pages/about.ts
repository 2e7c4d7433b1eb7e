/** `/about`: what the site is and where its numbers come from. */
import { ALL_PACKAGES } from '../../domain/names.js';
import type { Assets } from '../assets.js';
import { html } from '../html.js';
import { renderPage } from '../layout.js';
import { packageUrl } from '../urls.js';

export function aboutPage(assets: Assets, options: { retentionDays: number }): string {
  const body = html`<div class="page-head">
  <div>
    <h1>About PyPI Stats</h1>
    <p class="lead">How much is each Python package downloaded, on which Python versions and operating systems?</p>
  </div>
</div>
<div class="prose">
<p>PyPI Stats counts the downloads of every package on the <a href="https://pypi.org/" rel="noopener">Python Package Index</a>, day by day, from PyPI's public download logs. For each package it shows the downloads of the last day, week and month, and daily charts of the last ${options.retentionDays} days: overall (with and without mirrors), by Python major and minor version, and by operating system.</p>
<p>It continues <a href="https://pypistats.org/" rel="noopener">pypistats.org</a>: the same pages, the same <a href="/api">JSON API</a> (the <code>pypistats</code> command line client and shields.io badges work with it unchanged), and some of its bugs fixed. Package names containing dots are found, and downloads by Python versions nobody recognises still count in the totals.</p>

<h2>How it works</h2>
<p>Once a day, the raw download events of the previous UTC day, one per file downloaded, are read from PyPI's public dataset and summed per package, day and category. The totals of <a href="${packageUrl(ALL_PACKAGES)}">all of PyPI</a> are the sum over every package. A day is loaded whole: the pages show either the previous data or the new, never half of a day. The <a href="/faqs">FAQs</a> say more about what is counted.</p>

<h2 id="demo-data">Demo data</h2>
<p>A new installation with no data loads <em>demo data</em> on its first start (or from <code>pypistats demo</code>): a few hundred packages with made-up daily downloads, shaped like real ones (weekly rhythm, Python versions, operating systems) so that every page and the API can be tried before real data is loaded. While any loaded day is demo data, every page says so in a notice under its header, and <code>pypistats status</code> says so too. Its numbers are not PyPI's: loading real days (and purging or replacing the demo's) makes the notice go.</p>

<h2>Open source</h2>
<p>The service is open source, written in TypeScript. It runs as one process over a SQLite file, or at scale over PostgreSQL with the heavy aggregation done in BigQuery. The charts are drawn with <a href="https://github.com/leeoniya/uPlot" rel="noopener">uPlot</a>, served from this site: pages load nothing from other hosts.</p>
</div>`;
  return renderPage({ assets, title: 'About', description: 'What PyPI Stats is and how it counts downloads.', section: 'about', body });
}
