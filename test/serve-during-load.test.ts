/**
 * `serve` with scheduled loads: each day's load runs in a worker process, so the server answers
 * while a day is loaded, and a worker that dies is recorded failed and retried while the server
 * keeps serving. The day loaded is big enough (a million raw events) to be caught while it loads.
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { addDays, yesterdayUtc } from '../src/domain/dates.js';
import { DuckDb } from '../src/sources/duckdb.js';
import { writeDemoDay } from '../src/sources/synthetic.js';
import type { LoadRecord, Store } from '../src/store/types.js';
import { startServer, type RunningServer } from './support/cli.js';
import { download, tempDir, writeNdjson } from './support/raw-events.js';
import { chunks, row } from './support/rows.js';
import { describeEachStore, type TestStore } from './support/stores.js';

const day = yesterdayUtc();
/** A day already served before the load: what the requests during the load ask for. */
const earlierDay = addDays(day, -2);
/** Bounds of every polling loop: generous, for a busy machine. */
const WAIT_MS = 90_000;
const MAX_REQUESTS = 100_000;

let dir: string;

beforeAll(async () => {
  dir = await tempDir('pypistats-serve-load-');
  const duck = await DuckDb.open();
  try {
    await writeDemoDay(duck, { packages: 20_000, seed: 3, eventsPerDay: 1_000_000 }, day, path.join(dir, `${day}.parquet`));
  } finally {
    duck.close();
  }
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, server?: RunningServer): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${server ? `:\n${server.logs()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function attemptsOf(store: Store): Promise<LoadRecord[]> {
  return (await store.loadHistory(20)).filter((record) => record.day === day);
}

function workerPids(server: RunningServer): number[] {
  return [...server.logs().matchAll(/loading in a worker process \(pid (\d+)\)/g)].map((match) => Number(match[1]));
}

async function earlierDownloads(server: RunningServer): Promise<number | undefined> {
  const response = await fetch(`${server.url}/api/packages/seeded/overall?mirrors=false`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: { date: string; downloads: number }[] };
  return body.data.find((point) => point.date === earlierDay)?.downloads;
}

describeEachStore('serve while a day loads in its worker', (kind) => {
  let t: TestStore;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    t = await kind.create();
    await t.store.replaceDay({ day: earlierDay, source: 'test', summary: null, rows: chunks([row('seeded', 'overall', 'without_mirrors', 5), row('seeded', 'overall', 'with_mirrors', 6)]) });
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });
  afterAll(async () => {
    await t?.dispose();
  });

  const env = (retries: number) => ({
    DATABASE_URL: t.databaseUrl,
    DEMO_DATA: 'off',
    LOAD_SOURCE: 'files',
    LOAD_INPUT: path.join(dir, '{date}.parquet'),
    LOAD_CATCH_UP_DAYS: '1',
    LOAD_RETRIES: String(retries),
    LOAD_RETRY_DELAY: '0',
    RATE_LIMIT_PER_SECOND: '0',
    RATE_LIMIT_PER_MINUTE: '0',
  });

  it('answers requests sent after the load started before the load ends, and serves the day once loaded', async () => {
    server = await startServer(env(0));
    const running = await until('the load to be running', async () => (await attemptsOf(t.store)).find((record) => record.status === 'running'), server);
    const [workerPid] = workerPids(server);
    expect(workerPid).toBeDefined();
    expect(workerPid).not.toBe(server.child.pid);
    // Lower in priority than the server, which gets the CPU first.
    expect(os.getPriority(workerPid!)).toBeGreaterThan(os.getPriority(server.child.pid!));
    if (kind.name === 'SQLite') {
      // The day's lock is held by the worker process, not by the server.
      const db = new Database(t.databaseUrl.slice('sqlite:'.length), { readonly: true });
      try {
        expect(db.prepare('SELECT pid FROM locks WHERE name = ?').pluck().get(`load ${day}`)).toBe(workerPid);
      } finally {
        db.close();
      }
    }
    let answeredDuringLoad = 0;
    const deadline = Date.now() + WAIT_MS;
    for (let sent = 0; sent < MAX_REQUESTS && Date.now() < deadline; sent++) {
      expect(await earlierDownloads(server)).toBe(5);
      const [attempt] = await attemptsOf(t.store);
      if (attempt?.id !== running.id || attempt.status !== 'running') break;
      answeredDuringLoad++;
    }
    expect(answeredDuringLoad).toBeGreaterThan(0);
    const attempt = await until('the load to end', async () => {
      const [latest] = await attemptsOf(t.store);
      return latest?.status === 'running' ? undefined : latest;
    }, server);
    expect(attempt).toMatchObject({ id: running.id, status: 'succeeded', error: null });
    // The server sees the new day through the data version, as a load by any other process.
    await until('the loaded day to be served', async () => {
      const response = await fetch(`${server!.url}/api/packages/__all__/overall?mirrors=false`);
      const body = (await response.json()) as { data: { date: string }[] };
      return body.data.some((point) => point.date === day) ? true : undefined;
    }, server);
    // A sanity check, far above what a load in the worker costs and below what a day's write
    // on the serving event loop did.
    const delay = await until('the worker to end', () => /longest delay meanwhile was (\d+) ms/.exec(server!.logs())?.[1], server);
    expect(Number(delay)).toBeLessThan(1_000);
  }, 180_000);

  it('records a killed worker as failed, keeps answering, and the retry loads the day', async () => {
    // The first worker is killed as soon as it is started (before or after it records its
    // attempt), the second once its attempt is running; the third loads the day.
    // The day the first test loaded goes: the scheduler loads only missing days.
    await t.store.purgeBefore(addDays(day, 1));
    await t.store.replaceDay({ day: earlierDay, source: 'test', summary: null, rows: chunks([row('seeded', 'overall', 'without_mirrors', 5), row('seeded', 'overall', 'with_mirrors', 6)]) });
    const before = new Set((await attemptsOf(t.store)).map((record) => record.id));
    server = await startServer(env(2));
    const first = await until('the first worker', () => workerPids(server!)[0], server);
    process.kill(first, 'SIGKILL');
    const second = await until('the second worker', () => workerPids(server!)[1], server);
    await until('the second attempt to be running', async () => {
      const fresh = (await attemptsOf(t.store)).filter((record) => !before.has(record.id));
      return fresh.length === 2 && fresh[0]!.status === 'running' ? true : undefined;
    }, server);
    process.kill(second, 'SIGKILL');
    expect(await earlierDownloads(server)).toBe(5);
    const attempts = await until('the retry to load the day', async () => {
      const fresh = (await attemptsOf(t.store)).filter((record) => !before.has(record.id));
      return fresh[0]?.status === 'succeeded' ? fresh : undefined;
    }, server);
    expect(attempts.map((record) => record.status)).toEqual(['succeeded', 'failed', 'failed']);
    for (const failed of attempts.slice(1)) {
      expect(failed.error).toMatch(/the load's worker process \(pid \d+\) was killed by SIGKILL before the load ended/);
      expect(failed.finishedAt).not.toBeNull();
    }
    expect(workerPids(server)).toHaveLength(3);
    expect(await earlierDownloads(server)).toBe(5);
    expect(server.child.exitCode).toBeNull();
  }, 180_000);

  it('kills the load on SIGTERM, records it failed, and exits 0; the next start loads the day', async () => {
    await t.store.purgeBefore(addDays(day, 1));
    await t.store.replaceDay({ day: earlierDay, source: 'test', summary: null, rows: chunks([row('seeded', 'overall', 'without_mirrors', 5), row('seeded', 'overall', 'with_mirrors', 6)]) });
    const before = new Set((await attemptsOf(t.store)).map((record) => record.id));
    const fresh = async () => (await attemptsOf(t.store)).filter((record) => !before.has(record.id));
    server = await startServer(env(0));
    await until('the load to be running', async () => ((await fresh())[0]?.status === 'running' ? true : undefined), server);
    expect(await server.stop()).toBe(0);
    server = undefined;
    const [stopped] = await fresh();
    expect(stopped).toMatchObject({ status: 'failed' });
    expect(stopped!.error).toMatch(/^the server is stopping: the load's worker process \(pid \d+\) was killed by SIGKILL/);
    server = await startServer(env(0));
    await until('the next start to load the day', async () => ((await fresh())[0]?.status === 'succeeded' ? true : undefined), server);
  }, 180_000);

  it('gets back from its worker a busy day as busy and a refused day as refused', async () => {
    const refusedDir = await tempDir('pypistats-serve-refused-');
    const refusedDay = addDays(day, -1);
    // Only a `.metadata` fetch: no downloads, which the guards refuse.
    await writeNdjson(path.join(refusedDir, `${refusedDay}.ndjson`), [download('seeded', `${refusedDay} 12:00:00 UTC`, {}, 'seeded-1.0.tar.gz.metadata')]);
    await t.store.purgeBefore(addDays(day, 1));
    const before = (await attemptsOf(t.store)).length;
    const lock = await t.store.tryLock(`load ${day}`);
    expect(lock).not.toBeNull();
    try {
      server = await startServer({ ...env(0), LOAD_INPUT: path.join(refusedDir, '{date}.ndjson'), LOAD_CATCH_UP_DAYS: '2' });
      await until('both days to be tried', () => (/next scheduled load in/.test(server!.logs()) ? true : undefined), server);
      expect(server.logs()).toContain(`${day}: another process is loading it`);
      expect(server.logs()).toContain(`${refusedDay}: load failed 1 times, left for the next run: ${refusedDay}: the source holds no downloads for this day`);
      const [refused] = (await t.store.loadHistory(20)).filter((record) => record.day === refusedDay);
      expect(refused).toMatchObject({ status: 'refused' });
      // A busy day is not attempted: another process has it.
      expect(await attemptsOf(t.store)).toHaveLength(before);
    } finally {
      await lock?.release();
      await rm(refusedDir, { recursive: true, force: true });
    }
  }, 180_000);
});
