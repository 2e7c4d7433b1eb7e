/** The frame of every page: head, header with navigation and search, footer. */
import type { AssetName, Assets } from './assets.js';
import { html, toHtmlString, type Html } from './html.js';

export type Section = 'home' | 'top' | 'all' | 'api' | 'about' | 'faqs' | null;

export interface PageOptions {
  assets: Assets;
  /** The page's own title; " · PyPI Stats" is added. */
  title: string;
  description?: string;
  /** Which navigation entry is this page's. */
  section?: Section;
  /** Whether the header has a search box (pages with their own big one leave it out). */
  headerSearch?: boolean;
  /** Scripts the page runs, beyond none. */
  scripts?: AssetName[];
  body: Html;
}

const SITE_NAME = 'PyPI Stats';

const NAVIGATION: { section: Exclude<Section, null>; href: string; label: string }[] = [
  { section: 'top', href: '/top', label: 'Top packages' },
  { section: 'all', href: '/packages/__all__', label: 'All of PyPI' },
  { section: 'api', href: '/api', label: 'API' },
  { section: 'about', href: '/about', label: 'About' },
  { section: 'faqs', href: '/faqs', label: 'FAQs' },
];

export function searchForm(options: { id: string; query?: string; className: string; autofocus?: boolean; label: string }): Html {
  return html`<form class="${options.className}" role="search" action="/search" method="get">
  <label for="${options.id}" class="${options.className === 'hero-search' ? 'search-label' : 'visually-hidden'}">${options.label}</label>
  <div class="search-row">
    <input id="${options.id}" name="q" type="search" value="${options.query ?? ''}" placeholder="Package name, e.g. requests" autocomplete="off" autocapitalize="off" spellcheck="false" enterkeyhint="search" maxlength="200" required${options.autofocus ? html` autofocus` : ''}>
    <button type="submit">Search</button>
  </div>
</form>`;
}

/**
 * Where a notice about the whole site goes, right under the header. Pages are rendered once and
 * reused (static ones at start); the notice depends on the data, so it is put in when sent.
 */
const NOTICE_SLOT = '<!--site-notice-->';
// Interpolated text is escaped, so no content of a page can make a second slot.

const DEMO_NOTICE = toHtmlString(html`<p class="site-notice" role="note"><strong>Demo data.</strong> These numbers are made up by <code>pypistats demo</code>, not PyPI's downloads. <a href="/about#demo-data">What this means</a></p>`);

/** `page` with the demo-data notice under its header. */
export function withDemoNotice(page: string): string {
  return page.replace(NOTICE_SLOT, DEMO_NOTICE + NOTICE_SLOT);
}

/** The label of the navigation entry and headings of `__all__`, our own text in our own elements. */
const ALL_OF_PYPI = '>All of PyPI<';

/** The package page's link to the package's page on the index its metadata came from (PYPI_URL). */
const VIEW_ON_PYPI = '>View on PyPI ↗<';
/** `__all__`'s summary on its package page. */
const ALL_OF_PYPI_SUMMARY = '>Downloads of every package on PyPI, summed.<';

/**
 * `page` as a private index's (INDEX_NAME) site shows it: a line under the header saying whose
 * downloads these are, `__all__` called all of that index rather than all of PyPI, and a
 * package's link named after the index (its metadata comes from the index's own API, if any).
 */
export function withIndexName(page: string, indexName: string): string {
  const notice = toHtmlString(html`<p class="site-notice index-notice" role="note">Downloads from <strong>${indexName}</strong>, from its web server's access logs: all packages and totals here are this index's, not PyPI's.</p>`);
  return page
    .replace(NOTICE_SLOT, notice + NOTICE_SLOT)
    .replaceAll(ALL_OF_PYPI, toHtmlString(html`>All of ${indexName}<`))
    .replace(ALL_OF_PYPI_SUMMARY, toHtmlString(html`>Downloads of every package on ${indexName}, summed.<`))
    .replace(VIEW_ON_PYPI, toHtmlString(html`>View on ${indexName} ↗<`));
}

const ACCOUNT_SLOT = '<!--site-account-->';
/** The same for every visitor (pages are shared): signed out, /user sends to sign-in. */
const ACCOUNT_LINK = toHtmlString(html`<a class="account-link" href="/user">Your packages</a>`);

/** `page` with the link to the user's page, where sign-in is on. */
export function withAccountLink(page: string): string {
  return page.replace(ACCOUNT_SLOT, ACCOUNT_LINK);
}

/** Where a package page puts what a signed-in user may do with the package (its Track button). */
export const PACKAGE_ACTIONS_SLOT = '<!--package-actions-->';

export function renderPage(options: PageOptions): string {
  const { assets } = options;
  const title = options.section === 'home' ? `${SITE_NAME}: PyPI download statistics` : `${options.title} · ${SITE_NAME}`;
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
${options.description ? html`<meta name="description" content="${options.description}">` : ''}
<link rel="icon" href="${assets.url('icon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${assets.url('site.css')}">
${(options.scripts ?? []).map((name) => html`<script src="${assets.url(name)}" defer></script>`)}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
  <div class="bar">
    <a class="brand" href="/"><img src="${assets.url('icon.svg')}" alt="" width="28" height="28"><span>${SITE_NAME}</span></a>
    <nav aria-label="Site">
      ${NAVIGATION.map(
        (item) =>
          html`<a href="${item.href}"${item.section === options.section ? html` aria-current="page"` : ''}>${item.label}</a>`,
      )}
    </nav>
    ${options.headerSearch === false ? '' : searchForm({ id: 'header-search', className: 'header-search', label: 'Search packages' })}
    <!--site-account-->
  </div>
</header>
<!--site-notice-->
<main id="main">
${options.body}
</main>
<footer class="site-footer">
  <p>Download counts of PyPI packages from PyPI's public download logs, updated daily. Not affiliated with the Python Software Foundation.</p>
  <p><a href="/about">About</a> · <a href="/faqs">FAQs</a> · <a href="/api">JSON API</a></p>
</footer>
</body>
</html>
`;
  return toHtmlString(page);
}
