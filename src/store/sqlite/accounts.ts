/**
 * The users, tracked packages, API tokens and jobs of the SQLite store (see ../accounts.ts), on a
 * connection of their own: a handful of small statements, which neither wait behind a day's
 * write in this process's queue nor take the read connection's snapshot.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from './loads.js';
import type { AccountStore, ApiToken, Job, JobEnd, JobProgress, JobRequest, JobStatus, TrackResult, User } from '../accounts.js';
import { INTERRUPTED_ERROR, JOB_STALE_MS, jobBounds, jobTotal, storedJobBounds } from '../accounts.js';
import { BUSY_TIMEOUT_MS, openConnection, reading, type Connection } from './connection.js';

/** The migration that adds these tables: one entry, so it can be put anywhere in the list. */
export const ACCOUNTS_SCHEMA = `
  CREATE TABLE users (
    github_id INTEGER PRIMARY KEY,
    login TEXT NOT NULL,
    avatar_url TEXT NOT NULL,
    created_at TEXT NOT NULL,
    signed_in_at TEXT NOT NULL
  );
  CREATE TABLE tracked_packages (
    github_id INTEGER NOT NULL REFERENCES users (github_id),
    position INTEGER NOT NULL,
    package TEXT NOT NULL,
    PRIMARY KEY (github_id, package)
  ) WITHOUT ROWID;
  CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    github_id INTEGER NOT NULL REFERENCES users (github_id),
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
  );
  CREATE INDEX api_tokens_user ON api_tokens (github_id);
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    from_day INTEGER NOT NULL,
    to_day INTEGER NOT NULL,
    source TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    retry_of INTEGER,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    beat_at TEXT,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL,
    rows INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    runner_host TEXT,
    runner_pid INTEGER
  );`;

interface TokenRow {
  id: number;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

interface JobRow {
  id: number;
  kind: Job['kind'];
  from_day: number;
  to_day: number;
  source: string;
  requested_by: string;
  retry_of: number | null;
  status: JobStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  done: number;
  total: number;
  rows: number;
  skipped: number;
  error: string | null;
  cancel_requested: number;
  beat_at: string | null;
  runner_host: string | null;
  runner_pid: number | null;
}

const token = (row: TokenRow): ApiToken => ({ id: row.id, name: row.name, createdAt: row.created_at, lastUsedAt: row.last_used_at, revokedAt: row.revoked_at });

/** Whether a job marked running has lost its runner (see JobStatus). */
function runnerGone(row: JobRow): boolean {
  if (row.runner_host === os.hostname() && row.runner_pid !== null) return !processAlive(row.runner_pid);
  return row.beat_at === null || Date.parse(row.beat_at) < Date.now() - JOB_STALE_MS;
}

const job = (row: JobRow): Job => {
  const interrupted = row.status === 'running' && runnerGone(row);
  return {
    id: row.id,
    kind: row.kind,
    ...jobBounds(row.kind, row.from_day, row.to_day),
    source: row.source,
    requestedBy: row.requested_by,
    retryOf: row.retry_of,
    status: interrupted ? 'interrupted' : row.status,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: interrupted ? row.beat_at : row.finished_at,
    progress: { done: row.done, total: row.total },
    rows: row.rows,
    skipped: row.skipped,
    error: interrupted ? (row.error ?? INTERRUPTED_ERROR) : row.error,
    cancelRequested: row.cancel_requested === 1,
  };
};

/** Short beside a day's write, long beside a statement here. */
const BUSY_RETRY_MS = 50;

export class SqliteAccounts implements AccountStore {
  private connection: Connection | null = null;

  constructor(private readonly file: string) {}

  private db(): Connection {
    if (this.connection === null) {
      this.connection = openConnection(this.file);
      // Never wait for the write lock inside SQLite, which would hold the event loop: `run` waits
      // for it asleep instead (a load worker holds it while it writes a day).
      this.connection.pragma('busy_timeout = 0');
    }
    return this.connection;
  }

  /** `work` on the connection; while another connection holds the write lock, tried again every BUSY_RETRY_MS, up to BUSY_TIMEOUT_MS. */
  private async run<T>(work: (db: Connection) => T): Promise<T> {
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (;;) {
      try {
        return work(this.db());
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) return reading(this.file, () => { throw error; });
        await sleep(BUSY_RETRY_MS);
      }
    }
  }

  close(): void {
    this.connection?.close();
    this.connection = null;
  }

  signIn(user: User): Promise<void> {
    return this.run((db) => {
      const now = new Date().toISOString();
      db.prepare(
        `INSERT INTO users (github_id, login, avatar_url, created_at, signed_in_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (github_id) DO UPDATE SET login = excluded.login, avatar_url = excluded.avatar_url, signed_in_at = excluded.signed_in_at`,
      ).run(user.githubId, user.login, user.avatarUrl, now, now);
    });
  }

  user(githubId: number): Promise<User | null> {
    return this.run((db) => {
      const row = db.prepare<[number], { login: string; avatar_url: string }>('SELECT login, avatar_url FROM users WHERE github_id = ?').get(githubId);
      return row ? { githubId, login: row.login, avatarUrl: row.avatar_url } : null;
    });
  }

