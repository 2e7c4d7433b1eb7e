import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Day } from '../../src/domain/dates.js';
import { DayBusyError, dayLockName, loadDay, loadDayIfMissing, loadDays } from '../../src/pipeline/load.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { FileSource } from '../../src/sources/files.js';
import type { AggregateRow, DaySummary } from '../../src/domain/aggregates.js';
import type { Source } from '../../src/sources/types.js';
import type { Store } from '../../src/store/types.js';
import { download, tempDir, writeNdjson } from '../support/raw-events.js';
import { chunks, row } from '../support/rows.js';
import { describeEachStore } from '../support/stores.js';

let dir: string;
let duck: DuckDb;
let store: Store;

beforeAll(async () => {
  duck = await DuckDb.open();
});
afterAll(() => duck.close());

/** What a source says of a day before its rows: its downloads are the with_mirrors rows' sum. */
function summaryOf(day: Day, rows: readonly AggregateRow[]): DaySummary {
  const counted = rows.filter((r) => r.dimension === 'overall' && r.category === 'with_mirrors');
  const downloads = counted.reduce((sum, r) => sum + r.downloads, 0);
  return { day, downloads, metadataFetches: 0, packages: counted.length, skipped: { noTimestamp: 0, noProject: 0, nameTooLong: 0, invalidName: 0 } };
}

/** A source of fixed rows per day, that can be told to fail after its first chunk. */
function fixedSource(rowsByDay: Record<Day, AggregateRow[]>, failOn?: Day): Source {
  return {
    name: 'fixed',
    async aggregateDay(day) {
      const rows = rowsByDay[day] ?? [];
      async function* stream() {
        let sent = 0;
        for await (const chunk of chunks(rows, 1)) {
          if (day === failOn && sent > 0) throw new Error(`injected failure loading ${day}`);
          sent++;
          yield chunk;
        }
      }
      return { summary: summaryOf(day, rows), rows: stream() };
    },
  };
}

/** Everything a reader can see of a package, for before/after comparisons. */
async function snapshot(names: string[]) {
  const result: Record<string, unknown> = { latest: await store.latestDay(), days: (await store.loadedDays()).map((d) => [d.day, d.rows]) };
  for (const name of names) {
    for (const dimension of ['overall', 'python_major', 'python_minor', 'system']) {
      result[`${name}/${dimension}`] = (await store.series(name, dimension, {})).sort((a, b) => `${a.day}${a.category}`.localeCompare(`${b.day}${b.category}`));
    }
    const latest = await store.latestDay();
    if (latest) result[`${name}/recent`] = await store.recent(name, latest);
  }
  return result;
}

const dayRows = (scale: number): AggregateRow[] => [
  row('a', 'overall', 'with_mirrors', 10 * scale),
  row('a', 'overall', 'without_mirrors', 9 * scale),
  row('a', 'python_major', '3', 9 * scale),
  row('b', 'overall', 'with_mirrors', 5 * scale),
  row('b', 'overall', 'without_mirrors', 5 * scale),
  row('b', 'python_major', '3', 4 * scale),
  row('b', 'python_major', 'null', 1 * scale),
];

