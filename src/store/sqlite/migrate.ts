import { newDataVersion } from '../data-version.js';
import type { Connection } from './connection.js';
import { migrations } from './migrations.js';

/** Applies the migrations the file lacks (PRAGMA user_version counts those applied), each in its transaction. */
export function migrate(db: Connection): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > migrations.length) {
    throw new Error(`the database was made by a newer version of pypistats (schema ${applied}, this one knows ${migrations.length})`);
  }
  for (let version = applied; version < migrations.length; version++) {
    db.transaction(() => {
      const migration = migrations[version]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      if (version === 0) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('data_version', newDataVersion());
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
