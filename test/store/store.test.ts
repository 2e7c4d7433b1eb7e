import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/store/types.js';
import { chunks, row } from '../support/rows.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

describeEachStore('the store', (kind) => {
  let t: TestStore;
  let store: Store;

  beforeEach(async () => {
    t = await kind.create();
    store = t.store;
  });
  afterEach(async () => {
    await t.dispose();
  });

  function write(day: string, rows: ReturnType<typeof row>[], purgeBefore?: string) {
    return store.replaceDay({ day, source: 'test', summary: null, rows: chunks(rows), purgeBefore });
  }

  it('starts empty', async () => {
    const status = await store.status();
    expect(status).toMatchObject({ days: 0, latestDay: null, rows: 0, packages: 0 });
    expect(await store.hasPackage('anything')).toBe(false);
    expect(await store.series('anything', 'overall', {})).toEqual([]);
    expect(await store.packageCount()).toBe(0);
    for (const period of ['day', 'week', 'month'] as const) expect(await store.topPackages(period, 10)).toEqual([]);
    for (const period of ['week', 'month'] as const) expect(await store.trendingPackages(period, 10)).toEqual([]);
    expect(await store.loadHistory(10)).toEqual([]);
  });

  it('returns a package series for a dimension, within the date range', async () => {
    await write('2026-11-01', [row('pkg', 'overall', 'with_mirrors', 5), row('pkg', 'system', 'linux', 4), row('other', 'system', 'linux', 1)]);
    await write('2026-11-02', [row('pkg', 'overall', 'with_mirrors', 7), row('pkg', 'system', 'windows', 2)]);
    const system = await store.series('pkg', 'system', {});
    expect(system.sort((a, b) => a.day.localeCompare(b.day))).toEqual([
      { category: 'linux', day: '2026-11-01', downloads: 4 },
      { category: 'windows', day: '2026-11-02', downloads: 2 },
    ]);
    expect(await store.series('pkg', 'overall', { start: '2026-11-02' })).toEqual([{ category: 'with_mirrors', day: '2026-11-02', downloads: 7 }]);
    expect(await store.series('pkg', 'overall', { end: '2026-11-01' })).toEqual([{ category: 'with_mirrors', day: '2026-11-01', downloads: 5 }]);
    expect(await store.series('pkg', 'overall', { start: '2026-10-01', end: '2026-10-31' })).toEqual([]);
    expect(await store.latestDay()).toBe('2026-11-02');
  });

  it('replaces a day whole: rows of packages absent from the new day disappear', async () => {
    await write('2026-11-01', [row('a', 'overall', 'with_mirrors', 1), row('b', 'overall', 'with_mirrors', 2)]);
    await write('2026-11-02', [row('b', 'overall', 'with_mirrors', 3)]);
    await write('2026-11-01', [row('a', 'overall', 'with_mirrors', 10)]);
    expect(await store.series('a', 'overall', {})).toEqual([{ category: 'with_mirrors', day: '2026-11-01', downloads: 10 }]);
    expect(await store.series('b', 'overall', {})).toEqual([{ category: 'with_mirrors', day: '2026-11-02', downloads: 3 }]);
    expect((await store.status()).rows).toBe(2);
  });

  it('shows a category a later load adds, to a reader that has read before and to another store object', async () => {
    const other = await t.openAgain();
    try {
      await write('2026-11-01', [row('pkg', 'python_minor', '3.12', 5)]);
      expect(await store.series('pkg', 'python_minor', {})).toHaveLength(1);
      expect(await other.series('pkg', 'python_minor', {})).toHaveLength(1);
      await write('2026-11-02', [row('pkg', 'python_minor', '3.12', 6), row('pkg', 'python_minor', '3.15', 1), row('pkg', 'system', 'linux', 2)]);
      for (const reader of [store, other]) {
        expect((await reader.series('pkg', 'python_minor', { start: '2026-11-02' })).map((point) => point.category).sort()).toEqual(['3.12', '3.15']);
        expect(await reader.series('pkg', 'system', {})).toEqual([{ category: 'linux', day: '2026-11-02', downloads: 2 }]);
      }
    } finally {
      await other.close();
    }
  });

  it('keeps downloads above 2^31 exact', async () => {
    await write('2026-11-01', [row('big', 'overall', 'with_mirrors', 2 ** 40 + 3)]);
    expect(await store.series('big', 'overall', {})).toEqual([{ category: 'with_mirrors', day: '2026-11-01', downloads: 2 ** 40 + 3 }]);
  });

  it('reads back any day number and a package-day with thousands of categories', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => row('wide', 'python_minor', `3.${i}`, 2 ** 35 + i));
    await write('1969-12-31', [row('wide', 'overall', 'with_mirrors', 1)]);
    await write('2026-11-01', many);
    expect(await store.series('wide', 'overall', {})).toEqual([{ category: 'with_mirrors', day: '1969-12-31', downloads: 1 }]);
    const minor = await store.series('wide', 'python_minor', {});
    expect(minor).toHaveLength(3000);
    expect(minor.find((point) => point.category === '3.2999')).toEqual({ category: '3.2999', day: '2026-11-01', downloads: 2 ** 35 + 2999 });
  });

  it('sums recent downloads without mirrors over 1, 7 and 30 days ending at the given day', async () => {
    const days = ['2026-10-01', '2026-10-02', '2026-10-25', '2026-10-26', '2026-10-31', '2026-11-01'];
    for (const [i, day] of days.entries()) {
      await write(day, [row('pkg', 'overall', 'without_mirrors', 10 ** i), row('pkg', 'overall', 'with_mirrors', 7)]);
    }
    // The 30 days ending 2026-11-01 start 2026-10-03; the 7 days start 2026-10-26.
    expect(await store.recent('pkg', '2026-11-01')).toEqual({ lastDay: 100_000, lastWeek: 111_000, lastMonth: 111_100 });
    expect(await store.recent('pkg', '2026-10-31')).toEqual({ lastDay: 10_000, lastWeek: 11_100, lastMonth: 11_110 });
    expect(await store.recent('missing', '2026-11-01')).toEqual({ lastDay: 0, lastWeek: 0, lastMonth: 0 });
  });

  it('sums recent downloads with mirrors when asked', async () => {
    await write('2026-10-31', [row('pkg', 'overall', 'without_mirrors', 5), row('pkg', 'overall', 'with_mirrors', 7)]);
    await write('2026-11-01', [row('pkg', 'overall', 'without_mirrors', 50), row('pkg', 'overall', 'with_mirrors', 70)]);
    expect(await store.recent('pkg', '2026-11-01', { mirrors: true })).toEqual({ lastDay: 70, lastWeek: 77, lastMonth: 77 });
    expect(await store.recent('pkg', '2026-11-01', { mirrors: false })).toEqual({ lastDay: 50, lastWeek: 55, lastMonth: 55 });
  });

  it('sums a dimension per category over a range, and reads only the categories asked for', async () => {
    await write('2026-11-01', [row('pkg', 'python_minor', '3.12', 5), row('pkg', 'python_minor', '3.13', 1), row('pkg', 'system', 'linux', 6)]);
    await write('2026-11-02', [row('pkg', 'python_minor', '3.12', 7), row('pkg', 'python_minor', '2.7', 2)]);
    expect(Object.fromEntries(await store.categoryTotals('pkg', 'python_minor', {}))).toEqual({ '2.7': 2, '3.12': 12, '3.13': 1 });
    expect(Object.fromEntries(await store.categoryTotals('pkg', 'python_minor', { start: '2026-11-02' }))).toEqual({ '2.7': 2, '3.12': 7 });
    expect((await store.categoryTotals('missing', 'python_minor', {})).size).toBe(0);
    const only = await store.series('pkg', 'python_minor', {}, new Set(['3.12', '3.14']));
    expect(only.sort((a, b) => a.day.localeCompare(b.day))).toEqual([
      { category: '3.12', day: '2026-11-01', downloads: 5 },
      { category: '3.12', day: '2026-11-02', downloads: 7 },
    ]);
  });

  it('purges days before a day, in the same write or on its own', async () => {
    for (const day of ['2026-11-01', '2026-11-02', '2026-11-03']) await write(day, [row('pkg', 'overall', 'with_mirrors', 1)]);
    const result = await write('2026-11-04', [row('new', 'overall', 'with_mirrors', 1)], '2026-11-03');
    expect(result.purgedDays).toEqual(['2026-11-01', '2026-11-02']);
    expect((await store.loadedDays()).map((day) => day.day)).toEqual(['2026-11-03', '2026-11-04']);
    expect(await store.purgeBefore('2026-11-04')).toEqual(['2026-11-03']);
    expect(await store.hasPackage('pkg')).toBe(true); // its days are purged, its months kept forever: still known
    expect(await store.hasPackage('new')).toBe(true);
    expect(await store.purgeBefore('2026-11-04')).toEqual([]);
  });

  it('counts, searches and ranks the packages with data, leaving __all__ out', async () => {
    const day = (d: string, counts: Record<string, number>) =>
      write(d, Object.entries(counts).flatMap(([name, n]) => [row(name, 'overall', 'without_mirrors', n), row(name, 'overall', 'with_mirrors', n + 1)]));
    await day('2026-10-01', { 'old-only': 1000 });
    await day('2026-10-20', { requests: 10, 'requests-oauthlib': 500, '__all__': 510 });
    await day('2026-10-31', { requests: 30, 'requests-oauthlib': 1, tiny: 30 });
    await day('2026-11-01', { requests: 20, tiny: 20, zope: 5 });
    expect(await store.packageCount()).toBe(5);
    expect(await store.searchPackages('requests', 10)).toEqual(['requests', 'requests-oauthlib']);
    expect(await store.searchPackages('req', 1)).toEqual(['requests']);
    expect(await store.searchPackages('nothing', 10)).toEqual([]);
    expect(await store.searchPackages('', 100)).toEqual(['old-only', 'requests', 'requests-oauthlib', 'tiny', 'zope']);
    const top = { day: await store.topPackages('day', 10), week: await store.topPackages('week', 10), month: await store.topPackages('month', 10) };
    expect(top.day).toEqual([
      { package: 'requests', downloads: 20 },
      { package: 'tiny', downloads: 20 },
      { package: 'zope', downloads: 5 },
    ]);
    expect(top.week).toEqual([
      { package: 'requests', downloads: 50 },
      { package: 'tiny', downloads: 50 },
      { package: 'zope', downloads: 5 },
      { package: 'requests-oauthlib', downloads: 1 },
    ]);
    // 2026-10-01 is outside the 30 days ending 2026-11-01.
    expect(top.month.map((entry) => entry.package)).toEqual(['requests-oauthlib', 'requests', 'tiny', 'zope']);
    expect(await store.topPackages('month', 1)).toEqual([{ package: 'requests-oauthlib', downloads: 501 }]);
    await store.purgeBefore('2026-10-31');
    expect(await store.packageCount()).toBe(4);
    expect((await store.topPackages('month', 10)).map((entry) => entry.package)).toEqual(['requests', 'tiny', 'zope', 'requests-oauthlib']);
    expect(await store.searchPackages('o', 10)).toEqual([]);
  });

  it('never shows a purged day again, even when an older day is loaded after the purge', async () => {
    for (const day of ['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05']) await write(day, [row('pkg', 'overall', 'with_mirrors', 1)]);
    await store.purgeBefore('2026-11-04');
    expect((await store.series('pkg', 'overall', {})).map((point) => point.day).sort()).toEqual(['2026-11-04', '2026-11-05']);
    await write('2026-11-02', [row('pkg', 'overall', 'with_mirrors', 9), row('other', 'overall', 'with_mirrors', 1)]);
    expect((await store.series('pkg', 'overall', {})).sort((a, b) => a.day.localeCompare(b.day))).toEqual([
      { category: 'with_mirrors', day: '2026-11-02', downloads: 9 },
      { category: 'with_mirrors', day: '2026-11-04', downloads: 1 },
      { category: 'with_mirrors', day: '2026-11-05', downloads: 1 },
    ]);
    await store.purgeBefore('2026-11-10');
    expect(await store.hasPackage('pkg')).toBe(true); // its days are purged, its months kept forever: still known
    expect(await store.searchPackages('', 10)).toEqual([]);
    expect(await store.series('pkg', 'overall', {})).toEqual([]);
    await write('2026-11-03', [row('other', 'overall', 'with_mirrors', 2)]);
    expect(await store.series('pkg', 'overall', {})).toEqual([]);
    expect(await store.packageCount()).toBe(1);
  });

  it('keeps 70 days across blocks of days: any range reads back, an old day is replaced, purges cut and pass blocks', async () => {
    const first = '2026-08-01';
    const dayOf = (i: number) => new Date(Date.parse(first) + i * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < 70; i++) {
      await write(dayOf(i), [row('pkg', 'overall', 'with_mirrors', 1000 + i), row('pkg', 'overall', 'without_mirrors', 1), row('pkg', 'system', 'linux', i), ...(i < 3 ? [row('early', 'overall', 'with_mirrors', 5)] : [])]);
    }
    const counts = async (start?: string, end?: string) =>
      (await store.series('pkg', 'overall', { start, end }))
        .filter((point) => point.category === 'with_mirrors')
        .sort((a, b) => a.day.localeCompare(b.day))
        .map((point) => point.downloads);
    expect(await counts()).toEqual(Array.from({ length: 70 }, (_, i) => 1000 + i));
    expect(await counts(dayOf(20), dayOf(45))).toEqual(Array.from({ length: 26 }, (_, i) => 1020 + i));
    // Day 2 is long out of the last 30 days; replacing it still takes its old entries away.
    await write(dayOf(2), [row('pkg', 'overall', 'with_mirrors', 7)]);
    expect((await counts()).slice(0, 4)).toEqual([1000, 1001, 7, 1003]);
    expect((await store.series('pkg', 'system', {})).map((point) => point.day)).not.toContain(dayOf(2));
    expect(await store.series('early', 'overall', {})).toHaveLength(2);
    expect((await store.status()).rows).toBe(2 * 4 + 1 + 67 * 3);
    // A purge one day in, then one past the first block of days (2026-07-06 to 2026-08-06).
    expect(await store.purgeBefore(dayOf(1))).toEqual([dayOf(0)]);
    expect(await counts(undefined, dayOf(3))).toEqual([1001, 7, 1003]);
    expect(await store.purgeBefore('2026-08-20')).toHaveLength(18);
    expect(await counts()).toEqual(Array.from({ length: 51 }, (_, i) => 1019 + i));
    expect(await store.hasPackage('early')).toBe(true); // its days are purged, its months kept forever: still known
    expect(await store.searchPackages('', 10)).toEqual(['pkg']);
    expect(await store.recent('pkg', dayOf(69))).toEqual({ lastDay: 1, lastWeek: 7, lastMonth: 30 });
  });

  it('changes its data version when, and only when, a write lands', async () => {
    const first = await store.dataVersion();
    expect(await store.dataVersion()).toBe(first);
    await write('2026-11-01', [row('pkg', 'overall', 'with_mirrors', 1)]);
    const second = await store.dataVersion();
    expect(second).not.toBe(first);
    await store.purgeBefore('2026-01-01');
    expect(await store.dataVersion()).toBe(second);
    await store.purgeBefore('2026-11-02');
    expect(await store.dataVersion()).not.toBe(second);
  });

  it('rolls a day back whole when its rows fail half-way', async () => {
    await write('2026-11-01', [row('a', 'overall', 'with_mirrors', 1), row('b', 'overall', 'with_mirrors', 2)]);
    const version = await store.dataVersion();
    async function* failing() {
      yield [row('a', 'overall', 'with_mirrors', 100)];
      throw new Error('source broke');
    }
    await expect(store.replaceDay({ day: '2026-11-01', source: 'test', summary: null, rows: failing() })).rejects.toThrow('source broke');
    expect(await store.series('a', 'overall', {})).toEqual([{ category: 'with_mirrors', day: '2026-11-01', downloads: 1 }]);
    expect(await store.series('b', 'overall', {})).toEqual([{ category: 'with_mirrors', day: '2026-11-01', downloads: 2 }]);
    expect(await store.dataVersion()).toBe(version);
    // The store still takes writes afterwards.
    await write('2026-11-02', [row('a', 'overall', 'with_mirrors', 3)]);
    expect(await store.latestDay()).toBe('2026-11-02');
  });

  it('lets readers see the previous day while a day is being written', async () => {
    await write('2026-11-01', [row('a', 'overall', 'with_mirrors', 1)]);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow() {
      yield [row('a', 'overall', 'with_mirrors', 50)];
      await gate;
      yield [row('b', 'overall', 'with_mirrors', 60)];
    }
    const writing = store.replaceDay({ day: '2026-11-01', source: 'test', summary: null, rows: slow() });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.series('a', 'overall', {})).toEqual([{ category: 'with_mirrors', day: '2026-11-01', downloads: 1 }]);
    expect(await store.hasPackage('b')).toBe(false);
    release();
    await writing;
    expect(await store.series('a', 'overall', {})).toEqual([{ category: 'with_mirrors', day: '2026-11-01', downloads: 50 }]);
    expect(await store.hasPackage('b')).toBe(true);
  });

  it('keeps a history of load attempts, newest first, and marks a running one left behind as interrupted', async () => {
    const first = await store.startLoad('2026-11-01', 'files');
    await store.finishLoad(first, { status: 'succeeded', eventsIn: 3_000_000_000, rowsOut: 20, skipped: 2 });
    const failed = await store.startLoad('2026-11-02', 'bigquery');
    await store.finishLoad(failed, { status: 'failed', error: 'quota exceeded' });
    const abandoned = await store.startLoad('2026-11-03', 'files');
    const history = await store.loadHistory(10);
    expect(history.map((record) => [record.day, record.source, record.status])).toEqual([
      ['2026-11-03', 'files', 'running'],
      ['2026-11-02', 'bigquery', 'failed'],
      ['2026-11-01', 'files', 'succeeded'],
    ]);
    expect(history[2]).toMatchObject({ id: first, eventsIn: 3_000_000_000, rowsOut: 20, skipped: 2, error: null });
    expect(history[1]).toMatchObject({ id: failed, error: 'quota exceeded', eventsIn: null });
    expect(history[0]!.finishedAt).toBeNull();
    expect(Date.parse(history[1]!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(history[1]!.startedAt));
    // A new attempt at the same day means the old one is not running any more.
    await store.startLoad('2026-11-03', 'files');
    expect((await store.loadHistory(10)).find((record) => record.id === abandoned)?.status).toBe('interrupted');
    expect(await store.loadHistory(1)).toHaveLength(1);
  });

  it('gives a lock to one holder at a time, across store objects', async () => {
    const other = await t.openAgain();
    try {
      const lock = await store.tryLock('load 2026-11-01');
      expect(lock).not.toBeNull();
      expect(await store.tryLock('load 2026-11-01')).toBeNull();
      expect(await other.tryLock('load 2026-11-01')).toBeNull();
      const another = await other.tryLock('load 2026-11-02');
      expect(another).not.toBeNull();
      await lock!.release();
      const taken = await other.tryLock('load 2026-11-01');
      expect(taken).not.toBeNull();
      await taken!.release();
      await another!.release();
    } finally {
      await other.close();
    }
  });

  it('frees a lock when the process holding it is killed', async () => {
    const script = `
      const { openStore } = await import(${JSON.stringify(new URL('../../dist/store/open.js', import.meta.url).href)});
      const { loadConfig } = await import(${JSON.stringify(new URL('../../dist/config.js', import.meta.url).href)});
      const store = await openStore(loadConfig().database);
      const lock = await store.tryLock('load 2026-11-01');
      console.log(lock ? 'locked' : 'busy');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, DATABASE_URL: t.databaseUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [output] = (await once(child.stdout!, 'data')) as [Buffer];
    expect(output.toString().trim()).toBe('locked');
    expect(await store.tryLock('load 2026-11-01')).toBeNull();
    child.kill('SIGKILL');
    await once(child, 'exit');
    // PostgreSQL notices the closed connection at once; SQLite sees the holder's process is gone.
    let lock = await store.tryLock('load 2026-11-01');
    for (let attempt = 0; lock === null && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      lock = await store.tryLock('load 2026-11-01');
    }
    expect(lock).not.toBeNull();
    await lock!.release();
  });
});
