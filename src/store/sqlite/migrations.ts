/**
 * The SQLite schema, as numbered migrations (PRAGMA user_version counts those applied).
 *
 * Laid out for the API's read: one package's series over many days is one contiguous range of
 * `daily`, clustered by (package, day), one row per package and day with every category packed in
 * a blob (see packed-downloads.ts): at PyPI scale about a fifth of the bytes of a row per category.
 * Names live once in `packages` and `categories`. `package_days` is the day's index into `daily`,
 * so replacing or purging a day touches only that day's rows.
 */
import type Database from 'better-sqlite3';
import { WITHOUT_MIRRORS } from '../../domain/dimensions.js';
import { packDownloads, unpackDownloads } from '../packed-downloads.js';
import { refreshDerived } from './derived.js';
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
    const withoutMirrors = db.prepare("SELECT id FROM categories WHERE dimension = 'overall' AND name = ?").pluck().get(WITHOUT_MIRRORS);
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
    refreshDerived(db);
  },
  // The load history and the locks that keep two processes from loading one day.
  LOADS_SCHEMA,
];
