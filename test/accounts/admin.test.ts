/**
 * The admin console against `pypistats serve` (built), signed in through the GitHub stand-in:
 * jobs run in load workers outside the request, with progress, history, retry and cancel, and a
 * job whose server was killed shows as interrupted. On both stores.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { addDays, dayRange, yesterdayUtc } from '../../src/domain/dates.js';
import { dimensions } from '../../src/domain/dimensions.js';
import { monthRange } from '../../src/domain/months.js';
import { ALL_PACKAGES } from '../../src/domain/names.js';
import { dayLockName } from '../../src/pipeline/load.js';
import { JOB_STALE_MS, type Job } from '../../src/store/accounts.js';
import type { SeriesPoint, Store } from '../../src/store/types.js';
import { spawn } from 'node:child_process';
import { BIN, childEnv, runCli, startServer, type RunningServer } from '../support/cli.js';
import { startGithubStandin, type GithubStandin } from '../support/github-standin.js';
import { download, tempDir, writeNdjson } from '../support/raw-events.js';
import { HttpCookieClient, TEST_SESSION_SECRET } from '../support/sign-in.js';
import { describeEachStore, freshStoreEachTest, type TestStore } from '../support/stores.js';

const yesterday = yesterdayUtc();
/** Days with files: yesterday and the two before. */
const withFiles = [addDays(yesterday, -2), addDays(yesterday, -1), yesterday];
/** A day without one, until a test writes it. */
const missing = addDays(yesterday, -3);
/** A long range for cancel and kill: forty days, each loaded by a worker of its own. */
const longRange = { from: addDays(yesterday, -60), to: addDays(yesterday, -21) };
/** Bounds of the polling loops: generous, for a busy machine. */
const WAIT_MS = 120_000;
const LONG_TEST_MS = 240_000;

/** Months of history a backfill job fills, long before the daily loads' window: three with events, and a long run for cancel. */
const backfillMonths = { from: '2024-01', to: '2024-03' };
const longBackfill = { from: '2021-01', to: '2022-12' };
const BACKFILL_PACKAGES = ['requests', 'boto3', 'numpy'];
/** Five years of months for a CLI backfill long enough to be cancelled and killed while it runs. */
const cliBackfill = { from: '2015-01', to: '2019-12' };

let dir: string;
let github: GithubStandin;
/** Raw events of every month of backfillMonths and longBackfill, one file as a BigQuery export of any span is. */
let historyFile: string;
let cliHistoryFile: string;

async function writeDay(day: string, downloads: number): Promise<void> {
  const events = Array.from({ length: downloads }, (_, i) => download(i % 2 === 0 ? 'requests' : 'boto3', `${day}T0${i % 10}:00:00Z`));
  await writeNdjson(path.join(dir, `${day}.ndjson`), events);
}

beforeAll(async () => {
  dir = await tempDir('pypistats-admin-');
  github = await startGithubStandin();
  for (const day of withFiles) await writeDay(day, 40);
  for (const day of dayRange(longRange.from, longRange.to)) await writeDay(day, 40);
  const history = [...monthRange(backfillMonths.from, backfillMonths.to), ...monthRange(longBackfill.from, longBackfill.to)].flatMap((month) =>
    Array.from({ length: 30 }, (_, i) => download(BACKFILL_PACKAGES[i % 3]!, `${month}-${String(1 + (i % 28)).padStart(2, '0')}T1${i % 10}:00:00Z`, { python: i % 2 === 0 ? '3.12.1' : '3.11.4' })),
  );
  historyFile = await writeNdjson(path.join(dir, 'history.ndjson'), history);
  const cliHistory = monthRange(cliBackfill.from, cliBackfill.to).flatMap((month) => Array.from({ length: 10 }, (_, i) => download('requests', `${month}-1${i}T12:00:00Z`)));
  cliHistoryFile = await writeNdjson(path.join(dir, 'cli-history.ndjson'), cliHistory);
});

