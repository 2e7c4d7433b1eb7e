/** Opening the SQLite file, and telling its failures from the request's. */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../types.js';

export type Connection = Database.Database;

export const BUSY_TIMEOUT_MS = 10_000;
/**
 * How long the checkpoint after a write waits for readers still on the WAL's old frames. The
 * API's reads are single statements (milliseconds), so this is many times the longest of them;
 * a reader holding a snapshot longer (another process's open transaction) only defers the
 * truncation to the next write's checkpoint.
 */
const CHECKPOINT_WAIT_MS = 2000;

/**
 * Failures of the file rather than of the request: locked by another process past the busy
 * timeout (a long exclusive lock, a recovery), or an I/O error. A read that meets one is
 * unavailable, as with a PostgreSQL server that is down.
 */
const UNAVAILABLE_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_PROTOCOL', 'SQLITE_CANTOPEN'];

export function reading<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.some((unavailable) => code.startsWith(unavailable))) {
      throw new StoreUnavailableError(`the database is unavailable (SQLite file ${file}): ${(error as Error).message} (${code})`, { cause: error });
    }
    throw error;
  }
}

export function openConnection(file: string): Connection {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}

/**
 * After a write, on the writing connection (a load worker's, inside `serve`): copies the WAL
 * into the file and truncates it, waiting at most CHECKPOINT_WAIT_MS for readers on its old
 * frames. A reader that outlasts the wait keeps the WAL at its size (the copy goes as far as its
 * snapshot allows); the next write appends to it, and its checkpoint tries again. The WAL thus
 * grows past one write only while a reader holds one snapshot across writes (days apart here);
 * between writes journal_size_limit keeps it at most WAL_KEPT_BYTES.
 */
export function checkpoint(db: Connection): void {
  db.pragma(`busy_timeout = ${CHECKPOINT_WAIT_MS}`);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // The write is committed: a checkpoint that cannot run now is the next write's to do.
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}

/**
 * Creates the directories a database file goes in. Node's `mkdirSync(…, { recursive: true })`
 * spins forever where a parent exists but cannot hold the child (under /proc, a dangling symlink:
 * it steps back on ENOENT and forward on EEXIST); here the missing directories are found first and
 * made once each, so such a path fails at once, and every failure names the file it was for.
 */
export function makeDatabaseDirectory(file: string): void {
  const missing: string[] = [];
  let directory = path.dirname(path.resolve(file));
  const cannot = (reason: string, cause?: unknown): Error =>
    new Error(`cannot create the directory of the SQLite file ${file}: ${reason}`, cause === undefined ? undefined : { cause });
  for (;;) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(directory).isDirectory();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw cannot((error as Error).message, error);
      missing.push(directory);
      const parent = path.dirname(directory);
      if (parent === directory) throw cannot(`${directory} does not exist`);
      directory = parent;
      continue;
    }
    if (!isDirectory) throw cannot(`${directory} is not a directory`);
    break;
  }
  for (const child of missing.reverse()) {
    try {
      mkdirSync(child);
    } catch (error) {
      // Another process made it in between; any other failure (EEXIST on a non-directory included) shows at the next one, or at the open.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statSync(child, { throwIfNoEntry: false })?.isDirectory()) continue;
      throw cannot((error as Error).message, error);
    }
  }
}
