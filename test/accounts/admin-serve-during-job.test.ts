/**
 * The API keeps answering while an admin's job loads a big day: the job's worker process does the
 * aggregation and the write, and `pypistats serve` answers every request meanwhile with a 200 and
 * the right body. No timing is asserted (a shared machine): how fast it answers is the bench's
 * serve-during-load-admin scenario.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { addDays, yesterdayUtc } from '../../src/domain/dates.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { writeDemoDay } from '../../src/sources/synthetic.js';
import type { Job } from '../../src/store/accounts.js';
import { startServer, type RunningServer } from '../support/cli.js';
import { startGithubStandin, type GithubStandin } from '../support/github-standin.js';
import { tempDir } from '../support/raw-events.js';
import { chunks, row } from '../support/rows.js';
import { HttpCookieClient, TEST_SESSION_SECRET } from '../support/sign-in.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

const day = yesterdayUtc();
/** A day served before the job: what the requests during the job ask for. */
const earlierDay = addDays(day, -2);
/** A few hundred thousand raw events: a load long enough to be caught running. */
const EVENTS = 300_000;
const WAIT_MS = 180_000;
/** A bound on the requests of the loop, should the job never end. */
const MAX_REQUESTS = 100_000;

let dir: string;
let github: GithubStandin;

beforeAll(async () => {
  dir = await tempDir('pypistats-admin-serve-');
  github = await startGithubStandin();
  const duck = await DuckDb.open();
  try {
    await writeDemoDay(duck, { packages: 5_000, seed: 17, eventsPerDay: EVENTS }, day, path.join(dir, `${day}.parquet`));
  } finally {
    duck.close();
  }
}, 120_000);
afterAll(async () => {
  await github?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describeEachStore('serve while an admin job loads a day', (kind) => {
  let t: TestStore;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    t = await kind.create();
    await t.store.replaceDay({ day: earlierDay, source: 'test', summary: null, rows: chunks([row('seeded', 'overall', 'without_mirrors', 5), row('seeded', 'overall', 'with_mirrors', 6)]) });
  });
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it('answers every API request with a 200 and the right body while the job runs, and the job succeeds', async () => {
    server = await startServer({
      DATABASE_URL: t.databaseUrl,
      DEMO_DATA: 'off',
      LOAD_INPUT: path.join(dir, '{date}.parquet'),
      LOAD_MIN_SHARE: '0',
      RATE_LIMIT_PER_SECOND: '0',
      RATE_LIMIT_PER_MINUTE: '0',
      GITHUB_CLIENT_ID: github.clientId,
      GITHUB_CLIENT_SECRET: github.clientSecret,
      GITHUB_URL: github.url,
      GITHUB_API_URL: github.url,
      SESSION_SECRET: TEST_SESSION_SECRET,
      ADMIN_GITHUB_USERS: 'boss',
    });
    github.signInAs({ id: 4, login: 'boss' });
    const client = new HttpCookieClient(server.url);
    await client.signIn();
    const started = await client.post('/admin/jobs', { kind: 'load', from: day, to: day, source: 'files', csrf: await client.csrf('/admin') });
    expect(started.statusCode, started.body.slice(0, 2000)).toBe(303);
    const id = Number(/(\d+)$/.exec(started.location!)![1]);
    const job = async () => JSON.parse((await client.get(`/admin/jobs/${id}`, { accept: 'application/json' })).body) as Job;

    // Requests one after another until the job ends; those answered while it still ran are counted.
    let duringJob = 0;
    let requests = 0;
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const response = await fetch(`${server.url}/api/packages/seeded/overall?mirrors=false`);
      const body = (await response.json()) as { package: string; data: { date: string; category: string; downloads: number }[] };
      expect(response.status).toBe(200);
      expect(body.package).toBe('seeded');
      expect(body.data.find((point) => point.date === earlierDay)).toEqual({ date: earlierDay, category: 'without_mirrors', downloads: 5 });
      requests += 1;
      const current = await job();
      if (current.status === 'running') duringJob += 1;
      else if (current.status !== 'queued') {
        expect(current).toMatchObject({ status: 'succeeded', error: null, progress: { done: 1, total: 1 } });
        expect(current.rows).toBeGreaterThan(0);
        break;
      }
      if (Date.now() > deadline || requests > MAX_REQUESTS) throw new Error(`job ${id} did not end:\n${server.logs()}`);
    }
    // The job was caught running, and the server answered meanwhile.
    expect(duringJob).toBeGreaterThan(0);
    expect(server.logs()).toMatch(new RegExp(`${day}: loading in a worker process \\(pid \\d+\\)`));
    expect((await t.store.loadedDays()).map((loaded) => loaded.day)).toEqual([earlierDay, day]);
    // And after it, the new day is answered too.
    const after = (await (await fetch(`${server.url}/api/packages/__all__/overall?mirrors=true`)).json()) as { data: { date: string }[] };
    expect(after.data.some((point) => point.date === day)).toBe(true);
  }, 300_000);
});
