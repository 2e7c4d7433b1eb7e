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
  it('creates its file and folder, and names it as its location', async () => {
    expect((await store.status()).location).toBe(file);
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