describeEachStore('the load pipeline', (kind) => {
  beforeEach(async () => {
    dir = await tempDir();
    const t = await kind.create();
    store = t.store;
    return async () => {
      await t.dispose();
      await rm(dir, { recursive: true, force: true });
    };
  });

  it('derives __all__ as the sum over packages for every category', async () => {
    await loadDay(store, fixedSource({ '2026-11-01': dayRows(1) }), '2026-11-01', { retentionDays: 180 });
    expect(await store.series('__all__', 'overall', {})).toEqual(
      expect.arrayContaining([
        { category: 'with_mirrors', day: '2026-11-01', downloads: 15 },
        { category: 'without_mirrors', day: '2026-11-01', downloads: 14 },
      ]),
    );
    expect((await store.series('__all__', 'python_major', {})).sort((x, y) => x.category.localeCompare(y.category))).toEqual([
      { category: '3', day: '2026-11-01', downloads: 13 },
      { category: 'null', day: '2026-11-01', downloads: 1 },
    ]);
  });

  it('leaves the previous state of the day and of __all__ intact when a load fails half-way', async () => {
    const days = { '2026-11-01': dayRows(1), '2026-11-02': dayRows(2) };
    await loadDays(store, fixedSource(days), ['2026-11-01', '2026-11-02'], { retentionDays: 180 });
    const before = await snapshot(['a', 'b', '__all__']);
    const version = await store.dataVersion();
    const failing = fixedSource({ '2026-11-02': dayRows(100), '2026-11-03': dayRows(3) }, '2026-11-02');
    await expect(loadDay(store, failing, '2026-11-02', { retentionDays: 180 })).rejects.toThrow('injected failure loading 2026-11-02');
    expect(await snapshot(['a', 'b', '__all__'])).toEqual(before);
    expect(await store.dataVersion()).toBe(version);
    // A range stops at the failing day; the days before it stay loaded.
    const range = fixedSource({ '2026-11-03': dayRows(3), '2026-11-04': dayRows(4) }, '2026-11-04');
    await expect(loadDays(store, range, ['2026-11-03', '2026-11-04'], { retentionDays: 180 })).rejects.toThrow('injected failure');
    expect(await store.latestDay()).toBe('2026-11-03');
  });

  it('gives identical numbers when a day is loaded twice from the same files', async () => {
    const file = await writeNdjson(path.join(dir, 'day.ndjson'), [
      download('a', '2026-11-01 01:00:00 UTC'),
      download('a', '2026-11-01 02:00:00 UTC', { python: '2.7.18', system: { name: 'Windows' } }),
      download('b', '2026-11-01 03:00:00 UTC', { installer: { name: 'bandersnatch' } }),
    ]);
    const source = new FileSource(duck, { inputs: [file] });
    await loadDay(store, source, '2026-11-01', { retentionDays: 180 });
    const first = await snapshot(['a', 'b', '__all__']);
    const second = await loadDay(store, source, '2026-11-01', { retentionDays: 180 });
    expect(await snapshot(['a', 'b', '__all__'])).toEqual(first);
    expect(second.rows).toBe((await store.loadedDays())[0]!.rows);
  });

  it('purges days outside the retention window after each load, and refuses to load them', async () => {
    const source = fixedSource({ '2026-11-01': dayRows(1), '2026-11-02': dayRows(1), '2026-11-03': dayRows(1), '2026-11-04': dayRows(1) });
    await loadDays(store, source, ['2026-11-01', '2026-11-02'], { retentionDays: 3 });
    const result = await loadDay(store, source, '2026-11-04', { retentionDays: 3 });
    expect(result.purgedDays).toEqual(['2026-11-01']);
    expect((await store.loadedDays()).map((d) => d.day)).toEqual(['2026-11-02', '2026-11-04']);
    await expect(loadDay(store, source, '2026-11-01', { retentionDays: 3 })).rejects.toThrow(
      '2026-11-01 is outside the retention window (3 days ending 2026-11-04)',
    );
    await expect(loadDays(store, source, ['2026-10-30', '2026-10-31', '2026-11-02'], { retentionDays: 3 })).rejects.toThrow(
      '2 days (2026-10-30 to 2026-10-31) are outside the retention window (3 days ending 2026-11-04)',
    );
    await expect(loadDays(store, source, ['2026-11-01', '2026-11-02'], { retentionDays: 3 })).rejects.toThrow(
      '2026-11-01 is outside the retention window (3 days ending 2026-11-04)',
    );
  });

  it('refuses a source that writes the reserved name __all__', async () => {
    const source = fixedSource({ '2026-11-01': [row('__all__', 'overall', 'with_mirrors', 1), row('a', 'overall', 'with_mirrors', 1)] });
    await expect(loadDay(store, source, '2026-11-01', { retentionDays: 180 })).rejects.toThrow('reserved name __all__');
    expect(await store.latestDay()).toBeNull();
  });

  it('keeps every attempt in the load history, with what went in and came out', async () => {
    const file = await writeNdjson(path.join(dir, 'day.ndjson'), [
      download('a', '2026-11-01 01:00:00 UTC'),
      download('a', '2026-11-01 02:00:00 UTC', {}, 'a-1.0.tar.gz.metadata'),
      { ...download('b', '2026-11-01 03:00:00 UTC'), file: { project: 'no good!' }, project: 'no good!' },
    ]);
    await loadDay(store, new FileSource(duck, { inputs: [file] }), '2026-11-01', { retentionDays: 180 });
    await expect(loadDay(store, fixedSource({}, '2026-11-02'), '2026-11-02', { retentionDays: 180, allowEmpty: true })).resolves.toBeTruthy();
    const failing = fixedSource({ '2026-11-03': dayRows(1) }, '2026-11-03');
    await expect(loadDay(store, failing, '2026-11-03', { retentionDays: 180 })).rejects.toThrow('injected failure');
    const [third, second, first] = await store.loadHistory(10);
    // 3 events read: 1 download, 1 .metadata fetch, 1 malformed; 6 rows: a's five categories and __all__'s.
    expect(first).toMatchObject({ day: '2026-11-01', source: 'files', status: 'succeeded', eventsIn: 3, skipped: 1, error: null });
    expect(first!.rowsOut).toBe((await store.loadedDays())[0]!.rows);
    expect(second).toMatchObject({ day: '2026-11-02', source: 'fixed', status: 'succeeded', eventsIn: 0, rowsOut: 0 });
    expect(third).toMatchObject({ day: '2026-11-03', status: 'failed', error: 'injected failure loading 2026-11-03', rowsOut: null });
  });

  it('records a success in the day\'s own transaction: nothing after the commit can make it a failure', async () => {
    const source = fixedSource({ '2026-11-01': dayRows(1) });
    // The lock cannot be released after the commit (a disk that has just filled up).
    const unreleasable = new Proxy(store, {
      get(target, key) {
        if (key !== 'tryLock') return Reflect.get(target, key);
        return async (name: string) => {
          const lock = await target.tryLock(name);
          return lock && { release: async () => (await lock.release(), Promise.reject(new Error('disk I/O error'))) };
        };
      },
    });
    await expect(loadDay(unreleasable, source, '2026-11-01', { retentionDays: 180 })).resolves.toMatchObject({ day: '2026-11-01' });
    const [record] = await store.loadHistory(1);
    expect(record).toMatchObject({ day: '2026-11-01', status: 'succeeded', rowsOut: (await store.loadedDays())[0]!.rows });
    // A later report of failure for that attempt never overwrites the committed success.
    await store.finishLoad(record!.id, { status: 'failed', error: 'too late' });
    expect((await store.loadHistory(1))[0]).toMatchObject({ status: 'succeeded', error: null });
    // A write that fails before its commit leaves the attempt failed, never succeeded.
    await expect(loadDay(store, fixedSource({ '2026-11-02': dayRows(2) }, '2026-11-02'), '2026-11-02', { retentionDays: 180 })).rejects.toThrow('injected');
    expect((await store.loadHistory(1))[0]).toMatchObject({ day: '2026-11-02', status: 'failed', rowsOut: null });
  });

  it('refuses to load a day another process is loading, and loads a missing day once', async () => {
    const lock = await store.tryLock(dayLockName('2026-11-01'));
    const source = fixedSource({ '2026-11-01': dayRows(1) });
    await expect(loadDay(store, source, '2026-11-01', { retentionDays: 180 })).rejects.toThrow(DayBusyError);
    await expect(loadDay(store, source, '2026-11-01', { retentionDays: 180 })).rejects.toThrow(
      '2026-11-01 is being loaded by another process; try again when it has finished',
    );
    expect(await store.loadHistory(10)).toEqual([]);
    await lock!.release();
    expect(await loadDayIfMissing(store, source, '2026-11-01', { retentionDays: 180 })).toMatchObject({ day: '2026-11-01' });
    expect(await loadDayIfMissing(store, source, '2026-11-01', { retentionDays: 180 })).toBeNull();
    expect(await store.loadHistory(10)).toHaveLength(1);
  });
});
