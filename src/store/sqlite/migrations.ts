/**
 * The SQLite schema, as numbered migrations (PRAGMA user_version counts those applied).
 *
 * Laid out for the API's read, as the PostgreSQL store is: a package's days are a few rows of
 * `package_blocks`, one per block of 32 days (see block-keys.ts), each the entries of its days
 * one after another, every category of a day packed in one blob (see packed-downloads.ts). A
 * series of 180 days is one range scan of 6 or 7 rows; it was 180 rows (a row per package and
 * day, migrations 2 to 4), and SQLite's work on them was 40 % of a cold request's CPU. Names
 * live once in `packages` and `categories`. `package_days` keeps the last 30 days' downloads per
 * package, for the top packages.
 *
 * Migration 6 adds the breakdowns beyond the seed's four (see ../layout.ts): their entries go to
 * `package_breakdown_blocks` (keyed and laid out as `package_blocks`), their category ids are
 * per package (`package_categories`, dense from 0 in order of first appearance, so most are one
 * byte). `package_blocks` and `categories` keep exactly what they held: an existing database
 * keeps its days as they were, and the new breakdowns fill from the next load.
 *
 * Migration 7 adds the monthly totals kept forever (see ../months.ts): `months` (which days each
 * month counts, and from where) and `package_months` (a row per package, month and source, keyed
 * as block-keys.ts's monthKey, the seed's and the other dimensions' sums in two blobs). It sums
 * the days an existing database holds into their months, and changes nothing else.
 *
 * Migration 10 makes the ranked lists keep the package's name instead of its id (see
 * ../derived-lists.ts: a cold `/api/top?limit=1000` was mostly the join to `packages`), and ranks
 * them anew from `package_days`.
 */
import type Database from 'better-sqlite3';
import { WITHOUT_MIRRORS } from '../../domain/dimensions.js';
import { mirrorSplitDimension } from '../layout.js';
import { dayEntry, packDownloads, unpackDownloads } from '../packed-downloads.js';
import { blockKey, blockKeyRange, monthKey } from './block-keys.js';
import { MONTH_SOURCE_CODE, monthsOfHeldDays } from '../months.js';
import { dayBit, monthOfDayNumber } from '../../domain/months.js';
import { RECENT_DAYS, refreshDerived } from './derived.js';
import { ACCOUNTS_SCHEMA } from './accounts.js';
import { RANKED_TABLES_SQL } from '../derived-lists.js';
import { LOADS_SCHEMA } from './loads.js';

export type Migration = string | ((db: Database.Database) => void);

