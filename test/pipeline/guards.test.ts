import { expect, it } from 'vitest';
import { addDays, dayRange, type Day } from '../../src/domain/dates.js';
import { loadDay, loadDays, RangeLoadError } from '../../src/pipeline/load.js';
import { LoadRefusedError } from '../../src/pipeline/guards.js';
import type { AggregateRow, DaySummary } from '../../src/domain/aggregates.js';
import type { Source } from '../../src/sources/types.js';
import type { Store } from '../../src/store/types.js';
import { chunks, row } from '../support/rows.js';
import { describeEachStore, freshStoreEachTest } from '../support/stores.js';

const TODAY = '2026-12-01';
let store: Store;

const noSkips = { noTimestamp: 0, noProject: 0, nameTooLong: 0, invalidName: 0 };

/** A day of one package with `downloads` downloads; 0 gives a day with no rows at all. */
function rowsOf(downloads: number): AggregateRow[] {
  if (downloads === 0) return [];
  return [row('pkg', 'overall', 'with_mirrors', downloads), row('pkg', 'overall', 'without_mirrors', downloads)];
}

/**
 * Downloads per day; `read` counts the days whose rows were read. A day not given has no
 * downloads, and 7 malformed events (as a file of another day would give, read for this one).
 */
function source(downloadsByDay: Record<Day, number>): Source & { read: Day[] } {
  const read: Day[] = [];
  return {
    name: 'test',
    read,
    async aggregateDay(day) {
      const downloads = downloadsByDay[day] ?? 0;
      const summary: DaySummary = { day, downloads, metadataFetches: 0, packages: downloads > 0 ? 1 : 0, skipped: { ...noSkips, noTimestamp: downloads > 0 ? 0 : 7 } };
      async function* rows() {
        read.push(day);
        yield* chunks(rowsOf(downloads));
      }
      return { summary, rows: rows() };
    },
  };
}

const options = { retentionDays: 180, today: TODAY };

/** Everything a reader sees: days with their rows, and __all__'s overall series. */
async function snapshot() {
  return {
    days: (await store.loadedDays()).map((d) => [d.day, d.rows, d.summary?.downloads]),
    all: (await store.series('__all__', 'overall', {})).sort((a, b) => `${a.day}${a.category}`.localeCompare(`${b.day}${b.category}`)),
    version: await store.dataVersion(),
  };
}

/** The week ending `last`, 1,000 downloads a day. */
async function loadWeek(last: Day): Promise<void> {
  const days = dayRange(addDays(last, -6), last);
  await loadDays(store, source(Object.fromEntries(days.map((d) => [d, 1_000]))), days, options);
}

