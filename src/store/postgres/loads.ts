/**
 * The load history and the locks of the PostgreSQL store. A lock is a session advisory lock held
 * on a connection kept aside for it: if the process dies, the connection closes and the lock goes.
 */
import type pg from 'pg';
import { dayFromNumber, dayNumber, type Day } from '../../domain/dates.js';
import type { LoadAttempt, LoadOutcome, LoadRecord, StoreLock } from '../types.js';
import { ADVISORY_KEY_SQL } from './advisory-lock.js';

export async function startLoad(pool: pg.Pool, day: Day, source: string): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `WITH interrupted AS (UPDATE load_history SET status = 'interrupted' WHERE day = $1 AND status = 'running')
     INSERT INTO load_history (day, source, started_at, status) VALUES ($1, $2, now(), 'running') RETURNING id`,
    [dayNumber(day), source],
  );
  return rows[0]!.id;
}

/** `pool` may be a client inside the day's write transaction (see recordSuccess). */
export async function finishLoad(pool: pg.Pool | pg.PoolClient, id: number, outcome: LoadOutcome): Promise<void> {
  if (outcome.status === 'succeeded') {
    await pool.query(
      "UPDATE load_history SET finished_at = now(), status = $2, events_in = $3, rows_out = $4, skipped = $5 WHERE id = $1 AND status = 'running'",
      [
      id,
      outcome.status,
      outcome.eventsIn,
      outcome.rowsOut,
      outcome.skipped,
      ],
    );
  } else {
    await pool.query("UPDATE load_history SET finished_at = now(), status = $2, error = $3 WHERE id = $1 AND status = 'running'", [
      id,
      outcome.status,
      outcome.error,
    ]);
  }
}

/** Inside the day's write transaction. */
export async function recordSuccess(client: pg.PoolClient, attempt: LoadAttempt, rowsOut: number): Promise<void> {
  await finishLoad(client, attempt.id, { status: 'succeeded', eventsIn: attempt.eventsIn, rowsOut, skipped: attempt.skipped });
}

interface LoadHistoryRow {
  id: number;
  day: number;
  source: string;
  started_at: Date;
  finished_at: Date | null;
  status: LoadRecord['status'];
  events_in: number | null;
  rows_out: number | null;
  skipped: number | null;
  error: string | null;
}

export async function loadHistory(pool: pg.Pool, limit: number): Promise<LoadRecord[]> {
  const { rows } = await pool.query<LoadHistoryRow>('SELECT * FROM load_history ORDER BY id DESC LIMIT $1', [limit]);
  return rows.map((row) => ({
    id: row.id,
    day: dayFromNumber(row.day),
    source: row.source,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    status: row.status,
    eventsIn: row.events_in,
    rowsOut: row.rows_out,
    skipped: row.skipped,
    error: row.error,
  }));
}

export async function tryLock(pool: pg.Pool, name: string): Promise<StoreLock | null> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ taken: boolean }>(`SELECT pg_try_advisory_lock(${ADVISORY_KEY_SQL('$1')}) AS taken`, [name]);
    if (!rows[0]?.taken) {
      client.release();
      return null;
    }
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query(`SELECT pg_advisory_unlock(${ADVISORY_KEY_SQL('$1')})`, [name]);
        client.release();
      } catch (error) {
        // Closing the connection drops the lock anyway.
        client.release(error as Error);
      }
    },
  };
}