  trackedPackages(githubId: number): Promise<string[]> {
    return this.run((db) => db.prepare<[number], string>('SELECT package FROM tracked_packages WHERE github_id = ? ORDER BY position').pluck().all(githubId));
  }

  track(githubId: number, name: string, max: number): Promise<TrackResult> {
    return this.run((db) =>
      db
        .transaction((): TrackResult => {
          const present = db.prepare('SELECT 1 FROM tracked_packages WHERE github_id = ? AND package = ?').get(githubId, name);
          if (present) return 'already';
          const { count, last } = db
            .prepare<[number], { count: number; last: number | null }>('SELECT count(*) AS count, max(position) AS last FROM tracked_packages WHERE github_id = ?')
            .get(githubId)!;
          if (count >= max) return 'limit';
          db.prepare('INSERT INTO tracked_packages (github_id, position, package) VALUES (?, ?, ?)').run(githubId, (last ?? 0) + 1, name);
          return 'added';
        })
        .immediate(),
    );
  }

  untrack(githubId: number, name: string): Promise<void> {
    return this.run((db) => {
      db.prepare('DELETE FROM tracked_packages WHERE github_id = ? AND package = ?').run(githubId, name);
    });
  }

  createToken(githubId: number, name: string, hash: string): Promise<ApiToken> {
    return this.run((db) => {
      const row = db
        .prepare<[number, string, string, string], TokenRow>(
          'INSERT INTO api_tokens (github_id, name, hash, created_at) VALUES (?, ?, ?, ?) RETURNING id, name, created_at, last_used_at, revoked_at',
        )
        .get(githubId, name, hash, new Date().toISOString())!;
      return token(row);
    });
  }

  tokens(githubId: number): Promise<ApiToken[]> {
    return this.run((db) =>
      db.prepare<[number], TokenRow>('SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE github_id = ? ORDER BY id').all(githubId).map(token),
    );
  }

  revokeToken(githubId: number, tokenId: number): Promise<boolean> {
    return this.run(
      (db) =>
        db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND github_id = ? AND revoked_at IS NULL').run(new Date().toISOString(), tokenId, githubId).changes === 1,
    );
  }

  tokenByHash(hash: string): Promise<{ id: number; githubId: number } | null> {
    return this.run((db) => {
      const row = db.prepare<[string], { id: number; github_id: number }>('SELECT id, github_id FROM api_tokens WHERE hash = ? AND revoked_at IS NULL').get(hash);
      return row ? { id: row.id, githubId: row.github_id } : null;
    });
  }

  noteTokenUsed(tokenId: number): Promise<void> {
    return this.run((db) => {
      db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(new Date().toISOString(), tokenId);
    });
  }

  createJob(request: JobRequest): Promise<Job> {
    const { fromDay, toDay } = storedJobBounds(request);
    return this.run((db) => {
      const row = db
        .prepare<unknown[], JobRow>(
          `INSERT INTO jobs (kind, from_day, to_day, source, requested_by, retry_of, status, created_at, total)
           VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?) RETURNING *`,
        )
        .get(request.kind, fromDay, toDay, request.source, request.requestedBy, request.retryOf ?? null, new Date().toISOString(), jobTotal(request))!;
      return job(row);
    });
  }

  job(id: number): Promise<Job | null> {
    return this.run((db) => {
      const row = db.prepare<[number], JobRow>('SELECT * FROM jobs WHERE id = ?').get(id);
      return row ? job(row) : null;
    });
  }

  jobs(limit: number): Promise<Job[]> {
    return this.run((db) => {
      return db.prepare<[number], JobRow>('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit).map(job);
    });
  }

  startJob(id: number): Promise<boolean> {
    return this.run((db) => {
      const now = new Date().toISOString();
      return (
        db
          .prepare("UPDATE jobs SET status = 'running', started_at = ?, beat_at = ?, runner_host = ?, runner_pid = ? WHERE id = ? AND status = 'queued'")
          .run(now, now, os.hostname(), process.pid, id).changes === 1
      );
    });
  }

  jobProgress(id: number, progress: JobProgress): Promise<{ cancelRequested: boolean }> {
    return this.run((db) => {
      const row = db
        .prepare<unknown[], { cancel_requested: number }>(
          'UPDATE jobs SET done = ?, total = ?, rows = ?, skipped = ?, beat_at = ? WHERE id = ? RETURNING cancel_requested',
        )
        .get(progress.done, progress.total, progress.rows, progress.skipped, new Date().toISOString(), id);
      return { cancelRequested: row?.cancel_requested === 1 };
    });
  }

  finishJob(id: number, status: JobEnd, error: string | null): Promise<void> {
    return this.run((db) => {
      db.prepare("UPDATE jobs SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status IN ('running', 'queued')").run(status, error, new Date().toISOString(), id);
    });
  }

  cancelJob(id: number): Promise<boolean> {
    return this.run((db) =>
      db
        .transaction(() => {
          const now = new Date().toISOString();
          if (db.prepare("UPDATE jobs SET status = 'cancelled', finished_at = ? WHERE id = ? AND status = 'queued'").run(now, id).changes === 1) return true;
          return db.prepare("UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND status = 'running'").run(id).changes === 1;
        })
        .immediate(),
    );
  }
}
