/**
 * What the stores keep of the site's users: who signed in with GitHub, the packages each tracks,
 * their API tokens (as hashes only), and the admin console's jobs. Both stores implement it alike
 * (sqlite/accounts.ts, postgres/accounts.ts); the schema is each store's last accounts migration.
 */
import { dayFromNumber, dayNumber, type Day } from '../domain/dates.js';
import { firstDayOf, monthNumber, monthOfDay, type Month } from '../domain/months.js';

/** A GitHub user, keyed by GitHub's numeric id: a login can be renamed and then taken by someone else. */
export interface User {
  githubId: number;
  login: string;
  avatarUrl: string;
}

export interface ApiToken {
  id: number;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type TrackResult = 'added' | 'already' | 'limit';

export type JobKind = 'load' | 'backfill' | 'purge';
export const JOB_KINDS: readonly JobKind[] = ['load', 'backfill', 'purge'];

/**
 * `interrupted`: its process stopped without saying how it ended. Told on read, never written by
 * a reader (a live runner that was only slow to beat then ends its job as it would have): on
 * SQLite, by the runner's process being gone (same host; a day's write holds the file's write
 * lock for its whole load, so beats cannot land then); on PostgreSQL, and for SQLite runners on
 * another host, by no beat for JOB_STALE_MS (the runner beats every JOB_HEARTBEAT_MS).
 */
export const INTERRUPTED_ERROR = 'its process stopped before the job ended';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** How a job's runner ends it (`interrupted`: its server stopped under it). */
export type JobEnd = 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

export interface JobRequest {
  kind: JobKind;
  /**
   * For a load, the days from `from` to `to`; for a backfill, the months (YYYY-MM) from `from` to
   * `to`; for a purge, the days before `from` go.
   */
  from: Day | Month;
  to: Day | Month;
  /** The load source (`files`, `bigquery`, ...); for a purge, ''. */
  source: string;
  /** Who asked: a GitHub login, or `cli`. */
  requestedBy: string;
  /** The job this one retries. */
  retryOf?: number;
}

export interface Job extends Required<Omit<JobRequest, 'retryOf'>> {
  id: number;
  retryOf: number | null;
  status: JobStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Days (a backfill: months) done and in all; for a purge, 0 of 1 then 1 of 1. */
  progress: { done: number; total: number };
  rows: number;
  skipped: number;
  /** For a load, each day that failed or was refused, with why, then the first error of the job. */
  error: string | null;
  cancelRequested: boolean;
}

export interface JobProgress {
  done: number;
  total: number;
  rows: number;
  skipped: number;
}

export const JOB_HEARTBEAT_MS = 2000;
/** Five beats missed: a busy store or a long day's commit does not make a live job look dead. */
export const JOB_STALE_MS = 5 * JOB_HEARTBEAT_MS;

export interface AccountStore {
  /** Creates the user or refreshes its login and avatar (each sign-in). */
  signIn(user: User): Promise<void>;
  user(githubId: number): Promise<User | null>;
  /** Names (normalized) of the packages the user tracks, in the order added. */
  trackedPackages(githubId: number): Promise<string[]>;
  /** Adds unless the user tracks `max` packages already, atomically (two tabs cannot pass the limit). */
  track(githubId: number, name: string, max: number): Promise<TrackResult>;
  untrack(githubId: number, name: string): Promise<void>;
  createToken(githubId: number, name: string, hash: string): Promise<ApiToken>;
  tokens(githubId: number): Promise<ApiToken[]>;
  /** False when the user has no such token (or it was revoked before). */
  revokeToken(githubId: number, tokenId: number): Promise<boolean>;
  /** The live (not revoked) token with this hash. */
  tokenByHash(hash: string): Promise<{ id: number; githubId: number } | null>;
  noteTokenUsed(tokenId: number): Promise<void>;

  createJob(request: JobRequest): Promise<Job>;
  job(id: number): Promise<Job | null>;
  /** Newest first; running jobs whose beat stopped are marked interrupted first. */
  jobs(limit: number): Promise<Job[]>;
  /** Marks a queued job running, if it still is queued (false: someone else took it or it was cancelled). */
  startJob(id: number): Promise<boolean>;
  /** Records progress and beats; gives whether a cancel was asked. */
  jobProgress(id: number, progress: JobProgress): Promise<{ cancelRequested: boolean }>;
  finishJob(id: number, status: JobEnd, error: string | null): Promise<void>;
  /** Asks a running job to stop, or cancels a queued one at once; false when it had ended. */
  cancelJob(id: number): Promise<boolean>;
}

/** Steps a job covers: a load's days, a backfill's months, or the one step of a purge. */
export function jobTotal(request: Pick<JobRequest, 'kind' | 'from' | 'to'>): number {
  if (request.kind === 'load') return dayNumber(request.to) - dayNumber(request.from) + 1;
  if (request.kind === 'backfill') return monthNumber(request.to) - monthNumber(request.from) + 1;
  return 1;
}

/** A job's bounds as both stores keep them, day numbers: a backfill's months by their first days. */
export function storedJobBounds(request: Pick<JobRequest, 'kind' | 'from' | 'to'>): { fromDay: number; toDay: number } {
  const day = (bound: string) => dayNumber(request.kind === 'backfill' ? firstDayOf(bound) : bound);
  return { fromDay: day(request.from), toDay: day(request.to) };
}

/** The bounds of a job's stored row, back as its request gave them. */
export function jobBounds(kind: JobKind, fromDay: number, toDay: number): { from: string; to: string } {
  const bound = (day: number) => (kind === 'backfill' ? monthOfDay(dayFromNumber(day)) : dayFromNumber(day));
  return { from: bound(fromDay), to: bound(toDay) };
}
