/** `/faqs`: what is counted, what is not, when, and why other services say otherwise. */
import type { Assets } from '../assets.js';
import { html, type Html } from '../html.js';
import { renderPage } from '../layout.js';

function question(id: string, title: string, answer: Html) {
  return html`<section class="faq" id="${id}">
  <h2><a href="#${id}">${title}</a></h2>
  ${answer}
</section>`;
}

export function faqsPage(assets: Assets, options: { retentionDays: number; mirrorInstallers: readonly string[] }): string {
  const mirrors = options.mirrorInstallers.map((name, i) => html`${i > 0 ? ', ' : ''}<code>${name}</code>`);
  const body = html`<div class="page-head">
  <div>
    <h1>Frequently asked questions</h1>
    <p class="lead">What the numbers count, where they come from, and why they differ from other services.</p>
  </div>
</div>
<div class="prose faqs">
${question(
  'data-source',
  'Where does the data come from?',
  html`<p>From PyPI itself. Every download of a file from PyPI is logged, and the Python Software Foundation publishes these logs in the public BigQuery table <code>bigquery-public-data.pypi.file_downloads</code>: one row per download, with the project, the file, and what the installer reports of itself (its name, the Python version, the operating system).</p>
  <p>PyPI Stats sums these rows per package, UTC day and category. A download is the fetch of one distribution file (a wheel or a source archive); fetches of a file's <code>.metadata</code> alone are not downloads and are left out.</p>`,
)}
${question(
  'mirrors',
  'What are mirrors, and why are they left out?',
  html`<p>A mirror keeps a copy of PyPI, or of part of it, for an organisation's own use. Mirroring tools download every new file of every package they follow, whether anyone uses it or not, so a release can get thousands of downloads within hours that say nothing about its use.</p>
  <p>Downloads by the installers ${mirrors} are counted as mirror downloads. Every number on this site leaves them out, except the <em>with mirrors</em> line of the overall chart, which shows everything. Its <em>Share %</em> view shows the part that came from mirrors.</p>`,
)}
${question(
  'updates',
  'When is the data updated?',
  html`<p>Once a day, after the end of the UTC day: each load adds the previous day. The date a package page shows ("Data up to …") is the latest day loaded. Days are UTC days, so "yesterday" may be today in your time zone.</p>`,
)}
${question(
  'retention',
  'How far back does it go?',
  html`<p>${options.retentionDays} days, ending at the latest day loaded. Older days are deleted after each load. For longer histories, query the BigQuery table directly.</p>`,
)}
${question(
  'differences',
  'Why do the counts differ from other services?',
  html`<ul>
    <li><strong>Mirrors.</strong> Services that count every download include mirrors; this site leaves them out by default (see above).</li>
    <li><strong>Days.</strong> Days here are UTC days; a service counting in another time zone splits the same downloads differently.</li>
    <li><strong>Metadata fetches.</strong> Fetching a file's <code>.metadata</code> is not a download here. Until August 2026 PyPI logged these too, and services counting every row count them.</li>
    <li><strong>Unknown Python versions.</strong> Downloads whose installer does not report a Python version count in the totals, in the <em>unknown</em> category of the version charts (pypistats.org left them out of its totals).</li>
    <li><strong>Downloads are not installs.</strong> Continuous integration downloads the same file again and again, while caches and private indexes install without downloading from PyPI at all.</li>
  </ul>`,
)}
${question(
  'api',
  'Can I get the numbers as data?',
  html`<p>Yes: the <a href="/api">JSON API</a> gives every number on these pages, with the same URLs as pypistats.org's API.</p>`,
)}
</div>`;
  return renderPage({ assets, title: 'FAQs', description: 'What PyPI Stats counts, where the data comes from and when it is updated.', section: 'faqs', body });
}
