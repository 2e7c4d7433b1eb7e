import { newDataVersion } from '../data-version.js';
import type { Connection } from './connection.js';
import { migrations } from './migrations.js';

/**
 * Applies the migrations the file lacks (PRAGMA user_version counts those applied), each in its
 * transaction. Each takes the write lock before it reads the version (BEGIN IMMEDIATE): processes
 * opening a new file together (`serve` with SERVE_PROCESSES) then apply each migration once, the
 * others waiting and finding it applied, where a version read before the lock let two apply it.
 */
export function migrate(db: Connection): void {
  const step = db.transaction((): boolean => {
    const applied = db.pragma('user_version', { simple: true }) as number;
    if (applied > migrations.length) {
      throw new Error(`the database was made by a newer version of pypistats (schema ${applied}, this one knows ${migrations.length})`);
    }
    if (applied === migrations.length) return false;
    const migration = migrations[applied]!;
    if (typeof migration === 'string') db.exec(migration);
    else migration(db);
    if (applied === 0) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('data_version', newDataVersion());
    db.pragma(`user_version = ${applied + 1}`);
    return true;
  });
  // A file at the current version (every open after the first) needs no write lock.
  if ((db.pragma('user_version', { simple: true }) as number) === migrations.length) return;
  // One migration per transaction, as before, until none is left.
  let more = true;
  while (more) more = step.immediate();
}
