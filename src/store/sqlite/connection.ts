/** Opening the SQLite file, and telling its failures from the request's. */
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
