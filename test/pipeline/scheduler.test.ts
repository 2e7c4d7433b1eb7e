import { describe, expect, it } from 'vitest';
import type { Day } from '../../src/domain/dates.js';
import { daysToCheck, inProcessLoads, LoadScheduler, msUntilNextRun, type Clock, type ScheduleOptions } from '../../src/pipeline/scheduler.js';
import type { Source } from '../../src/sources/types.js';
import type { Store } from '../../src/store/types.js';
import { chunks, row } from '../support/rows.js';
import { describeEachStore, freshStoreEachTest, type TestStore } from '../support/stores.js';

/** Time that moves only when the test says: each sleep waits until `wake()`. */
class ManualClock implements Clock {
  private pending: { ms: number; resolve: () => void }[] = [];
  readonly slept: number[] = [];

  constructor(private time: Date) {}

  now(): Date {
    return this.time;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      signal.throwIfAborted();
      this.pending.push({ ms, resolve });
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  /** Waits for the scheduler to go to sleep, then moves time past the sleep and wakes it; gives the sleep's length. */
  async wake(): Promise<number> {
    while (this.pending.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const { ms, resolve } = this.pending.shift()!;
    this.slept.push(ms);
    this.time = new Date(this.time.getTime() + ms);
    resolve();
    return ms;
  }
}

const silent = { info() {}, warn() {}, error() {} };

/** One package a day; `failures[day]` failed attempts before the day loads. */
function countingSource(failures: Record<Day, number> = {}): Source & { attempts: Map<Day, number> } {
  const attempts = new Map<Day, number>();
  return {
    name: 'test',
    attempts,
    async aggregateDay(day) {
      const attempt = (attempts.get(day) ?? 0) + 1;
      attempts.set(day, attempt);
      if (attempt <= (failures[day] ?? 0)) throw new Error(`the source failed for ${day} (attempt ${attempt})`);
      const summary = { day, downloads: 2, metadataFetches: 0, packages: 1, skipped: { noTimestamp: 0, noProject: 0, nameTooLong: 0, invalidName: 0 } };
      return { summary, rows: chunks([row('pkg', 'overall', 'with_mirrors', 2), row('pkg', 'overall', 'without_mirrors', 2)]) };
    },
  };
}

const options: ScheduleOptions = { loadMinute: 60, retentionDays: 180, catchUpDays: 4, retries: 2, retryDelayMs: 60_000 };

describe('when scheduled loads run', () => {
  it('waits until the next load time in UTC, today if it is still ahead', () => {
    expect(msUntilNextRun(new Date('2026-11-05T00:30:00Z'), 60)).toBe(30 * 60_000);
    expect(msUntilNextRun(new Date('2026-11-05T01:00:00Z'), 60)).toBe(24 * 3_600_000);
    expect(msUntilNextRun(new Date('2026-11-05T23:00:00Z'), 60)).toBe(2 * 3_600_000);
    expect(msUntilNextRun(new Date('2026-11-05T23:59:00Z'), 0)).toBe(60_000);
  });

  it('checks the days of the window ending yesterday, newest first', () => {
    expect(daysToCheck(new Date('2026-11-05T00:10:00Z'), 3)).toEqual(['2026-11-04', '2026-11-03', '2026-11-02']);
  });
});

describeEachStore('the load scheduler', (kind) => {
  let t: TestStore;
  let store: Store;
  freshStoreEachTest(kind, (fresh) => ((t = fresh), (store = fresh.store)));

  const succeededDays = async () =>
    (await store.loadHistory(100))
      .filter((record) => record.status === 'succeeded')
      .map((record) => record.day)
      .sort();

  it('catches up the missing days of the window, leaving loaded days alone', async () => {
    const source = countingSource();
    await store.replaceDay({ day: '2026-11-02', source: 'earlier', summary: null, rows: chunks([row('pkg', 'overall', 'with_mirrors', 9)]) });
    const scheduler = new LoadScheduler(store, inProcessLoads(store, source), options, silent, new ManualClock(new Date('2026-11-05T10:00:00Z')));
    const outcomes = await scheduler.runOnce();
    expect([...outcomes]).toEqual([
      ['2026-11-04', 'loaded'],
      ['2026-11-03', 'loaded'],
      ['2026-11-02', 'present'],
      ['2026-11-01', 'loaded'],
    ]);
    expect(await succeededDays()).toEqual(['2026-11-01', '2026-11-03', '2026-11-04']);
    expect(await store.series('pkg', 'overall', { start: '2026-11-02', end: '2026-11-02' })).toEqual([
      { category: 'with_mirrors', day: '2026-11-02', downloads: 9 },
    ]);
  });

  it('retries a failed day with growing waits, and records every attempt', async () => {
    const clock = new ManualClock(new Date('2026-11-05T10:00:00Z'));
    const source = countingSource({ '2026-11-04': 2 });
    const scheduler = new LoadScheduler(store, inProcessLoads(store, source), { ...options, catchUpDays: 1 }, silent, clock);
    const run = scheduler.runOnce();
    expect(await clock.wake()).toBe(60_000);
    expect(await clock.wake()).toBe(120_000);
    expect([...(await run)]).toEqual([['2026-11-04', 'loaded']]);
    expect((await store.loadHistory(10)).map((record) => [record.status, record.error])).toEqual([
      ['succeeded', null],
      ['failed', 'the source failed for 2026-11-04 (attempt 2)'],
      ['failed', 'the source failed for 2026-11-04 (attempt 1)'],
    ]);
  });

  it('counts a day refused by a guard (an export not there yet) as a failed attempt, and retries it', async () => {
    const clock = new ManualClock(new Date('2026-11-05T10:00:00Z'));
    let attempts = 0;
    const late: Source = {
      name: 'test',
      async aggregateDay(day) {
        attempts++;
        const downloads = attempts === 1 ? 0 : 2;
        const summary = { day, downloads, metadataFetches: 0, packages: downloads > 0 ? 1 : 0, skipped: { noTimestamp: 0, noProject: 0, nameTooLong: 0, invalidName: 0 } };
        return { summary, rows: chunks(downloads > 0 ? [row('pkg', 'overall', 'with_mirrors', 2), row('pkg', 'overall', 'without_mirrors', 2)] : []) };
      },
    };
    const scheduler = new LoadScheduler(store, inProcessLoads(store, late), { ...options, catchUpDays: 1 }, silent, clock);
    const run = scheduler.runOnce();
    expect(await clock.wake()).toBe(60_000);
    expect([...(await run)]).toEqual([['2026-11-04', 'loaded']]);
    expect((await store.loadHistory(10)).map((record) => [record.status, record.error?.slice(0, 58) ?? null])).toEqual([
      ['succeeded', null],
      ['refused', '2026-11-04: the source holds no downloads for this day (0 '],
    ]);
  });

  it('gives up on a day after its retries and tries it again on the next run', async () => {
    const clock = new ManualClock(new Date('2026-11-05T10:00:00Z'));
    const source = countingSource({ '2026-11-04': 2 });
    const scheduler = new LoadScheduler(store, inProcessLoads(store, source), { ...options, catchUpDays: 1, retries: 1 }, silent, clock);
    const first = scheduler.runOnce();
    await clock.wake();
    expect([...(await first)]).toEqual([['2026-11-04', 'failed']]);
    expect(await store.latestDay()).toBeNull();
    const second = scheduler.runOnce();
    expect([...(await second)]).toEqual([['2026-11-04', 'loaded']]);
    expect(source.attempts.get('2026-11-04')).toBe(3);
  });

  it('runs on start, then each day at the load time, until stopped', async () => {
    const clock = new ManualClock(new Date('2026-11-05T10:00:00Z'));
    const scheduler = new LoadScheduler(store, inProcessLoads(store, countingSource()), { ...options, catchUpDays: 2 }, silent, clock);
    scheduler.start();
    // After catching up, it sleeps until 01:00 UTC the next day...
    expect(await clock.wake()).toBe(15 * 3_600_000);
    expect(clock.now().toISOString()).toBe('2026-11-06T01:00:00.000Z');
    // ...then loads the day that just ended, and sleeps a day.
    expect(await clock.wake()).toBe(24 * 3_600_000);
    await scheduler.stop();
    expect(await succeededDays()).toEqual(['2026-11-03', '2026-11-04', '2026-11-05']);
  });

  it('loads each day once when several instances share the store', async () => {
    // SQLite connections of one process wait for each other synchronously, so here its instances
    // share one store object; separate processes are in test/multi-instance.test.ts.
    const others = kind.name === 'SQLite' ? [] : await Promise.all([t.openAgain(), t.openAgain()]);
    const instances = kind.name === 'SQLite' ? [store, store, store] : [store, ...others];
    try {
      const sources = [countingSource(), countingSource(), countingSource()];
      const schedulers = instances.map(
        (each, i) => new LoadScheduler(each, inProcessLoads(each, sources[i]!), { ...options, catchUpDays: 6 }, silent, new ManualClock(new Date('2026-11-07T10:00:00Z'))),
      );
      const outcomes = await Promise.all(schedulers.map((scheduler) => scheduler.runOnce()));
      expect(await succeededDays()).toEqual(['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06']);
      expect((await store.loadHistory(100)).every((record) => record.status === 'succeeded')).toBe(true);
      for (const day of await succeededDays()) {
        const byInstance = outcomes.map((outcome) => outcome.get(day));
        expect(byInstance.filter((outcome) => outcome === 'loaded')).toHaveLength(1);
        expect(byInstance.every((outcome) => ['loaded', 'present', 'busy'].includes(outcome!))).toBe(true);
      }
    } finally {
      await Promise.all(others.map((other) => other.close()));
    }
  });
});
