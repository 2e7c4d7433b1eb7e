/**
 * The ranked lists keep the package's name since SQLite's migration 10 and PostgreSQL's 7 (see
 * src/store/derived-lists.ts). A store made before, with its lists by package id, is upgraded on
 * open: the lists made anew and ranked again from the days it holds, answering as before.
 */
import { expect, it } from 'vitest';
import { dayRange } from '../../src/domain/dates.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { postgresMigrations } from '../../src/store/postgres/migrations.js';
import { migrations as sqliteMigrations } from '../../src/store/sqlite/migrations.js';
import type { Store } from '../../src/store/types.js';
import { chunks, row } from '../support/rows.js';
import { describeEachStore, freshStoreEachTest, onDatabase, type TestStore } from '../support/stores.js';

/** The lists as both stores held them before: a package id where the name is now. */
const OLD_LISTS = `
  DROP TABLE top_packages;
  DROP TABLE trending_packages;
  CREATE TABLE top_packages (period TEXT NOT NULL, rank INTEGER NOT NULL, package_id INTEGER NOT NULL, downloads BIGINT NOT NULL, PRIMARY KEY (period, rank));
  CREATE TABLE trending_packages (period TEXT NOT NULL, rank INTEGER NOT NULL, package_id INTEGER NOT NULL, downloads BIGINT NOT NULL, previous BIGINT NOT NULL, PRIMARY KEY (period, rank));
  INSERT INTO top_packages (period, rank, package_id, downloads) SELECT 'month', 1, min(id), 1 FROM packages;`;

describeEachStore('ranked lists by name', (kind) => {
  let t: TestStore;
  let store: Store;

  freshStoreEachTest(kind, (fresh) => {
    t = fresh;
    store = fresh.store;
  });

  it('upgrades lists kept by package id: made anew and ranked again from the days held', async () => {
    // Two weeks, so the week's trending list has the week before it: `riser` grows, `steady` does not.
    for (const [i, day] of dayRange('2026-10-01', '2026-10-14').entries()) {
      const rows = [row('steady', 'overall', 'without_mirrors', 5000), row('riser', 'overall', 'without_mirrors', i < 7 ? 200 : 900)];
      await store.replaceDay({ day, source: 'test', summary: null, rows: withAllPackagesTotals(chunks(rows)) });
    }
    const top = await store.topPackages('month', 10);
    const trending = await store.trendingPackages('week', 10);
    expect(top).toEqual([
      { package: 'steady', downloads: 14 * 5000 },
      { package: 'riser', downloads: 7 * 200 + 7 * 900 },
    ]);
    expect(trending).toEqual([{ package: 'riser', downloads: 7 * 900, previous: 7 * 200 }]);

    await onDatabase(kind, t, {
      sqlite: `${OLD_LISTS} PRAGMA user_version = ${sqliteMigrations.length - 1};`,
      postgres: `${OLD_LISTS} UPDATE schema_version SET version = ${postgresMigrations.length - 1};`,
    });
    const upgraded = await t.openAgain();
    try {
      expect(await upgraded.topPackages('month', 10)).toEqual(top);
      expect(await upgraded.trendingPackages('week', 10)).toEqual(trending);
      expect(await upgraded.topPackages('day', 1)).toEqual([{ package: 'steady', downloads: 5000 }]);
    } finally {
      await upgraded.close();
    }
  });
});