export const migrations: readonly Migration[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE packages (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
   CREATE TABLE categories (
     id INTEGER PRIMARY KEY,
     dimension TEXT NOT NULL,
     name TEXT NOT NULL,
     UNIQUE (dimension, name)
   );
   CREATE TABLE downloads (
     package_id INTEGER NOT NULL,
     day INTEGER NOT NULL,
     category_id INTEGER NOT NULL,
     downloads INTEGER NOT NULL,
     PRIMARY KEY (package_id, day, category_id)
   ) WITHOUT ROWID;
   CREATE TABLE package_days (
     day INTEGER NOT NULL,
     package_id INTEGER NOT NULL,
     PRIMARY KEY (day, package_id)
   ) WITHOUT ROWID;
   CREATE TABLE loaded_days (
     day INTEGER PRIMARY KEY,
     source TEXT NOT NULL,
     loaded_at TEXT NOT NULL,
     packages INTEGER NOT NULL,
     rows INTEGER NOT NULL,
     summary TEXT
   );`,
  // A row per category became a row per (package, day) holding every category.
  (db) => {
    db.exec(`CREATE TABLE daily (
      package_id INTEGER NOT NULL,
      day INTEGER NOT NULL,
      downloads BLOB NOT NULL,
      PRIMARY KEY (package_id, day)
    ) WITHOUT ROWID`);
    const insert = db.prepare('INSERT INTO daily (package_id, day, downloads) VALUES (?, ?, ?)');
    const packageIds = db.prepare('SELECT DISTINCT package_id FROM downloads').pluck().all() as number[];
    const rowsOf = db.prepare('SELECT day, category_id, downloads FROM downloads WHERE package_id = ? ORDER BY day').raw();
    for (const packageId of packageIds) {
      const pairsByDay = new Map<number, number[]>();
      for (const [day, categoryId, downloads] of rowsOf.all(packageId) as [number, number, number][]) {
        const pairs = pairsByDay.get(day) ?? [];
        pairs.push(categoryId, downloads);
        pairsByDay.set(day, pairs);
      }
      for (const [day, pairs] of pairsByDay) insert.run(packageId, day, packDownloads(pairs));
    }
    db.exec('DROP TABLE downloads');
  },
  // The website's lists: a package's downloads without mirrors per day, and the top packages.
  (db) => {
    db.exec(`ALTER TABLE package_days ADD COLUMN downloads INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE top_packages (
        period TEXT NOT NULL,
        rank INTEGER NOT NULL,
        package_id INTEGER NOT NULL,
        downloads INTEGER NOT NULL,
        PRIMARY KEY (period, rank)
      ) WITHOUT ROWID;`);
    const withoutMirrors = db.prepare('SELECT id FROM categories WHERE dimension = ? AND name = ?').pluck().get(mirrorSplitDimension.name, WITHOUT_MIRRORS);
    if (withoutMirrors !== undefined) {
      const update = db.prepare('UPDATE package_days SET downloads = ? WHERE day = ? AND package_id = ?');
      const rowsOf = db.prepare('SELECT day, downloads FROM daily WHERE package_id = ?').raw();
      // One package at a time: a statement cannot write while another iterates.
      for (const packageId of db.prepare('SELECT id FROM packages').pluck().all() as number[]) {
        for (const [day, packed] of rowsOf.all(packageId) as [number, Buffer][]) {
          let downloads = 0;
          unpackDownloads(packed, (category, count) => {
            if (category === withoutMirrors) downloads = count;
          });
          update.run(downloads, day, packageId);
        }
      }
    }
    // The derived tables are built by the last migration, from the layout it leaves.
  },
  // The load history and the locks that keep two processes from loading one day.
  LOADS_SCHEMA,
  // A row per package and day became a row per package and block of days.
  (db) => {
    db.exec('CREATE TABLE package_blocks (key INTEGER PRIMARY KEY, last_day INTEGER NOT NULL, days BLOB NOT NULL)');
    const insert = db.prepare<[number, number, Buffer]>('INSERT INTO package_blocks (key, last_day, days) VALUES (?, ?, ?)');
    const rowsOf = db.prepare('SELECT day, downloads FROM daily WHERE package_id = ? ORDER BY day').raw();
    for (const packageId of db.prepare('SELECT DISTINCT package_id FROM daily').pluck().all() as number[]) {
      const blocks = new Map<number, { lastDay: number; entries: Buffer[] }>();
      for (const [day, packed] of rowsOf.all(packageId) as [number, Buffer][]) {
        const key = blockKey(packageId, day);
        const block = blocks.get(key) ?? { lastDay: day, entries: [] };
        block.lastDay = day;
        block.entries.push(dayEntry(day, packed));
        blocks.set(key, block);
      }
      for (const [key, block] of blocks) insert.run(key, block.lastDay, Buffer.concat(block.entries));
    }
    db.exec(`DROP TABLE daily;
      DELETE FROM package_days WHERE day <= (SELECT max(day) FROM loaded_days) - ${RECENT_DAYS};`);
    // The derived tables are refreshed by the last migration, which knows all of them.
  },
  // The breakdowns beyond the seed's, apart from the seed's blocks, with per-package category ids.
  // No index by name: the day's writer reads a package's categories whole (one range of the key)
  // and is the only one to add to them, and an index would repeat every name.
  `CREATE TABLE package_categories (
     package_id INTEGER NOT NULL,
     id INTEGER NOT NULL,
     dimension TEXT NOT NULL,
     name TEXT NOT NULL,
     PRIMARY KEY (package_id, id)
   ) WITHOUT ROWID;
   CREATE TABLE package_breakdown_blocks (key INTEGER PRIMARY KEY, last_day INTEGER NOT NULL, days BLOB NOT NULL);`,
  // The trending packages beside the top ones, both ranked to 1000 (the API's longest list); the
  // days kept for them grew to two months (the month trending compares and the month before).
  (db) => {
    db.exec(`CREATE TABLE trending_packages (
        period TEXT NOT NULL,
        rank INTEGER NOT NULL,
        package_id INTEGER NOT NULL,
        downloads INTEGER NOT NULL,
        previous INTEGER NOT NULL,
        PRIMARY KEY (period, rank)
      ) WITHOUT ROWID;`);
    // Ranked by the last migration, which makes the tables as the current code writes them.
  },
  // Users who signed in with GitHub, their tracked packages and API tokens, and the admin console's jobs.
  ACCOUNTS_SCHEMA,
  // Monthly totals kept forever, filled from the days held.
  (db) => {
    db.exec(`CREATE TABLE months (month INTEGER PRIMARY KEY, daily_days INTEGER NOT NULL, backfill_days INTEGER NOT NULL);
      CREATE TABLE package_months (key INTEGER PRIMARY KEY, seed BLOB NOT NULL, breakdown BLOB NOT NULL);`);
    fillMonthsFromDays(db);
  },
  // The ranked lists keep the package's name, ranked anew (the last migration builds the derived tables).
  (db) => {
    db.exec(RANKED_TABLES_SQL({ text: 'TEXT', count: 'INTEGER', tableOptions: ' WITHOUT ROWID' }));
    refreshDerived(db);
  },
];

/** Sums the days the database holds into their months (see ../months.ts), a package at a time. */
function fillMonthsFromDays(db: Database.Database): void {
  const loadedDays = db.prepare('SELECT day FROM loaded_days ORDER BY day').pluck().all() as number[];
  if (loadedDays.length === 0) return;
  const masks = new Map<number, number>();
  for (const day of loadedDays) masks.set(monthOfDayNumber(day), (masks.get(monthOfDayNumber(day)) ?? 0) + dayBit(day));
  const insertMonth = db.prepare('INSERT INTO months (month, daily_days, backfill_days) VALUES (?, ?, 0)');
  for (const [month, mask] of masks) insertMonth.run(month, mask);
  const first = loadedDays[0]!;
  const last = loadedDays.at(-1)!;
  const seedBlocks = db.prepare<[number, number], Buffer>('SELECT days FROM package_blocks WHERE key BETWEEN ? AND ?').pluck();
  const breakdownBlocks = db.prepare<[number, number], Buffer>('SELECT days FROM package_breakdown_blocks WHERE key BETWEEN ? AND ?').pluck();
  const insert = db.prepare<[number, Buffer, Buffer]>('INSERT INTO package_months (key, seed, breakdown) VALUES (?, ?, ?)');
  for (const packageId of db.prepare('SELECT id FROM packages').pluck().all() as number[]) {
    const range = blockKeyRange(packageId, first, last);
    const months = monthsOfHeldDays({ seed: seedBlocks.all(...range), breakdown: breakdownBlocks.all(...range) }, first);
    for (const [month, sums] of months) insert.run(monthKey(packageId, month, MONTH_SOURCE_CODE.daily), sums.seed.pack(), sums.breakdown.pack());
  }
}
