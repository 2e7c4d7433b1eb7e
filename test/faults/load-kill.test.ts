/**
 * SIGKILL of `pypistats load` at random moments, on both stores: every kill must leave the day as
 * it was or as the load makes it, with nothing else, a load history that agrees with the data,
 * and no lock behind (the next load of the day succeeds). The kill points are drawn from a seed,
 * printed, and taken from LOAD_KILL_SEED when set, so a failure can be replayed.
 */
import path from 'node:path';
import { rm } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dimensions, seedDimensions } from '../../src/domain/dimensions.js';
import { dayLockName, loadDay } from '../../src/pipeline/load.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { FileSource } from '../../src/sources/files.js';
import { writeDemoDay } from '../../src/sources/synthetic.js';
import type { Store } from '../../src/store/types.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/raw-events.js';
import { describeEachStore, freshStoreEachTest, type TestStore } from '../support/stores.js';

const DAY = '2026-11-20';
const KILLS = 20;
/** Longer than any statement of these small loads takes, even on a machine busy with other suites. */
const LOCK_RELEASE_BOUND_MS = 30_000;
const SEED = process.env.LOAD_KILL_SEED ? Number(process.env.LOAD_KILL_SEED) : Math.floor(Math.random() * 2 ** 31);

/** mulberry32: a small seeded generator, so the same seed gives the same kill points. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

let dir: string;
let duck: DuckDb;

beforeAll(async () => {
  dir = await tempDir();
  duck = await DuckDb.open();
  // Small days, so twenty kills stay within about a minute per store.
  await writeDemoDay(duck, { packages: 40, seed: 1, eventsPerDay: 3_000 }, DAY, path.join(dir, 'old.parquet'));
  await writeDemoDay(duck, { packages: 1_500, seed: 2, eventsPerDay: 100_000 }, DAY, path.join(dir, 'new.parquet'));
  console.log(`load-kill seed: ${SEED} (LOAD_KILL_SEED=${SEED} replays these kill points)`);
});
afterAll(async () => {
  duck.close();
  await rm(dir, { recursive: true, force: true });
});

describeEachStore('a load killed with SIGKILL at 20 random points', (kind) => {
  let t: TestStore;
  let store: Store;
  freshStoreEachTest(kind, (fresh) => ((t = fresh), (store = fresh.store)));

  /** Everything a reader sees of the day: every dimension of __all__, the loaded days, and SQLite's integrity. */
  async function snapshot(): Promise<string> {
    const state: Record<string, unknown> = {};
    if (t.databaseUrl.startsWith('sqlite:')) {
      const db = new Database(t.databaseUrl.slice('sqlite:'.length), { readonly: true });
      state.integrity = db.pragma('integrity_check', { simple: true });
      db.close();
    }
    for (const dimension of dimensions) {
      state[dimension.name] = (await store.series('__all__', dimension.name, {})).sort((a, b) => a.category.localeCompare(b.category));
    }
    state.days = (await store.loadedDays()).map((d) => [d.day, d.source, d.rows, d.packages, d.summary]);
    state.packages = await store.packageCount();
    return JSON.stringify(state);
  }

  /**
   * Waits until the killed process's hold on the day's lock is gone. On PostgreSQL the lock is its
   * session's: the server ends a killed client's session when it next reads from or writes to the
   * socket, which for a backend in the middle of a statement (a COPY, the block upsert) is when
   * that statement ends. A lock still held after the bound is a lock left behind.
   */
  async function lockReleasedByKilledLoad(): Promise<void> {
    const deadline = performance.now() + LOCK_RELEASE_BOUND_MS;
    for (;;) {
      const lock = await store.tryLock(dayLockName(DAY));
      if (lock !== null) return lock.release();
      if (performance.now() > deadline) throw new Error(`the day's lock was still held ${LOCK_RELEASE_BOUND_MS} ms after the kill`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Back to the old day, in this process: this is also the "next load" that shows no lock was left.
   * Both loads compute the seed's four only (DIMENSIONS=none): what a kill can break does not
   * depend on the breakdowns, and 42 loads of every one would not fit the test's time.
   */
  const loadOld = () =>
    loadDay(store, new FileSource(duck, { inputs: [path.join(dir, 'old.parquet')], dimensions: seedDimensions }), DAY, { retentionDays: 180, allowDrop: true });
  const loadNew = (killAfterMs?: number) =>
    runCli(['load', '--date', DAY, '--allow-drop', '--input', path.join(dir, 'new.parquet')], { DATABASE_URL: t.databaseUrl, DIMENSIONS: 'none' }, killAfterMs);

  /** Milliseconds from `started` until the history shows an attempt after `previousId`: when the load began to write. */
  async function attemptSeenAfter(started: number, previousId: number, load: Promise<unknown>): Promise<number> {
    let finished = false;
    void load.finally(() => (finished = true));
    while (!finished) {
      const latest = (await store.loadHistory(1))[0];
      if (latest !== undefined && latest.id > previousId) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('the load ended before its attempt was seen in the history');
  }

  // 21 loads of a few seconds each and a snapshot after each: past vitest's minute on a busy machine.
  it('leaves the old day or the new one, a history that agrees, and no lock behind', { timeout: 240_000 }, async () => {
    await loadOld();
    const before = await snapshot();
    const oldId = (await store.loadHistory(1))[0]!.id;
    const started = performance.now();
    const full = loadNew();
    const writeFrom = await attemptSeenAfter(started, oldId, full);
    expect((await full).code).toBe(0);
    const duration = performance.now() - started;
    const after = await snapshot();
    expect(after).not.toBe(before);

    const next = random(SEED);
    const outcomes: string[] = [];
    for (let kill = 0; kill < KILLS; kill++) {
      await loadOld();
      const restoredId = (await store.loadHistory(1))[0]!.id;
      expect(await snapshot()).toBe(before);
      // Every other kill anywhere from the process's start to a little past a whole load's time;
      // the others while it writes. Most of a small load's time is the process starting and the
      // source's scan, so uniform points alone could all miss the write (seen on PostgreSQL).
      const at = Math.round(kill % 2 === 0 ? next() * duration * 1.1 : writeFrom + next() * (duration - writeFrom));
      const result = await loadNew(at);
      await lockReleasedByKilledLoad();
      const state = await snapshot();
      expect([before, after], `kill ${kill} at ${at} ms (seed ${SEED})`).toContain(state);
      const attempt = (await store.loadHistory(1)).find((record) => record.id > restoredId);
      if (state === after) expect(attempt, `kill ${kill} at ${at} ms (seed ${SEED})`).toMatchObject({ status: 'succeeded' });
      else expect(attempt?.status, `kill ${kill} at ${at} ms (seed ${SEED})`).not.toBe('succeeded');
      outcomes.push(`${at} ms: ${result.signal ?? `exit ${result.code}`} → ${state === before ? 'old day' : 'new day'}, history ${attempt?.status ?? 'no attempt yet'}`);
    }
    console.log(`${kind.name}: SIGKILL outcomes (full load ${Math.round(duration)} ms, writing from ${Math.round(writeFrom)} ms, seed ${SEED}):\n${outcomes.join('\n')}`);
    // The last load takes the lock again: none was left behind.
    await expect(loadOld()).resolves.toMatchObject({ day: DAY });
    // The kills did interrupt loads part-way: some left the old day after the attempt had started.
    expect(outcomes.some((outcome) => outcome.includes('SIGKILL → old day, history running'))).toBe(true);
  });
});
