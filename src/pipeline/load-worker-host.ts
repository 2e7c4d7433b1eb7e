/**
 * Loads run by `serve` in a child process (src/pipeline/load-worker.ts), so that neither the
 * synchronous SQLite write of a day, nor its WAL checkpoint, nor the building of PostgreSQL's COPY
 * rows runs on the event loop that answers requests. The child opens its own store connection and
 * its own source, runs exactly the pipeline's loadDayIfMissing (or the demo), and reports back; the
 * serving process sees the new data through the store's data version, as for a load by any other
 * process.
 *
 * A child rather than a worker thread: a SQLite lock row names its holder by process id, so a
 * crashed child frees its lock as a crashed `pypistats load` does (a thread's would stay held by
 * the living server), and nothing the load does (process.exit, a native crash in DuckDB, running
 * out of memory) reaches the serving process.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import type { Day } from '../domain/dates.js';
import type { Month } from '../domain/months.js';
import type { BackfilledMonth } from './backfill.js';
import type { Store } from '../store/types.js';
import type { DemoRun } from './demo.js';
import { LoadRefusedError, type RefusalReason } from './guards.js';
import { DayBusyError, dayLockName, type DayLoadResult, type LoadOptions, type RangeProgress } from './load.js';
import type { DayLoader, ScheduleLog } from './scheduler.js';

/** What a load worker is asked to do. Plain data: it crosses the process boundary. */
export type LoadTask =
  /** `replace`: load the day even if it is loaded (an admin's job); otherwise a loaded day is left as it is. */
  | { kind: 'day'; config: Config; day: Day; options: Omit<LoadOptions, 'onAttempt'>; replace?: boolean }
  | { kind: 'demo'; config: Config; run: Omit<DemoRun, 'onDay' | 'onAttempt' | 'signal'> }
  /** Drops the days before `before` (an admin's purge job). */
  | { kind: 'purge'; config: Config; before: Day }
  /**
   * Backfills one month from `config.load.source`, as `pypistats backfill` does (an admin's
   * backfill job: a worker per month, as a load's is per day); a month done already is left.
   */
  | { kind: 'backfill'; config: Config; month: Month };

export type SerializedError =
  | { name: 'LoadRefusedError'; message: string; day: Day; reason: RefusalReason }
  | { name: 'DayBusyError'; message: string; day: Day }
  | { name: 'Error'; message: string };

/** What a load worker tells its host, in this order: attempts and progress, then one outcome. */
export type WorkerMessage =
  | { type: 'attempt'; day: Day; id: number }
  | { type: 'progress'; progress: RangeProgress }
  /** A backfilled month, committed. */
  | { type: 'month'; month: BackfilledMonth }
  | { type: 'done'; results: (DayLoadResult | null)[] }
  | { type: 'failed'; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof LoadRefusedError) return { name: 'LoadRefusedError', message: error.message, day: error.day, reason: error.reason };
  if (error instanceof DayBusyError) return { name: 'DayBusyError', message: error.message, day: error.day };
  return { name: 'Error', message: error instanceof Error ? error.message : String(error) };
}

function deserializeError(error: SerializedError): Error {
  switch (error.name) {
    case 'LoadRefusedError':
      return new LoadRefusedError(error.day, error.reason, error.message);
    case 'DayBusyError':
      return new DayBusyError(error.day);
    case 'Error':
      return new Error(error.message);
  }
}

/**
 * How far back in the load history a dead worker's unreported attempt is looked for: the
 * scheduler loads one day at a time, so it is the newest attempt of this process, and other
 * instances add at most a few.
 */
const RECENT_ATTEMPTS = 20;

/** The load's worker ended without saying how the load ended: killed, crashed, or exited. */
export class LoadWorkerCrashedError extends Error {}

/**
 * The load worker's niceness (Linux: 0 is normal, 19 the lowest priority): when the cores are
 * busy, the serving process gets the CPU first, and a load has the whole day to finish.
 */
const WORKER_NICENESS = 10;

/** The delay monitor's sampling interval: fine enough to see a stall of tens of milliseconds. */
const DELAY_RESOLUTION_MS = 10;

const WORKER_ENTRY = fileURLToPath(new URL('./load-worker.js', import.meta.url));

export interface WorkerRunOptions {
  store: Store;
  log: ScheduleLog;
  /** Aborting kills the worker; its attempt is recorded as failed. */
  signal?: AbortSignal;
  onProgress?: (progress: RangeProgress) => void;
  /** Each month a backfill task wrote. */
  onMonth?: (month: BackfilledMonth) => void;
}

