/** `/search?q=`: packages whose normalized name starts with the query. The query is shown as typed, escaped. */
import type { Assets } from '../assets.js';
import { html } from '../html.js';
import { renderPage, searchForm } from '../layout.js';
import { SEARCH_LIMIT, type SearchResult } from '../search.js';
import { packageUrl } from '../urls.js';

function results(result: SearchResult) {
  if (result.names.length === 0) {
    return html`<div class="card empty-state">
  <p><strong>No package name starts with “${result.prefix || result.query}”.</strong></p>
  <p class="muted">Names are compared as PyPI compares them: case, <code>.</code> and <code>_</code> do not matter (<code>Zope.Interface</code> is <code>zope-interface</code>). Only packages with downloads in the kept days are listed.</p>
</div>`;
  }
  return html`<p class="muted">${
    result.more ? `The first ${SEARCH_LIMIT} packages starting with “${result.prefix}”: type more to narrow them down.` : `${result.names.length} ${result.names.length === 1 ? 'package' : 'packages'} starting with “${result.prefix}”.`
  }</p>
<ul class="card result-list">
  ${result.names.map(
    (name) => html`<li><a href="${packageUrl(name)}">${name}</a>${name === result.prefix ? html` <span class="badge">exact match</span>` : ''}</li>`,
  )}
</ul>`;
}

export function searchPage(assets: Assets, result: SearchResult | null): string {
  const body = html`<div class="page-head">
  <div>
    <h1>${result ? html`Search: “${result.query}”` : 'Search packages'}</h1>
  </div>
</div>
${searchForm({ id: 'search-page-input', query: result?.query, className: 'hero-search', autofocus: result === null, label: 'Package name or the start of one' })}
${result ? results(result) : ''}`;
  return renderPage({ assets, title: result ? `Search: ${result.query}` : 'Search', section: null, headerSearch: false, body });
}
