/**
 * The SQLite schema, as numbered migrations (PRAGMA user_version counts those applied).
 *
 * Laid out for the API's read: one package's series over many days is one contiguous range of
 * `downloads`, clustered by (package, day). A row holds only integer ids (about 10 bytes of
 * information); names live once in `packages` and `categories`. `package_days` is the day's index
 * into `downloads`, so replacing or purging a day touches only that day's rows.
 */
export const migrations: readonly string[] = [
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
];