/**
 * Runs `task` in a new load worker; resolves with its results, or rejects with the pipeline's
 * error (a refusal stays a LoadRefusedError, a busy day a DayBusyError). A worker that ends
 * without an outcome rejects with LoadWorkerCrashedError, its attempt recorded as failed.
 */
export async function runInWorker(task: LoadTask, options: WorkerRunOptions): Promise<(DayLoadResult | null)[]> {
  const { store, log, signal } = options;
  signal?.throwIfAborted();
  // What the load cost the requests of this process: logged when it ends, for whoever watches.
  const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  delay.enable();
  const child = fork(WORKER_ENTRY, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  const what = describeTask(task);
  log.info(`${what}: loading in a worker process (pid ${child.pid})`);
  if (child.pid !== undefined) {
    try {
      os.setPriority(child.pid, WORKER_NICENESS);
    } catch {
      // Where priorities cannot be set, the worker runs at the server's.
    }
  }
  const attempts = new Map<number, Day>();
  const reported: { outcome: Extract<WorkerMessage, { type: 'done' | 'failed' }> | null } = { outcome: null };
  const onAbort = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  const ended = new Promise<string>((resolve) => {
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'attempt') attempts.set(message.id, message.day);
      else if (message.type === 'progress') {
        // A day reported loaded is committed: its attempt no longer needs marking.
        for (const [id, day] of attempts) if (day === message.progress.last.day) attempts.delete(id);
        options.onProgress?.(message.progress);
      } else if (message.type === 'month') options.onMonth?.(message.month);
      else reported.outcome = message;
    });
    // A worker that was started always ends with 'exit', which says how; 'error' alone decides
    // only when there is no process (a send to a worker already dead gets its error in send's
    // callback, and the exit that follows tells how it died).
    child.on('error', (error) => {
      if (child.pid === undefined) resolve(`could not be started: ${error.message}`);
    });
    child.on('exit', (code, exitSignal) => resolve(exitSignal ? `was killed by ${exitSignal}` : `exited with code ${code}`));
  });
  try {
    child.send(task, (error) => {
      if (error) log.info(`${what}: the task could not be sent to the worker process (pid ${child.pid}): ${error.message}`);
    });
    const how = await ended;
    const done = reported.outcome;
    if (done?.type === 'done') return done.results;
    if (done?.type === 'failed') throw deserializeError(done.error);
    const reason = signal?.aborted ? `the server is stopping: the load's worker process (pid ${child.pid}) ${how}` : `the load's worker process (pid ${child.pid}) ${how} before the load ended`;
    await recordCrash(store, task, [...attempts.keys()], reason).catch((error: unknown) =>
      log.error(`${what}: the failed attempt could not be recorded: ${(error as Error).message}`),
    );
    throw new LoadWorkerCrashedError(reason);
  } finally {
    delay.disable();
    log.info(`${what}: the worker process ended; the serving event loop's longest delay meanwhile was ${Math.round(delay.max / 1e6)} ms`);
    signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function describeTask(task: LoadTask): string {
  switch (task.kind) {
    case 'day':
      return task.day;
    case 'purge':
      return `the purge of the days before ${task.before}`;
    case 'backfill':
      return `the backfill of ${task.month}`;
    case 'demo':
      return 'demo data';
  }
}

/**
 * Marks the crashed worker's attempts failed (finishLoad leaves one its write committed as it
 * was). A worker that died before recording an attempt gets one recorded failed, under the day's
 * lock as startLoad requires; a day another process has taken since is left to it.
 */
async function recordCrash(store: Store, task: LoadTask, attempts: number[], reason: string): Promise<void> {
  for (const id of attempts) await store.finishLoad(id, { status: 'failed', error: reason });
  if (attempts.length > 0 || task.kind !== 'day') return;
  const lock = await store.tryLock(dayLockName(task.day));
  if (lock === null) return;
  try {
    // Under the lock, an attempt of the day still running is the worker's, recorded just before
    // it died and not yet reported.
    const unreported = (await store.loadHistory(RECENT_ATTEMPTS)).find((record) => record.day === task.day && record.status === 'running');
    const attempt = unreported?.id ?? (await store.startLoad(task.day, task.config.load.source));
    await store.finishLoad(attempt, { status: 'failed', error: reason });
  } finally {
    await lock.release();
  }
}

/** The scheduler's loads, each day in its own worker. */
export function workerLoads(config: Config, store: Store, log: ScheduleLog, signal: AbortSignal): DayLoader {
  return async (day, options) => {
    const { onAttempt: _notSent, ...sent } = options;
    const [result] = await runInWorker({ kind: 'day', config, day, options: sent }, { store, log, signal });
    return result ?? null;
  };
}