/** Every month of every dimension of the backfilled packages and __all__: what two backfills must agree on. */
async function everyMonth(store: Store): Promise<Record<string, SeriesPoint[]>> {
  const all: Record<string, SeriesPoint[]> = {};
  for (const name of [...BACKFILL_PACKAGES, ALL_PACKAGES]) {
    for (const dimension of dimensions) {
      const points = await store.monthSeries(name, dimension.name, {});
      if (points.length > 0) all[`${name}/${dimension.name}`] = points.sort((a, b) => a.day.localeCompare(b.day) || a.category.localeCompare(b.category));
    }
  }
  return all;
}
afterAll(async () => {
  await github?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, server?: RunningServer): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${server ? `:\n${server.logs()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type JobAnswer = Job & { progress: { done: number; total: number } };

describeEachStore('the admin console', (kind) => {
  let t: TestStore;
  let server: RunningServer | undefined;
  freshStoreEachTest(kind, (fresh) => (t = fresh));
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
  });

  const env = (admins: string | undefined, overrides: Record<string, string> = {}) => ({
    DATABASE_URL: t.databaseUrl,
    DEMO_DATA: 'off',
    LOAD_INPUT: path.join(dir, '{date}.ndjson'),
    LOAD_MIN_SHARE: '0',
    RATE_LIMIT_PER_SECOND: '0',
    RATE_LIMIT_PER_MINUTE: '0',
    GITHUB_CLIENT_ID: github.clientId,
    GITHUB_CLIENT_SECRET: github.clientSecret,
    GITHUB_URL: github.url,
    GITHUB_API_URL: github.url,
    SESSION_SECRET: TEST_SESSION_SECRET,
    ...(admins === undefined ? {} : { ADMIN_GITHUB_USERS: admins }),
    ...overrides,
  });

  async function signedIn(login = 'Boss'): Promise<HttpCookieClient> {
    github.signInAs({ id: login.length, login });
    const client = new HttpCookieClient(server!.url);
    await client.signIn();
    return client;
  }

  async function jobJson(client: HttpCookieClient, id: number): Promise<JobAnswer> {
    const answer = await client.get(`/admin/jobs/${id}`, { accept: 'application/json' });
    expect(answer.statusCode).toBe(200);
    return JSON.parse(answer.body) as JobAnswer;
  }

  async function startJob(client: HttpCookieClient, fields: Record<string, string>): Promise<number> {
    const started = await client.post('/admin/jobs', { ...fields, csrf: await client.csrf('/admin') });
    expect(started.statusCode, started.body.slice(0, 2000)).toBe(303);
    return Number(/\/admin\/jobs\/(\d+)$/.exec(started.location!)![1]);
  }

  const finished = (client: HttpCookieClient, id: number) =>
    until(
      `job ${id} to end`,
      async () => {
        const job = await jobJson(client, id);
        return ['running', 'queued'].includes(job.status) ? undefined : job;
      },
      server,
    );

  it('is not there without ADMIN_GITHUB_USERS, and refuses a signed-in user not in it', async () => {
    server = await startServer(env(undefined));
    let client = await signedIn();
    expect((await client.get('/admin')).statusCode).toBe(404);
    expect((await client.post('/admin/jobs', { kind: 'load', from: yesterday, csrf: await client.csrf('/user') })).statusCode).toBe(404);
    await server.stop('SIGKILL');

    server = await startServer(env('someone-else'));
    client = await signedIn();
    const refused = await client.get('/admin');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers.get('cache-control')).toBe('private, no-store');
    expect((await client.post('/admin/jobs', { kind: 'load', from: yesterday, source: 'files', csrf: await client.csrf('/user') })).statusCode).toBe(403);
    expect((await client.get('/admin/jobs/1', { accept: 'application/json' })).statusCode).toBe(403);
    expect(server.logs()).toContain('admin console refused: not an admin');
    // Signed out: sent to sign in.
    expect((await new HttpCookieClient(server.url).get('/admin')).location).toBe('/login?next=%2Fadmin');
  });

  it('runs a load of a range as a job, with progress and history, and refuses bad input and a missing CSRF token', async () => {
    server = await startServer(env('boss,other'));
    const client = await signedIn();
    const page = await client.get('/admin');
    expect(page.statusCode).toBe(200);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    expect(page.body).toContain('<option value="files">files</option>');

    for (const [fields, message] of [
      [{ kind: 'load', from: yesterday, to: addDays(yesterday, -1), source: 'files' }, 'is after to'],
      [{ kind: 'load', from: 'yesterday', source: 'files' }, 'must be days'],
      [{ kind: 'load', from: yesterday, source: 'bigquery' }, 'not a configured source'],
      [{ kind: 'load', from: addDays(yesterday, 1), source: 'files' }, 'is not over yet'],
      [{ kind: 'reboot', from: yesterday }, 'no kind of job'],
    ] as const) {
      const refused = await client.post('/admin/jobs', { ...fields, csrf: await client.csrf('/admin') });
      expect(refused.statusCode, message).toBe(400);
      expect(refused.body).toContain(message);
    }
    expect((await client.post('/admin/jobs', { kind: 'load', from: yesterday, source: 'files' })).statusCode).toBe(403);
    expect((await client.post('/admin/jobs', { kind: 'load', from: yesterday, source: 'files', csrf: 'forged' })).statusCode).toBe(403);
    expect(await t.store.accounts.jobs(10)).toEqual([]);

    const id = await startJob(client, { kind: 'load', from: withFiles[0]!, to: yesterday, source: 'files' });
    const seen = new Set<string>();
    const job = await until(
      'the job to end',
      async () => {
        const current = await jobJson(client, id);
        seen.add(current.status);
        return current.status === 'running' || current.status === 'queued' ? undefined : current;
      },
      server,
    );
    expect(job).toMatchObject({ status: 'succeeded', kind: 'load', from: withFiles[0], to: yesterday, source: 'files', requestedBy: 'Boss', error: null, progress: { done: 3, total: 3 } });
    expect(job.rows).toBeGreaterThan(0);
    // It was seen on its way, not only at its end.
    expect(seen.has('running')).toBe(true);
    expect((await t.store.loadedDays()).map((day) => day.day)).toEqual(withFiles);
    // Its pages: the job page follows it; the console lists it and each day's load attempt.
    expect((await client.get(`/admin/jobs/${id}`)).body).toContain('<dd class="job-status">succeeded</dd>');
    const console = await client.get('/admin');
    expect(console.body).toMatch(new RegExp(`<tr data-job="${id}">[\\s\\S]*?Boss[\\s\\S]*?succeeded[\\s\\S]*?3 / 3`));
    for (const day of withFiles) expect(console.body).toContain(`<th scope="row">${day}</th>`);
    expect(server.logs()).toMatch(/"admin":"Boss","action":"start"/);
    expect((await client.get('/admin/jobs/999999', { accept: 'application/json' })).statusCode).toBe(404);

    // A purge is a job too.
    const purge = await startJob(client, { kind: 'purge', from: yesterday, source: '' });
    expect(await finished(client, purge)).toMatchObject({ status: 'succeeded', rows: 2 });
    expect((await t.store.loadedDays()).map((day) => day.day)).toEqual([yesterday]);
  }, LONG_TEST_MS);

  it('records a failed job with its error, and a retry that succeeds', async () => {
    server = await startServer(env('boss'));
    const client = await signedIn();
    const id = await startJob(client, { kind: 'load', from: missing, to: missing, source: 'files' });
    const failed = await finished(client, id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(missing);
    expect((await client.get('/admin')).body).toContain(`action="/admin/jobs/${id}/retry"`);

    await writeDay(missing, 10);
    try {
      const retried = await client.post(`/admin/jobs/${id}/retry`, { csrf: await client.csrf('/admin') });
      expect(retried.statusCode).toBe(303);
      const retryId = Number(/(\d+)$/.exec(retried.location!)![1]);
      expect(await finished(client, retryId)).toMatchObject({ status: 'succeeded', retryOf: id, error: null });
      expect((await t.store.loadedDays()).map((day) => day.day)).toEqual([missing]);
      // A succeeded job is not retried.
      expect((await client.post(`/admin/jobs/${retryId}/retry`, { csrf: await client.csrf('/admin') })).statusCode).toBe(409);
      // A load by `pypistats load` shows in the console's load history too.
      const cli = await runCli(['load', '--date', yesterday, '--input', path.join(dir, '{date}.ndjson')], { DATABASE_URL: t.databaseUrl, LOAD_MIN_SHARE: '0' });
      expect(cli.code, cli.stderr).toBe(0);
      expect((await client.get('/admin')).body).toMatch(new RegExp(`<th scope="row">${yesterday}</th><td>files</td><td>[^<]+</td><td>succeeded</td>`));
    } finally {
      await rm(path.join(dir, `${missing}.ndjson`));
    }
  }, LONG_TEST_MS);

  it('loads no day another process is loading: the day fails in the job, saying so', async () => {
    server = await startServer(env('boss'));
    const client = await signedIn();
    // Another instance (here, this test) holds the day's load lock.
    const lock = (await t.store.tryLock(dayLockName(yesterday)))!;
    try {
      const id = await startJob(client, { kind: 'load', from: addDays(yesterday, -1), to: yesterday, source: 'files' });
      const job = await finished(client, id);
      expect(job).toMatchObject({ status: 'failed', progress: { done: 2, total: 2 } });
      expect(job.error).toBe(`${yesterday}: ${yesterday} is being loaded by another process; try again when it has finished`);
      expect((await t.store.loadedDays()).map((day) => day.day)).toEqual([addDays(yesterday, -1)]);
    } finally {
      await lock.release();
    }
  }, LONG_TEST_MS);

  it('cancels a running job: its worker stops, the days done stay', async () => {
    server = await startServer(env('boss'));
    const client = await signedIn();
    const id = await startJob(client, { kind: 'load', source: 'files', ...longRange });
    await until('a day of the job to be done', async () => ((await jobJson(client, id)).progress.done >= 1 ? true : undefined), server);
    // The server answers while the job runs: the work is in its load workers, not here.
    for (const url of ['/api/packages/requests/recent', '/packages/requests', '/']) expect((await fetch(`${server.url}${url}`)).status, url).toBe(200);
    expect((await jobJson(client, id)).status).toBe('running');
    // Its page follows it live while it runs.
    expect((await client.get(`/admin/jobs/${id}`)).body).toContain('<meta http-equiv="refresh" content="2">');
    expect((await client.post(`/admin/jobs/${id}/cancel`, { csrf: await client.csrf('/admin') })).statusCode).toBe(303);
    const job = await finished(client, id);
    expect(job.status).toBe('cancelled');
    expect(job.progress.done).toBeLessThan(40);
    expect((await t.store.loadedDays()).length).toBe(job.progress.done);
    expect((await client.post(`/admin/jobs/${id}/cancel`, { csrf: await client.csrf('/admin') })).statusCode).toBe(409);
    expect(server.logs()).toMatch(/"action":"cancel"/);
  }, LONG_TEST_MS);

  it('shows a job whose server was killed as interrupted', async () => {
    server = await startServer(env('boss'));
    let client = await signedIn();
    const id = await startJob(client, { kind: 'load', source: 'files', ...longRange });
    await until('the job to run', async () => ((await jobJson(client, id)).status === 'running' ? true : undefined), server);
    await server.stop('SIGKILL');
    // Its beat stops with it; after JOB_STALE_MS without one, it is taken for dead.
    await new Promise((resolve) => setTimeout(resolve, JOB_STALE_MS + 1000));
    server = await startServer(env('boss'));
    client = await signedIn();
    const job = await jobJson(client, id);
    expect(job.status).toBe('interrupted');
    expect(job.error).toContain('its process stopped');
    expect((await client.get('/admin')).body).toContain(`action="/admin/jobs/${id}/retry"`);
    // Nothing runs it any more: it cannot be cancelled, only retried.
    expect((await client.post(`/admin/jobs/${id}/cancel`, { csrf: await client.csrf('/admin') })).statusCode).toBe(409);
  }, LONG_TEST_MS);

  it('runs a backfill of months as a job, its months those of `pypistats backfill` on the same files, and refuses what the CLI refuses', async () => {
    server = await startServer(env('boss', { LOAD_INPUT: historyFile }));
    const client = await signedIn();
    const page = await client.get('/admin');
    expect(page.body).toContain('<input type="hidden" name="kind" value="backfill">');
    expect(page.body).toContain('name="from" type="month"');

    const refusals: [Record<string, string>, string][] = [
      [{ from: '2024-13', to: '2024-03', source: 'files' }, '--from must be a month as YYYY-MM (1970-01 or later), got &quot;2024-13&quot;'],
      [{ from: '2024-01-05', to: '2024-03', source: 'files' }, '--from must be a month as YYYY-MM (1970-01 or later), got &quot;2024-01-05&quot;'],
      [{ from: '2024-01', to: 'March', source: 'files' }, '--to must be a month as YYYY-MM (1970-01 or later), got &quot;March&quot;'],
      [{ from: '2024-03', to: '2024-01', source: 'files' }, '--from (2024-03) is after --to (2024-01)'],
      [{ from: '2024-01', to: '2099-01', source: 'files' }, '--to 2099-01 is a month in the future'],
      [{ from: '2024-01', to: '', source: 'files' }, 'backfill needs --from and --to (months, YYYY-MM)'],
      [{ from: '2024-01', to: '2024-03', source: 'bigquery' }, '“bigquery” is not a configured source (configured: files)'],
    ];
    for (const [fields, message] of refusals) {
      const refused = await client.post('/admin/jobs', { kind: 'backfill', ...fields, csrf: await client.csrf('/admin') });
      expect(refused.statusCode, message).toBe(400);
      expect(refused.body).toContain(message);
    }
    // The CLI's words exactly: the same function refuses both.
    const cli = await runCli(['backfill', '--from', '2024-03', '--to', '2024-01', '--input', historyFile], { DATABASE_URL: t.databaseUrl });
    expect([cli.code, cli.stderr]).toEqual([2, 'pypistats: --from (2024-03) is after --to (2024-01)\n']);
    expect(await t.store.accounts.jobs(10)).toEqual([]);
    expect(await t.store.heldMonths(ALL_PACKAGES)).toEqual([]);

    const id = await startJob(client, { kind: 'backfill', ...backfillMonths, source: 'files' });
    const seen = new Set<string>();
    const job = await until(
      'the backfill to end',
      async () => {
        const current = await jobJson(client, id);
        seen.add(`${current.status} ${current.progress.done}/${current.progress.total}`);
        return current.status === 'running' || current.status === 'queued' ? undefined : current;
      },
      server,
    );
    expect(job).toMatchObject({ status: 'succeeded', kind: 'backfill', ...backfillMonths, source: 'files', requestedBy: 'Boss', error: null, progress: { done: 3, total: 3 }, skipped: 0 });
    expect(job.rows).toBeGreaterThan(0);
    expect([...seen].some((state) => state.startsWith('running'))).toBe(true);
    expect((await client.get(`/admin/jobs/${id}`)).body).toContain('3 of 3 months');
    expect((await t.store.heldMonths(ALL_PACKAGES)).map((held) => held.month)).toEqual(['2024-01', '2024-02', '2024-03']);
    expect((await t.store.loadedDays()).length).toBe(0);

    // `pypistats backfill` of the same files into a second store gives the same months.
    let months: Record<string, SeriesPoint[]> = {};
    const other = await kind.create();
    try {
      const cliRun = await runCli(['backfill', '--from', backfillMonths.from, '--to', backfillMonths.to, '--input', historyFile], { DATABASE_URL: other.databaseUrl });
      expect([cliRun.code, cliRun.stderr]).toEqual([0, '']);
      months = await everyMonth(t.store);
      expect(Object.keys(months).length).toBeGreaterThan(BACKFILL_PACKAGES.length);
      expect(await everyMonth(other.store)).toEqual(months);
      const [cliJob] = await other.store.accounts.jobs(1);
      expect(cliJob).toMatchObject({ kind: 'backfill', requestedBy: 'cli', status: 'succeeded', progress: { done: 3, total: 3 }, rows: job.rows });
    } finally {
      await other.dispose();
    }

    // A CLI backfill of the server's store shows in the console's job history, as its own jobs do: every month is done already.
    const again = await runCli(['backfill', '--from', backfillMonths.from, '--to', backfillMonths.to, '--input', historyFile], { DATABASE_URL: t.databaseUrl });
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(again.stdout).toContain('2024-01: already backfilled (31 days); skipped');
    expect(await everyMonth(t.store)).toEqual(months);
    const console = await client.get('/admin');
    expect(console.body).toMatch(/<tr data-job="\d+">[\s\S]*?backfill 2024-01 – 2024-03 from files[\s\S]*?<td>cli<\/td>[\s\S]*?succeeded[\s\S]*?3 \/ 3/);
    expect(console.body).toMatch(new RegExp(`<tr data-job="${id}">[\\s\\S]*?backfill 2024-01 – 2024-03 from files[\\s\\S]*?Boss[\\s\\S]*?succeeded[\\s\\S]*?3 / 3`));

    // A month the files hold nothing of fails the job with the CLI's reason; the months before it stay.
    const failing = await startJob(client, { kind: 'backfill', from: '2023-12', to: '2024-01', source: 'files' });
    const failed = await finished(client, failing);
    expect(failed).toMatchObject({ status: 'failed', progress: { done: 2, total: 2 } });
    expect(failed.error).toBe('2023-12: the source holds no downloads for the 31 days of the month to backfill (2023-12-01 to 2023-12-31); nothing was written for it');
  }, LONG_TEST_MS);

  it('cancels a running backfill between months: the months written are whole, the rest untouched', async () => {
    server = await startServer(env('boss', { LOAD_INPUT: historyFile }));
    const client = await signedIn();
    const id = await startJob(client, { kind: 'backfill', source: 'files', ...longBackfill });
    await until('a month of the backfill to be done', async () => ((await jobJson(client, id)).progress.done >= 1 ? true : undefined), server);
    expect((await client.post(`/admin/jobs/${id}/cancel`, { csrf: await client.csrf('/admin') })).statusCode).toBe(303);
    const job = await finished(client, id);
    expect(job.status).toBe('cancelled');
    expect(job.progress.total).toBe(24);
    expect(job.progress.done).toBeLessThan(24);
    // The months written are the first ones, each whole (its worker killed mid-month wrote none of it).
    const held = await t.store.heldMonths(ALL_PACKAGES);
    expect(held.map((month) => month.month)).toEqual(monthRange(longBackfill.from, longBackfill.to).slice(0, held.length));
    expect(held.length).toBeGreaterThanOrEqual(job.progress.done);
    expect(held.length).toBeLessThanOrEqual(job.progress.done + 1);
    const totals = (await t.store.monthSeries(ALL_PACKAGES, 'overall', {})).filter((point) => point.category === 'with_mirrors');
    expect(totals.map((point) => point.day).sort()).toEqual(held.map((month) => month.month));
    for (const point of totals) expect(point.downloads, point.day).toBe(30);

    // A retry continues where it stopped, and ends with every month.
    const retried = await client.post(`/admin/jobs/${id}/retry`, { csrf: await client.csrf('/admin') });
    expect(retried.statusCode).toBe(303);
    const retry = await finished(client, Number(/(\d+)$/.exec(retried.location!)![1]));
    expect(retry).toMatchObject({ status: 'succeeded', retryOf: id, progress: { done: 24, total: 24 } });
    expect((await t.store.heldMonths(ALL_PACKAGES)).length).toBe(24);
  }, LONG_TEST_MS);

  it('stops a `pypistats backfill` cancelled in the console between months, and shows one killed as interrupted', async () => {
    server = await startServer(env('boss'));
    const client = await signedIn();
    const cliJob = async () => (await t.store.accounts.jobs(1)).find((job) => job.requestedBy === 'cli' && job.status !== 'succeeded');
    const startCli = () => {
      const child = spawn(process.execPath, [BIN, 'backfill', '--from', cliBackfill.from, '--to', cliBackfill.to, '--input', cliHistoryFile], {
        env: childEnv({ DATABASE_URL: t.databaseUrl }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
      const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
      return { child, exited };
    };

    const cancelled = startCli();
    const running = await until('the CLI backfill to be running', async () => {
      const job = await cliJob();
      return job?.status === 'running' ? job : undefined;
    });
    expect(running).toMatchObject({ kind: 'backfill', ...cliBackfill, source: 'files', progress: { total: 60 } });
    expect((await client.post(`/admin/jobs/${running.id}/cancel`, { csrf: await client.csrf('/admin') })).statusCode).toBe(303);
    const outcome = await cancelled.exited;
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(new RegExp(`^pypistats: cancelled in the admin console \\(job ${running.id}\\) after \\d+ of 60 months\\n$`));
    const stopped = (await t.store.accounts.job(running.id))!;
    expect(stopped.status).toBe('cancelled');
    expect(stopped.progress.done).toBeLessThan(60);
    expect((await t.store.heldMonths(ALL_PACKAGES)).length).toBe(stopped.progress.done);

    const killed = startCli();
    const second = await until('the second CLI backfill to be running', async () => {
      const job = await cliJob();
      return job?.status === 'running' && job.id !== running.id ? job : undefined;
    });
    killed.child.kill('SIGKILL');
    await killed.exited;
    // SQLite tells at once (its process is gone); PostgreSQL after JOB_STALE_MS without a beat.
    const interrupted = await until('the killed CLI backfill to show interrupted', async () => {
      const job = (await t.store.accounts.job(second.id))!;
      return job.status === 'interrupted' ? job : undefined;
    });
    expect(interrupted.error).toContain('its process stopped');
    expect((await client.get('/admin')).body).toContain(`action="/admin/jobs/${second.id}/retry"`);
  }, LONG_TEST_MS);
});
