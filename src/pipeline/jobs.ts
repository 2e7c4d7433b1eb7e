/**
 * The admin console's jobs: a load of a day or a range, or a purge, asked for in a request and run
 * after it, each day in a load worker (src/pipeline/load-worker-host.ts) as scheduled loads are,
 * so neither the request nor the serving event loop does the work. This process only orders the
 * days and keeps the job's row in the store up to date: progress, a beat every JOB_HEARTBEAT_MS
 * (a job whose beat stops, its process gone, is shown interrupted), and whether a cancel was asked
 * (from any instance). Two loads of one day never run at once, on any instance: each day's load
 * takes the day's lock (a busy day fails the job's day with that reason).
 *
 * A backfill of months runs a worker per month (task `backfill`), as `pypistats backfill` would
 * backfill it; its progress counts months, and a cancel stops it between months (the month being
 * written when its worker is killed is rolled back whole: a month is one transaction).
 */
import type { Config } from '../config.js';
import { totalSkipped } from '../domain/aggregates.js';
import { dayRange } from '../domain/dates.js';
import { monthRange } from '../domain/months.js';
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
    await recordJob({ store, log }, id, abort, (job, progress, errors, signal, beat) => this.work(job, progress, errors, signal, beat));
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
    if (job.kind === 'backfill') {
      for (const month of monthRange(job.from, job.to)) {
        // Between months: a month is written whole in its worker's transaction, or not at all.
        if (signal.aborted) return;
        let wrote = false;
        try {
          await this.runTask(
            { kind: 'backfill', config: dayConfig, month },
            {
              store,
              log,
              signal,
              onMonth: (done) => {
                wrote = true;
                progress.rows += done.rows;
                progress.skipped += done.skipped;
                log.info(`job ${job.id}: ${done.month}: backfilled ${done.days} days, ${done.downloads} downloads, ${done.rows} rows in ${done.seconds.toFixed(2)} s`);
              },
            },
          );
          if (!wrote) log.info(`job ${job.id}: ${month}: already backfilled, or no day of it to backfill; skipped`);
        } catch (error) {
          if (signal.aborted) return;
          const { message } = error as Error;
          errors.push(message.startsWith(`${month}: `) ? message : `${month}: ${message}`);
        }
        progress.done += 1;
        await beat();
      }
      return;
    }
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

/** What a job's work is given: its row, its progress and errors to add to, its stop signal, and a beat to record progress now. */
export type JobWork = (job: Job, progress: JobProgress, errors: string[], signal: AbortSignal, beat: () => Promise<void>) => Promise<void>;

/**
 * Runs `work` as the queued job `id`, keeping its row up to date: started, a beat every
 * JOB_HEARTBEAT_MS with its progress (a cancel asked, from any instance, aborts `abort`), and its
 * end. The admin console's jobs run so, and so does `pypistats backfill` (`requestedBy: 'cli'`),
 * which is how a backfill from the command line shows in the console's job history. Resolves
 * with how it ended and, when `work` threw, what it threw; false when the job was not queued.
 */
export async function recordJob(
  { store, log }: { store: Store; log: ScheduleLog },
  id: number,
  abort: AbortController,
  work: JobWork,
): Promise<{ end: JobEnd; errors: string[]; thrown: unknown } | false> {
  const accounts = store.accounts;
  if (!(await accounts.startJob(id))) return false;
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
  let thrown: unknown;
  try {
    await work(job, progress, errors, abort.signal, beat);
    end = cancelled ? 'cancelled' : abort.signal.aborted ? 'interrupted' : errors.length > 0 ? 'failed' : 'succeeded';
  } catch (error) {
    thrown = error;
    errors.push((error as Error).message);
    end = cancelled ? 'cancelled' : 'failed';
  } finally {
    clearInterval(beating);
  }
  if (end === 'interrupted') errors.push('the server stopped before the job ended');
  await accounts.jobProgress(id, progress);
  await accounts.finishJob(id, end, errors.length > 0 ? errors.join('\n') : null);
  log.info(`job ${id}: ${end}${errors.length > 0 ? `: ${errors.join('; ')}` : ''}`);
  return { end, errors, thrown };
}

export function describeJob(job: Pick<Job, 'kind' | 'from' | 'to' | 'source'>): string {
  if (job.kind === 'purge') return `purge of the days before ${job.from}`;
  if (job.kind === 'backfill') return `backfill of ${job.from === job.to ? job.from : `${job.from} to ${job.to}`} from ${job.source}`;
  return `load of ${job.from === job.to ? job.from : `${job.from} to ${job.to}`} from ${job.source}`;
}
