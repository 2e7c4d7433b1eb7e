import { rm, symlink, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { isStoreUnavailable, type Store } from '../../src/store/types.js';
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
  it('creates its file and folder, and names it as its location', async () => {
    expect((await store.status()).location).toBe(file);
  });

  it('creates several missing folders, and refuses at once a folder that cannot be made', async () => {
    const deep = path.join(dir, 'a', 'b', 'c', 'store.sqlite');
    const other = SqliteStore.open(deep);
    await other.close();
    expect(statSync(deep).isFile()).toBe(true);
    // Node's own recursive mkdir loops forever on these two.
    expect(() => SqliteStore.open('/proc/no-such-process/store.sqlite')).toThrow(
      /^cannot create the directory of the SQLite file \/proc\/no-such-process\/store\.sqlite: ENOENT/,
    );
    await symlink(path.join(dir, 'gone'), path.join(dir, 'dangling'));
    expect(() => SqliteStore.open(path.join(dir, 'dangling', 'store.sqlite'))).toThrow(/^cannot create the directory of the SQLite file .*dangling\/store\.sqlite: /);
    await writeFile(path.join(dir, 'a-file'), '');
    expect(() => SqliteStore.open(path.join(dir, 'a-file', 'store.sqlite'))).toThrow(
      `cannot create the directory of the SQLite file ${path.join(dir, 'a-file', 'store.sqlite')}: ${path.join(dir, 'a-file')} is not a directory`,
    );
    expect(() => SqliteStore.open(path.join(dir, 'a-file', 'x', 'store.sqlite'))).toThrow(
      `cannot create the directory of the SQLite file ${path.join(dir, 'a-file', 'x', 'store.sqlite')}: ENOTDIR: not a directory`,
    );
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
    expect(await store.topPackages('month', 10)).toEqual([{ package: 'a', downloads: 4 }]);
    await write('2025-11-09', [row('b', 'overall', 'with_mirrors', 1)]);
    expect(await store.hasPackage('a')).toBe(true);
    expect(await store.series('a', 'overall', { start: '2025-11-09' })).toEqual([]);
  });

  it('migrates a database of rows per package and day (schema 4) into blocks of days, keeping the package_days of the last 60 days', async () => {
    await store.close();
    const old = path.join(dir, 'schema-4.sqlite');
    const Database = (await import('better-sqlite3')).default;
    const { migrations } = await import('../../src/store/sqlite/migrations.js');
    const { packDownloads } = await import('../../src/store/packed-downloads.js');
    const db = new Database(old);
    for (const migration of migrations.slice(0, 4)) {
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
    }
    db.exec(`INSERT INTO meta VALUES ('data_version', 'v4');
      INSERT INTO packages VALUES (1, 'a'), (2, 'b');
      INSERT INTO categories VALUES (1, 'overall', 'with_mirrors'), (2, 'overall', 'without_mirrors'), (3, 'system', 'linux');`);
    const first = 20_650;
    for (let i = 0; i < 40; i++) {
      const day = first + i;
      db.prepare('INSERT INTO daily VALUES (1, ?, ?)').run(day, packDownloads([1, 100 + i, 2, 90 + i, 3, i]));
      db.prepare('INSERT INTO package_days VALUES (?, 1, ?)').run(day, 90 + i);
      if (i % 10 === 0) {
        db.prepare('INSERT INTO daily VALUES (2, ?, ?)').run(day, packDownloads([1, 5]));
        db.prepare('INSERT INTO package_days VALUES (?, 2, 0)').run(day);
      }
      db.prepare("INSERT INTO loaded_days VALUES (?, 'test', 'x', 2, 4, NULL)").run(day);
    }
    db.pragma('user_version = 4');
    db.close();

    store = SqliteStore.open(old);
    const overall = await store.series('a', 'overall', {});
    expect(overall).toHaveLength(80);
    expect(overall.filter((point) => point.category === 'with_mirrors').map((point) => point.downloads)).toEqual(Array.from({ length: 40 }, (_, i) => 100 + i));
    expect((await store.series('a', 'system', { start: '2026-07-31', end: '2026-08-01' })).map((point) => point.downloads)).toEqual([15, 16]);
    expect((await store.series('b', 'overall', {})).map((point) => point.day)).toEqual(['2026-07-16', '2026-07-26', '2026-08-05', '2026-08-15']);
    expect(await store.recent('a', '2026-08-24')).toEqual({ lastDay: 129, lastWeek: 7 * 126, lastMonth: 30 * 114.5 });
    const check = new Database(old, { readonly: true });
    try {
      expect(check.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'daily'").pluck().get()).toBe(0);
      expect(check.prepare('SELECT min(day), count(DISTINCT day) FROM package_days').raw().get()).toEqual([first, 40]);
    } finally {
      check.close();
    }
    expect(await store.topPackages('month', 10)).toEqual([{ package: 'a', downloads: 30 * 114.5 }]);
  });

  it('raises StoreUnavailableError when another process holds the file locked past the busy timeout, and opens after', async () => {
    await write('2026-11-01', [row('a', 'overall', 'with_mirrors', 1)]);
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const other = new Database(file);
    // An exclusive lock in WAL mode keeps every other connection out, as a long recovery does.
    other.pragma('locking_mode = EXCLUSIVE');
    other.exec("BEGIN EXCLUSIVE; UPDATE meta SET value = value WHERE key = 'data_version'");
    try {
      // The store waits its busy timeout first.
      const error = (() => {
        try {
          SqliteStore.open(file);
        } catch (error) {
          return error;
        }
      })();
      expect(isStoreUnavailable(error)).toBe(true);
      expect((error as Error).message).toBe(`the database is unavailable (SQLite file ${file}): database is locked (SQLITE_BUSY)`);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    store = SqliteStore.open(file);
    expect(await store.latestDay()).toBe('2026-11-01');
  }, 30_000);
});

describe('SQLite store: the WAL after a write', () => {
  const walBytes = () => statSync(`${file}-wal`).size;

  it('is checkpointed into the file and truncated by the writing connection once the write commits', async () => {
    await write('2026-11-01', [row('a', 'overall', 'with_mirrors', 1), row('b', 'overall', 'with_mirrors', 2)]);
    expect(walBytes()).toBe(0);
    expect(await store.latestDay()).toBe('2026-11-01');
  });

  it('stays while a reader holds a snapshot past the wait (the write still commits), and is truncated by the next write once it has gone', async () => {
    await write('2026-11-01', [row('a', 'overall', 'with_mirrors', 1)]);
    const Database = (await import('better-sqlite3')).default;
    const reader = new Database(file);
    try {
      reader.exec('BEGIN');
      expect(reader.prepare('SELECT max(day) FROM loaded_days').pluck().get()).not.toBeNull();
      await write('2026-11-02', [row('a', 'overall', 'with_mirrors', 2)]);
      expect(await store.latestDay()).toBe('2026-11-02');
      // The reader's snapshot is kept: the frames it reads from are still in the WAL.
      expect(walBytes()).toBeGreaterThan(0);
      expect(reader.prepare('SELECT count(*) FROM loaded_days').pluck().get()).toBe(1);
      reader.exec('COMMIT');
    } finally {
      reader.close();
    }
    await write('2026-11-03', [row('a', 'overall', 'with_mirrors', 3)]);
    expect(walBytes()).toBe(0);
    expect((await store.loadedDays()).map((day) => day.day)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
  });
});
