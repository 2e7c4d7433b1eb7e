/**
 * The admin console's jobs: a load of a day or a range, or a purge, asked for in a request and run
 * after it, each day in a load worker (src/pipeline/load-worker-host.ts) as scheduled loads are,
 * so neither the request nor the serving event loop does the work. This process only orders the
 * days and keeps the job's row in the store up to date: progress, a beat every JOB_HEARTBEAT_MS
 * (a job whose beat stops, its process gone, is shown interrupted), and whether a cancel was asked
 * (from any instance). Two loads of one day never run at once, on any instance: each day's load
 * takes the day's lock (a busy day fails the job's day with that reason).
 *
 * A backfill of months is one more kind: a job kind, a task the worker runs, and a branch in
 * `work` below; the history, progress, cancel and retry are the same.
 */
import type { Config } from '../config.js';
import { totalSkipped } from '../domain/aggregates.js';
import { dayRange } from '../domain/dates.js';
import { JOB_HEARTBEAT_MS, type Job, type JobEnd, type JobProgress } from '../store/accounts.js';
import type { Store } from '../store/types.js';
import { runInWorker, type LoadTask } from './load-worker-host.js';
import type { ScheduleLog } from './scheduler.js';

export type RunTask = typeof runInWorker;

export interface JobRunnerOptions {
  store: Store;
  /** The configuration each worker is given (its source's settings, the store's URL). */
  config: Config;
  log: ScheduleLog;
  /** How a task runs; the load worker by default. */
  runTask?: RunTask;
}

/** The load sources this configuration can read: files with LOAD_INPUT, BigQuery with credentials. */
export function configuredSources(config: Pick<Config, 'load' | 'bigquery'>): ('files' | 'bigquery')[] {
  const sources: ('files' | 'bigquery')[] = [];
  if (config.load.inputs.length > 0) sources.push('files');
  if (config.bigquery.credentials !== null) sources.push('bigquery');
  return sources;
}

export class JobRunner {
  private readonly running = new Map<number, { abort: AbortController; done: Promise<void> }>();
  private stopping = false;
  private readonly runTask: RunTask;

  constructor(private readonly options: JobRunnerOptions) {
    this.runTask = options.runTask ?? runInWorker;
  }

  get sources(): ('files' | 'bigquery')[] {
    return configuredSources(this.options.config);
  }

  /** Runs a queued job in the background; a job another instance took, or one cancelled, is left alone. */
  start(id: number): void {
    if (this.stopping) return;
    const abort = new AbortController();
    const done = this.run(id, abort).catch((error: unknown) => this.options.log.error(`job ${id} could not be run: ${(error as Error).message}`));
    this.running.set(id, { abort, done: done.finally(() => this.running.delete(id)) });
  }

  /** Stops the jobs of this process (the server is stopping): each is recorded interrupted. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const { abort } of this.running.values()) abort.abort();
    await Promise.all([...this.running.values()].map((job) => job.done));
  }

  private async run(id: number, abort: AbortController): Promise<void> {
    const { store, log } = this.options;
    const accounts = store.accounts;
    if (!(await accounts.startJob(id))) return;
    const job = (await accounts.job(id))!;
    log.info(`job ${id}: ${describeJob(job)}, asked by ${job.requestedBy}, started`);
    const progress: JobProgress = { done: 0, total: job.progress.total, rows: 0, skipped: 0 };
    let cancelled = false;
    const beat = async () => {
      const { cancelRequested } = await accounts.jobProgress(id, progress);
      if (cancelRequested && !cancelled) {
        cancelled = true;
        log.info(`job ${id}: cancel asked, stopping its worker`);
        abort.abort();
      }
    };
    const beating = setInterval(() => beat().catch((error: unknown) => log.warn(`job ${id}: its progress could not be recorded: ${(error as Error).message}`)), JOB_HEARTBEAT_MS);
    const errors: string[] = [];
    let end: JobEnd = 'succeeded';
    try {
      await this.work(job, progress, errors, abort.signal, beat);
      end = cancelled ? 'cancelled' : abort.signal.aborted ? 'interrupted' : errors.length > 0 ? 'failed' : 'succeeded';
    } catch (error) {
      errors.push((error as Error).message);
      end = cancelled ? 'cancelled' : 'failed';
    } finally {
      clearInterval(beating);
    }
    if (end === 'interrupted') errors.push('the server stopped before the job ended');
    await accounts.jobProgress(id, progress);
    await accounts.finishJob(id, end, errors.length > 0 ? errors.join('\n') : null);
    log.info(`job ${id}: ${end}${errors.length > 0 ? `: ${errors.join('; ')}` : ''}`);
  }

  private async work(job: Job, progress: JobProgress, errors: string[], signal: AbortSignal, beat: () => Promise<void>): Promise<void> {
    const { store, log, config } = this.options;
    if (job.kind === 'purge') {
      const before = (await store.loadedDays()).length;
      await this.runTask({ kind: 'purge', config, before: job.from }, { store, log, signal });
      progress.rows = before - (await store.loadedDays()).length;
      progress.done = 1;
      return;
    }
    const source = job.source as 'files' | 'bigquery';
    const dayConfig: Config = { ...config, load: { ...config.load, source } };
    for (const day of dayRange(job.from, job.to)) {
      if (signal.aborted) return;
      const task: LoadTask = {
        kind: 'day',
        config: dayConfig,
        day,
        replace: true,
        options: { retentionDays: config.retentionDays, minShare: config.load.minShare },
      };
      try {
        const [result] = await this.runTask(task, { store, log, signal });
        if (result) {
          progress.rows += result.rows;
          progress.skipped += totalSkipped(result.summary.skipped);
        }
      } catch (error) {
        if (signal.aborted) return;
        errors.push(`${day}: ${(error as Error).message}`);
      }
      progress.done += 1;
      await beat();
    }
  }
}

export function describeJob(job: Pick<Job, 'kind' | 'from' | 'to' | 'source'>): string {
  if (job.kind === 'purge') return `purge of the days before ${job.from}`;
  return `load of ${job.from === job.to ? job.from : `${job.from} to ${job.to}`} from ${job.source}`;
}
