import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/types.js';
import { tempDir } from '../support/raw-events.js';
import { chunks, row } from '../support/rows.js';

let dir: string;
let file: string;
let store: Store;

beforeEach(async () => {
  dir = await tempDir();
  file = path.join(dir, 'nested', 'store.sqlite');
  store = SqliteStore.open(file);
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function write(day: string, rows: ReturnType<typeof row>[], purgeBefore?: string) {
  return store.replaceDay({ day, source: 'test', summary: null, rows: chunks(rows), purgeBefore });
}

describe('SQLite store', () => {
  it('creates its file and folder, and starts empty', async () => {
    const status = await store.status();
    expect(status).toMatchObject({ days: 0, latestDay: null, rows: 0, packages: 0, location: file });
    expect(await store.hasPackage('anything')).toBe(false);
    expect(await store.series('anything', 'overall', {})).toEqual([]);
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

  it('keeps downloads above 2^31 exact', async () => {
    await write('2026-11-01', [row('big', 'overall', 'with_mirrors', 2 ** 40 + 3)]);
    expect(await store.series('big', 'overall', {})).toEqual([{ category: 'with_mirrors', day: '2026-11-01', downloads: 2 ** 40 + 3 }]);
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

  it('purges days before a day, in the same write or on its own', async () => {
    for (const day of ['2026-11-01', '2026-11-02', '2026-11-03']) await write(day, [row('pkg', 'overall', 'with_mirrors', 1)]);
    const result = await write('2026-11-04', [row('new', 'overall', 'with_mirrors', 1)], '2026-11-03');
    expect(result.purgedDays).toEqual(['2026-11-01', '2026-11-02']);
    expect((await store.loadedDays()).map((day) => day.day)).toEqual(['2026-11-03', '2026-11-04']);
    expect(await store.purgeBefore('2026-11-04')).toEqual(['2026-11-03']);
    expect(await store.hasPackage('pkg')).toBe(false);
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
    const top = await store.topPackages(10);
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
    expect((await store.topPackages(1)).month).toEqual([{ package: 'requests-oauthlib', downloads: 501 }]);
    await store.purgeBefore('2026-10-31');
    expect(await store.packageCount()).toBe(4);
    expect((await store.topPackages(10)).month.map((entry) => entry.package)).toEqual(['requests', 'tiny', 'zope', 'requests-oauthlib']);
    expect(await store.searchPackages('o', 10)).toEqual([]);
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

  it('reopens an existing file with its data, and refuses a newer schema', async () => {
    await write('2026-11-01', [row('a', 'overall', 'with_mirrors', 1)]);
    await store.close();
    store = SqliteStore.open(file);
    expect(await store.latestDay()).toBe('2026-11-01');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => SqliteStore.open(file)).toThrow(/newer version of pypistats/);
  });

  it('migrates a database of the first schema (a row per category) with its data', async () => {
    await store.close();
    const old = path.join(dir, 'schema-1.sqlite');
    const Database = (await import('better-sqlite3')).default;
    const { migrations } = await import('../../src/store/sqlite/migrations.js');
    const db = new Database(old);
    db.exec(migrations[0] as string);
    db.exec(`INSERT INTO meta VALUES ('data_version', 'v1');
      INSERT INTO packages VALUES (1, 'a'), (2, 'b');
      INSERT INTO categories VALUES (1, 'overall', 'with_mirrors'), (2, 'overall', 'without_mirrors'), (3, 'system', 'linux');
      INSERT INTO downloads VALUES (1, 20400, 1, 5), (1, 20400, 2, 4), (1, 20400, 3, 4), (1, 20401, 1, 3000000000), (2, 20400, 1, 7);
      INSERT INTO package_days VALUES (20400, 1), (20400, 2), (20401, 1);
      INSERT INTO loaded_days VALUES (20400, 'test', 'x', 2, 4, NULL), (20401, 'test', 'x', 1, 1, NULL);`);
    db.pragma('user_version = 1');
    db.close();
    store = SqliteStore.open(old);
    const sorted = (points: { day: string; category: string }[]) => points.sort((x, y) => `${x.day}${x.category}`.localeCompare(`${y.day}${y.category}`));
    expect(sorted(await store.series('a', 'overall', {}))).toEqual([
      { category: 'with_mirrors', day: '2025-11-08', downloads: 5 },
      { category: 'without_mirrors', day: '2025-11-08', downloads: 4 },
      { category: 'with_mirrors', day: '2025-11-09', downloads: 3_000_000_000 },
    ]);
    expect(await store.series('a', 'system', {})).toEqual([{ category: 'linux', day: '2025-11-08', downloads: 4 }]);
    expect(await store.series('b', 'overall', {})).toEqual([{ category: 'with_mirrors', day: '2025-11-08', downloads: 7 }]);
    // The derived lists are built from the migrated rows.
    expect(await store.packageCount()).toBe(2);
    expect((await store.topPackages(10)).month).toEqual([{ package: 'a', downloads: 4 }]);
    await write('2025-11-09', [row('b', 'overall', 'with_mirrors', 1)]);
    expect(await store.hasPackage('a')).toBe(true);
    expect(await store.series('a', 'overall', { start: '2025-11-09' })).toEqual([]);
  });
});
