/** The admin console: start a job, watch the jobs, and the load history of every loader (CLI and schedule included). */
import { JOB_KINDS, type Job } from '../../store/accounts.js';
import type { LoadRecord } from '../../store/types.js';
import type { Assets } from '../assets.js';
import { formatCount } from '../format.js';
import { html, type Html } from '../html.js';
import { renderPage } from '../layout.js';
import { csrfField } from './user.js';

export interface AdminPageData {
  login: string;
  csrf: string;
  sources: string[];
  jobs: Job[];
  loads: LoadRecord[];
  /** Defaults of the start form: yesterday. */
  defaultDay: string;
  /** Defaults of the backfill form: the month a year before yesterday's. */
  defaultMonth: string;
  problem?: string | undefined;
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

/** The kinds the first form starts, over days; a backfill of months has a form of its own. */
const DAY_KINDS = JOB_KINDS.filter((kind) => kind !== 'backfill');

export function describeJobTarget(job: Pick<Job, 'kind' | 'from' | 'to' | 'source'>): string {
  if (job.kind === 'purge') return `purge before ${job.from}`;
  if (job.kind === 'backfill') return `backfill ${job.from === job.to ? job.from : `${job.from} – ${job.to}`} from ${job.source}`;
  return `load ${job.from === job.to ? job.from : `${job.from} – ${job.to}`} from ${job.source}`;
}

function jobActions(job: Job, csrf: string): Html {
  if (!FINISHED.has(job.status)) {
    return html`<form method="post" action="/admin/jobs/${job.id}/cancel">${csrfField(csrf)}<button type="submit" class="secondary">Cancel</button></form>`;
  }
  if (job.status === 'succeeded') return html``;
  return html`<form method="post" action="/admin/jobs/${job.id}/retry">${csrfField(csrf)}<button type="submit" class="secondary">Retry</button></form>`;
}

function jobRow(job: Job, csrf: string): Html {
  return html`<tr data-job="${job.id}">
  <th scope="row"><a href="/admin/jobs/${job.id}">${job.id}</a></th>
  <td>${describeJobTarget(job)}${job.retryOf !== null ? html` <span class="muted">(retry of ${job.retryOf})</span>` : ''}</td>
  <td>${job.requestedBy}</td>
  <td><time datetime="${job.createdAt}">${job.createdAt.slice(0, 16).replace('T', ' ')}</time></td>
  <td class="job-status">${job.status}</td>
  <td class="num">${job.progress.done} / ${job.progress.total}</td>
  <td class="num">${formatCount(job.rows)}</td>
  <td class="num">${formatCount(job.skipped)}</td>
  <td class="job-error">${job.error ?? ''}</td>
  <td>${jobActions(job, csrf)}</td>
</tr>`;
}

export function adminPage(assets: Assets, data: AdminPageData): string {
  const running = data.jobs.some((job) => !FINISHED.has(job.status));
  const body = html`<div class="page-head"><div><p class="eyebrow">Signed in as ${data.login}</p><h1>Admin console</h1></div></div>
${data.problem ? html`<p class="form-problem" role="alert">${data.problem}</p>` : ''}
<section aria-labelledby="start-heading">
  <h2 id="start-heading">Start a job</h2>
  ${
    data.sources.length === 0
      ? html`<p class="muted">No load source is configured (<code>LOAD_INPUT</code> for files, Google credentials for BigQuery): only a purge can run.</p>`
      : ''
  }
  <form class="track-form" method="post" action="/admin/jobs">
    ${csrfField(data.csrf)}
    <p><label for="job-kind">What</label> <select id="job-kind" name="kind">${DAY_KINDS.map((kind) => html`<option value="${kind}">${kind === 'load' ? 'Load days (replacing them)' : 'Purge the days before “from”'}</option>`)}</select></p>
    <p><label for="job-from">From</label> <input id="job-from" name="from" type="date" value="${data.defaultDay}" required>
       <label for="job-to">to</label> <input id="job-to" name="to" type="date" value="${data.defaultDay}"></p>
    <p><label for="job-source">Source</label> <select id="job-source" name="source">${data.sources.map((source) => html`<option value="${source}">${source}</option>`)}<option value="">(none: purge)</option></select></p>
    <p><button type="submit">Start</button></p>
  </form>
  ${
    data.sources.length === 0
      ? ''
      : html`<h3 id="backfill-heading">Backfill months</h3>
  <p class="muted">Monthly totals of history before the daily loads, as <code>pypistats backfill</code> fills them: a month at a time, each written whole; a month backfilled already is skipped.</p>
  <form class="track-form" method="post" action="/admin/jobs" aria-labelledby="backfill-heading">
    ${csrfField(data.csrf)}<input type="hidden" name="kind" value="backfill">
    <p><label for="backfill-from">From</label> <input id="backfill-from" name="from" type="month" placeholder="YYYY-MM" value="${data.defaultMonth}" required>
       <label for="backfill-to">to</label> <input id="backfill-to" name="to" type="month" placeholder="YYYY-MM" value="${data.defaultMonth}" required></p>
    <p><label for="backfill-source">Source</label> <select id="backfill-source" name="source">${data.sources.map((source) => html`<option value="${source}">${source}</option>`)}</select></p>
    <p><button type="submit">Backfill</button></p>
  </form>`
  }
</section>
<section aria-labelledby="jobs-heading">
  <h2 id="jobs-heading">Jobs</h2>
  ${running ? html`<p class="muted">A job is running: <a href="/admin">reload</a> for its progress, or open it (its page follows it live).</p>` : ''}
  ${
    data.jobs.length === 0
      ? html`<p>No jobs yet.</p>`
      : html`<div class="breakdown-table"><table><thead><tr><th scope="col">Job</th><th scope="col">What</th><th scope="col">Who</th><th scope="col">When (UTC)</th><th scope="col">Status</th><th scope="col">Done</th><th scope="col">Rows</th><th scope="col">Skipped</th><th scope="col">Error</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead><tbody>${data.jobs.map((job) => jobRow(job, data.csrf))}</tbody></table></div>`
  }
</section>
<section aria-labelledby="loads-heading">
  <h2 id="loads-heading">Load history</h2>
  <p class="muted">Every attempt to load a day, by a job, the schedule or <code>pypistats load</code>.</p>
  ${
    data.loads.length === 0
      ? html`<p>No loads yet.</p>`
      : html`<div class="breakdown-table"><table><thead><tr><th scope="col">Day</th><th scope="col">Source</th><th scope="col">Started (UTC)</th><th scope="col">Status</th><th scope="col">Rows</th><th scope="col">Skipped</th><th scope="col">Error</th></tr></thead><tbody>${data.loads.map(
          (load) => html`<tr><th scope="row">${load.day}</th><td>${load.source}</td><td>${load.startedAt.slice(0, 16).replace('T', ' ')}</td><td>${load.status}</td><td class="num">${load.rowsOut === null ? '' : formatCount(load.rowsOut)}</td><td class="num">${load.skipped === null ? '' : formatCount(load.skipped)}</td><td>${load.error ?? ''}</td></tr>`,
        )}</tbody></table></div>`
  }
</section>`;
  return renderPage({ assets, title: 'Admin console', section: null, body });
}

/** One job, followed live: the page reloads itself every few seconds until the job ends. */
export function jobPage(assets: Assets, job: Job, csrf: string): string {
  const live = !FINISHED.has(job.status);
  const body = html`${live ? html`<meta http-equiv="refresh" content="2">` : ''}
<div class="page-head"><div><p class="eyebrow"><a href="/admin">Admin console</a></p><h1>Job ${job.id}: ${describeJobTarget(job)}</h1></div></div>
<div class="breakdown-table"><table><tbody>${jobRow(job, csrf)}</tbody></table></div>
<dl class="job-facts">
  <dt>Status</dt><dd class="job-status">${job.status}</dd>
  <dt>Progress</dt><dd><progress max="${job.progress.total}" value="${job.progress.done}"></progress> ${job.progress.done} of ${job.progress.total} ${job.kind === 'backfill' ? 'months' : 'days'}</dd>
  <dt>Asked by</dt><dd>${job.requestedBy}, ${job.createdAt}</dd>
  <dt>Started</dt><dd>${job.startedAt ?? 'not yet'}</dd>
  <dt>Finished</dt><dd>${job.finishedAt ?? (live ? 'running' : '')}</dd>
  ${job.error ? html`<dt>Error</dt><dd><pre class="job-error">${job.error}</pre></dd>` : ''}
</dl>
<p class="muted">As JSON: <code>curl -H 'Accept: application/json'</code> this page.</p>`;
  return renderPage({ assets, title: `Job ${job.id}`, section: null, body });
}

/** A job as `GET /admin/jobs/<id>` answers it in JSON, keys in alphabetical order as the API's are. */
export function jobJson(job: Job): Record<string, unknown> {
  return {
    cancelRequested: job.cancelRequested,
    createdAt: job.createdAt,
    error: job.error,
    finishedAt: job.finishedAt,
    from: job.from,
    id: job.id,
    kind: job.kind,
    progress: { done: job.progress.done, total: job.progress.total },
    requestedBy: job.requestedBy,
    retryOf: job.retryOf,
    rows: job.rows,
    skipped: job.skipped,
    source: job.source,
    startedAt: job.startedAt,
    status: job.status,
    to: job.to,
  };
}
