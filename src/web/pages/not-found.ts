/** Pages that say something is not here, or that the request cannot be answered, with a way on: a search box. */
import type { Assets } from '../assets.js';
import { html, type Html } from '../html.js';
import { renderPage, searchForm } from '../layout.js';

export function problemPage(assets: Assets, options: { title: string; message: Html | string; query?: string }): string {
  const body = html`<section class="problem">
  <h1>${options.title}</h1>
  <p class="lead">${options.message}</p>
  ${searchForm({ id: 'problem-search', query: options.query, className: 'hero-search', label: 'Look for a package' })}
  <p><a href="/">Home</a> · <a href="/top">Top packages</a></p>
</section>`;
  return renderPage({ assets, title: options.title, section: null, headerSearch: false, body });
}

export function pageNotFound(assets: Assets, path: string): string {
  return problemPage(assets, { title: 'Page not found', message: html`Nothing is at <code>${path}</code>.` });
}

export function packageNotFound(assets: Assets, name: string): string {
  return problemPage(assets, {
    title: 'No data for this package',
    message: html`No downloads of <strong>${name}</strong> are recorded in the days kept here. The name may be misspelt, or the package new or unused.`,
    query: name,
  });
}
