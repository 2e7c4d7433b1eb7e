/**
 * The load history and the locks of the SQLite store. SQLite lives on one machine, so a lock row
 * names its holder by host and process id: a row whose process is gone is free to take.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { dayFromNumber, dayNumber, type Day } from '../../domain/dates.js';
import type { LoadAttempt, LoadOutcome, LoadRecord } from '../types.js';

type Connection = Database.Database;

export const LOADS_SCHEMA = `
  CREATE TABLE load_history (
    id INTEGER PRIMARY KEY,
    day INTEGER NOT NULL,
    source TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    events_in INTEGER,
    rows_out INTEGER,
    skipped INTEGER,
    error TEXT
  );
  CREATE INDEX load_history_running ON load_history (day) WHERE status = 'running';
  CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    token TEXT NOT NULL,
    acquired_at TEXT NOT NULL
  ) WITHOUT ROWID;`;

export function startLoad(db: Connection, day: Day, source: string): number {
  return db.transaction(() => {
    db.prepare("UPDATE load_history SET status = 'interrupted' WHERE day = ? AND status = 'running'").run(dayNumber(day));
    const inserted = db
      .prepare("INSERT INTO load_history (day, source, started_at, status) VALUES (?, ?, ?, 'running')")
      .run(dayNumber(day), source, new Date().toISOString());
    return Number(inserted.lastInsertRowid);
  })();
}

export function finishLoad(db: Connection, id: number, outcome: LoadOutcome): void {
  const finishedAt = new Date().toISOString();
  if (outcome.status === 'succeeded') {
    db.prepare(
      "UPDATE load_history SET finished_at = ?, status = ?, events_in = ?, rows_out = ?, skipped = ? WHERE id = ? AND status = 'running'",
    ).run(finishedAt, outcome.status, outcome.eventsIn, outcome.rowsOut, outcome.skipped, id);
  } else {
    db.prepare("UPDATE load_history SET finished_at = ?, status = ?, error = ? WHERE id = ? AND status = 'running'").run(
      finishedAt,
      outcome.status,
      outcome.error,
      id,
    );
  }
}

/** Inside the day's write transaction. */
export function recordSuccess(db: Connection, attempt: LoadAttempt, rowsOut: number): void {
  finishLoad(db, attempt.id, { status: 'succeeded', eventsIn: attempt.eventsIn, rowsOut, skipped: attempt.skipped });
}

interface LoadHistoryRow {
  id: number;
  day: number;
  source: string;
  started_at: string;
  finished_at: string | null;
  status: LoadRecord['status'];
  events_in: number | null;
  rows_out: number | null;
  skipped: number | null;
  error: string | null;
}

export function loadHistory(db: Connection, limit: number): LoadRecord[] {
  return db
    .prepare<[number], LoadHistoryRow>('SELECT * FROM load_history ORDER BY id DESC LIMIT ?')
    .all(limit)
    .map((row) => ({
      id: row.id,
      day: dayFromNumber(row.day),
      source: row.source,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      status: row.status,
      eventsIn: row.events_in,
      rowsOut: row.rows_out,
      skipped: row.skipped,
      error: row.error,
    }));
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's token when taken, null when a live process holds it. */
export function tryLock(db: Connection, name: string): string | null {
  const host = os.hostname();
  return db.transaction(() => {
    const holder = db.prepare<[string], { host: string; pid: number }>('SELECT host, pid FROM locks WHERE name = ?').get(name);
    if (holder && (holder.host !== host || processAlive(holder.pid))) return null;
    const token = randomBytes(8).toString('hex');
    db.prepare('INSERT OR REPLACE INTO locks (name, host, pid, token, acquired_at) VALUES (?, ?, ?, ?, ?)').run(
      name,
      host,
      process.pid,
      token,
      new Date().toISOString(),
    );
    return token;
  }).immediate();
}

export function releaseLock(db: Connection, name: string, token: string): void {
  db.prepare('DELETE FROM locks WHERE name = ? AND token = ?').run(name, token);
}