describeEachStore('the guards of every load', (kind) => {
  freshStoreEachTest(kind, (fresh) => (store = fresh.store));

  it('refuses a day after today, naming both, before the source is read, and records the refusal', async () => {
    await loadWeek('2026-11-30');
    const before = await snapshot();
    const future = source({ '2027-11-30': 5_000 });
    await expect(loadDay(store, future, '2027-11-30', options)).rejects.toThrow(
      new LoadRefusedError('2027-11-30', 'future', '2027-11-30 is after today (2026-12-01, UTC): its downloads have not happened yet; nothing was written'),
    );
    expect(future.read).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect((await store.loadHistory(1))[0]).toMatchObject({ day: '2027-11-30', status: 'refused', error: expect.stringContaining('is after today') });
    // Today itself is allowed (a partial day, loaded again later).
    await expect(loadDay(store, source({ [TODAY]: 900 }), TODAY, options)).resolves.toMatchObject({ day: TODAY });
  });

  it('refuses a range reaching past today whole, before loading any of it', async () => {
    const days = dayRange('2026-11-29', '2026-12-02');
    const all = source(Object.fromEntries(days.map((d) => [d, 1_000])));
    await expect(loadDays(store, all, days, options)).rejects.toThrow('2026-12-02 is after today (2026-12-01, UTC)');
    expect(await store.loadedDays()).toEqual([]);
    expect(all.read).toEqual([]);
  });

  it('refuses a day whose source holds no downloads, leaving the stored day as it was, unless allowed', async () => {
    await loadWeek('2026-11-30');
    const before = await snapshot();
    // The finding: the 30th's file loaded as the 29th gave no downloads, and replaced the 29th with nothing.
    const otherDaysFile = source({ '2026-11-30': 1_000 });
    await expect(loadDay(store, otherDaysFile, '2026-11-29', options)).rejects.toThrow(
      '2026-11-29: the source holds no downloads for this day (7 events read); nothing was written; --allow-empty loads it as an empty day',
    );
    expect(otherDaysFile.read).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect((await store.loadHistory(1))[0]).toMatchObject({ day: '2026-11-29', status: 'refused', error: expect.stringContaining('no downloads') });
    const empty = await loadDay(store, otherDaysFile, '2026-11-29', { ...options, allowEmpty: true });
    expect(empty).toMatchObject({ rows: 0, packages: 0 });
    expect((await store.loadedDays()).find((d) => d.day === '2026-11-29')).toMatchObject({ rows: 0 });
    expect((await store.loadHistory(1))[0]).toMatchObject({ day: '2026-11-29', status: 'succeeded', rowsOut: 0 });
  });

  it('refuses a day far below the loaded days around it, with the figures, unless allowed or too few neighbours', async () => {
    await loadWeek('2026-11-30');
    const before = await snapshot();
    const low = source({ '2026-11-27': 250 });
    await expect(loadDay(store, low, '2026-11-27', { ...options, minShare: 30 })).rejects.toThrow(
      '2026-11-27: 250 downloads, 25.0% of the median 1,000 of the 6 loaded days around it (2026-11-24 to 2026-11-30), below LOAD_MIN_SHARE (30%); nothing was written; --allow-drop loads it anyway',
    );
    expect(low.read).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect((await store.loadHistory(1))[0]).toMatchObject({ status: 'refused', error: expect.stringContaining('below LOAD_MIN_SHARE') });
    // A weekend-sized dip passes; so does the low day when allowed, or with the guard off.
    await expect(loadDay(store, source({ '2026-11-28': 600 }), '2026-11-28', { ...options, minShare: 30 })).resolves.toBeTruthy();
    await expect(loadDay(store, low, '2026-11-27', { ...options, minShare: 30, allowDrop: true })).resolves.toMatchObject({ rows: 4 });
    await expect(loadDay(store, source({ '2026-11-26': 1 }), '2026-11-26', { ...options, minShare: 0 })).resolves.toBeTruthy();
    // The default threshold applies without minShare: 30%.
    await expect(loadDay(store, source({ '2026-11-25': 100 }), '2026-11-25', options)).rejects.toThrow('below LOAD_MIN_SHARE (30%)');
    // Three loaded days within 3 days of it (the 28th to the 30th) are enough to compare with...
    await expect(loadDay(store, source({ '2026-12-01': 1 }), '2026-12-01', { ...options, minShare: 30 })).rejects.toThrow('of the 3 loaded days around it');
    // ...one (the 24th) is too few.
    await expect(loadDay(store, source({ '2026-11-21': 1 }), '2026-11-21', { ...options, minShare: 30 })).resolves.toBeTruthy();
  });

  it('purges only the days a load pushes out of the window', async () => {
    const week = dayRange('2026-11-20', '2026-11-26');
    const all = source(Object.fromEntries(dayRange('2026-11-20', '2026-11-30').map((d) => [d, 1_000])));
    await loadDays(store, all, week, { ...options, retentionDays: 7 });
    const result = await loadDay(store, all, '2026-11-28', { ...options, retentionDays: 7 });
    expect(result.purgedDays).toEqual(['2026-11-20', '2026-11-21']);
    // RETENTION_DAYS lowered to 3: days older than the window are already there, so a load leaves them to `purge`.
    const lowered = await loadDay(store, all, '2026-11-29', { ...options, retentionDays: 3 });
    expect(lowered.purgedDays).toEqual([]);
    expect((await store.loadedDays()).map((d) => d.day)).toEqual(['2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-28', '2026-11-29']);
  });

  it('never purges a day within RETENTION_DAYS of today, even with a day from the future already in the store', async () => {
    await loadWeek('2026-11-30');
    // A day after today written before these guards existed.
    await store.replaceDay({ day: '2027-11-30', source: 'old', summary: null, rows: chunks(rowsOf(5)) });
    const result = await loadDay(store, source({ '2026-11-29': 1_000 }), '2026-11-29', { ...options, retentionDays: 60 });
    expect(result.purgedDays).toEqual([]);
    expect((await store.loadedDays()).map((d) => d.day)).toEqual([...dayRange('2026-11-24', '2026-11-30'), '2027-11-30']);
  });

  it('lists what a range loaded, the day it stopped at with why, and the days not tried', async () => {
    const days = dayRange('2026-11-20', '2026-11-24');
    const partial = source({ '2026-11-20': 1_000, '2026-11-21': 1_000 });
    const error = await loadDays(store, partial, days, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeLoadError);
    const range = error as RangeLoadError;
    expect(range.loaded.map((r) => r.day)).toEqual(['2026-11-20', '2026-11-21']);
    expect(range.failed).toBe('2026-11-22');
    expect(range.reason).toBeInstanceOf(LoadRefusedError);
    expect(range.message).toContain('2026-11-22: the source holds no downloads');
    expect(range.notAttempted).toEqual(['2026-11-23', '2026-11-24']);
  });
});
