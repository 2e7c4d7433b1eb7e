/** The signed-in user's page: tracked packages with their recent downloads, and API tokens. */
import type { ApiToken } from '../../store/accounts.js';
import type { RecentDownloads } from '../../store/types.js';
import type { Assets } from '../assets.js';
import { formatCount } from '../format.js';
import { html, type Html } from '../html.js';
import { renderPage } from '../layout.js';
import { sparkline } from '../sparkline.js';
import { packageUrl } from '../urls.js';

export interface TrackedRow {
  name: string;
  recent: RecentDownloads;
  /** Daily downloads over the last 30 days, oldest first. */
  daily: number[];
}

export const USER_SORTS = ['name', 'day', 'week', 'month'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export interface UserPageData {
  login: string;
  csrf: string;
  tracked: TrackedRow[];
  max: number;
  sort: UserSort;
  tokens: ApiToken[];
  /** A token just made: shown this once. */
  newToken?: { name: string; value: string } | undefined;
  /** What went wrong with the last form, shown at its top. */
  problem?: Html | string | undefined;
  /** What the last form did. */
  notice?: string | undefined;
  /** Whether this user may use the admin console. */
  admin: boolean;
}

const SORT_LABELS: Record<UserSort, string> = { name: 'Package', day: 'Last day', week: 'Last week', month: 'Last month' };

export function sortTracked(rows: TrackedRow[], sort: UserSort): TrackedRow[] {
  const key = { day: 'lastDay', week: 'lastWeek', month: 'lastMonth' } as const;
  return [...rows].sort((a, b) => (sort === 'name' ? a.name.localeCompare(b.name) : b.recent[key[sort]] - a.recent[key[sort]] || a.name.localeCompare(b.name)));
}

export function csrfField(token: string): Html {
  return html`<input type="hidden" name="csrf" value="${token}">`;
}

export function userPage(assets: Assets, data: UserPageData): string {
  const header = (sort: UserSort) =>
    html`<th scope="col"${sort === data.sort ? html` aria-sort="${sort === 'name' ? 'ascending' : 'descending'}"` : ''}><a href="/user?sort=${sort}">${SORT_LABELS[sort]}</a></th>`;
  const rows = sortTracked(data.tracked, data.sort).map(
    (row) => html`<tr>
  <th scope="row"><a href="${packageUrl(row.name)}">${row.name}</a></th>
  <td class="num">${formatCount(row.recent.lastDay)}</td>
  <td class="num">${formatCount(row.recent.lastWeek)}</td>
  <td class="num">${formatCount(row.recent.lastMonth)}</td>
  <td>${sparkline(row.daily, `daily downloads of ${row.name} over the last 30 days`)}</td>
  <td><form method="post" action="/user/packages">${csrfField(data.csrf)}<input type="hidden" name="package" value="${row.name}"><input type="hidden" name="action" value="remove"><button type="submit" class="secondary">Untrack</button></form></td>
</tr>`,
  );
  const tokens = data.tokens.map(
    (token) => html`<tr>
  <th scope="row">${token.name}</th>
  <td>${token.createdAt.slice(0, 10)}</td>
  <td>${token.lastUsedAt?.slice(0, 10) ?? 'never'}</td>
  <td>${token.revokedAt ? html`revoked ${token.revokedAt.slice(0, 10)}` : html`<form method="post" action="/user/tokens/${token.id}/revoke">${csrfField(data.csrf)}<button type="submit" class="secondary">Revoke</button></form>`}</td>
</tr>`,
  );
  const body = html`<div class="page-head">
  <div>
    <p class="eyebrow">Signed in as ${data.login}</p>
    <h1>Your packages</h1>
  </div>
  <div class="account-actions">
    ${data.admin ? html`<a class="button-link" href="/admin">Admin console</a>` : ''}
    <form method="post" action="/logout">${csrfField(data.csrf)}<button type="submit" class="secondary">Sign out</button></form>
  </div>
</div>
${data.problem ? html`<p class="form-problem" role="alert">${data.problem}</p>` : ''}
${data.notice ? html`<p class="form-notice" role="status">${data.notice}</p>` : ''}
<section aria-labelledby="tracked-heading">
  <h2 id="tracked-heading">Tracked packages <span class="muted">(${data.tracked.length} of ${data.max})</span></h2>
  ${
    rows.length > 0
      ? html`<div class="breakdown-table"><table>
  <thead><tr>${header('name')}${header('day')}${header('week')}${header('month')}<th scope="col">Last 30 days</th><th scope="col"><span class="visually-hidden">Untrack</span></th></tr></thead>
  <tbody>${rows}</tbody>
</table></div>`
      : html`<p>You track no packages yet.</p>`
  }
  <form class="track-form" method="post" action="/user/packages">
    ${csrfField(data.csrf)}<input type="hidden" name="action" value="add">
    <label for="track-package">Track a package</label>
    <div class="search-row"><input id="track-package" name="package" type="search" placeholder="Package name, e.g. requests" autocomplete="off" autocapitalize="off" spellcheck="false" maxlength="200" required><button type="submit">Track</button></div>
    <p class="muted">Not sure of the name? <a href="/search">Search the packages</a>: each package's page has a Track button.</p>
  </form>
</section>
<section aria-labelledby="tokens-heading">
  <h2 id="tokens-heading">API tokens</h2>
  <p>A token lets a dashboard or a badge service call the <a href="/api">JSON API</a> with <code>Authorization: Bearer &lt;token&gt;</code>, counted against the token's own rate limit instead of its address's.</p>
  ${
    data.newToken
      ? html`<div class="form-notice" role="status"><p>Your new token <strong>${data.newToken.name}</strong>; copy it now, it is not shown again:</p><p><code class="new-token">${data.newToken.value}</code></p></div>`
      : ''
  }
  ${tokens.length > 0 ? html`<div class="breakdown-table"><table><thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Revoke</span></th></tr></thead><tbody>${tokens}</tbody></table></div>` : ''}
  <form class="track-form" method="post" action="/user/tokens">
    ${csrfField(data.csrf)}
    <label for="token-name">New token</label>
    <div class="search-row"><input id="token-name" name="name" placeholder="What it is for, e.g. my dashboard" maxlength="100" required><button type="submit">Create token</button></div>
  </form>
</section>`;
  return renderPage({ assets, title: 'Your packages', section: null, body });
}

/** The form a package page shows a signed-in user: track, or untrack when tracked. */
export function trackForm(name: string, tracked: boolean, csrf: string): Html {
  return html`<form class="track-button" method="post" action="/user/packages">${csrfField(csrf)}<input type="hidden" name="package" value="${name}"><input type="hidden" name="action" value="${tracked ? 'remove' : 'add'}"><input type="hidden" name="next" value="${packageUrl(name)}"><button type="submit"${tracked ? html` class="secondary"` : ''}>${tracked ? 'Untrack' : 'Track'}</button></form>`;
}
