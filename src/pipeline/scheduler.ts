/**
 * Scheduled loads inside `serve`: on start, the days missing within the catch-up window; then
 * every day at the load time (UTC), the previous day and any still missing. Several instances
 * may run this on one store: the day's lock and the "only if missing" check make each day load
 * once. A failed day is retried with exponential backoff, then left for the next run.
 */
import { addDays, todayUtc, type Day } from '../domain/dates.js';
import type { Source } from '../sources/types.js';
import type { Store } from '../store/types.js';
import { DayBusyError, loadDayIfMissing, type DayLoadResult, type LoadOptions } from './load.js';

export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      signal.throwIfAborted();
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
    }),
};

export interface ScheduleOptions {
  /** Minutes after midnight UTC at which the previous day is loaded. */
  loadMinute: number;
  retentionDays: number;
  /** How many days, ending yesterday, a run makes sure are loaded (at most retentionDays). */
  catchUpDays: number;
  /** Attempts after the first failure of a day, within one run. */
  retries: number;
  /** The wait before the first retry; each next one waits twice as long. */
  retryDelayMs: number;
  /** LOAD_MIN_SHARE (see guards.ts); a refused day is a failed attempt, retried: the export may not be complete yet. */
  minShare?: number;
}

export interface ScheduleLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Runs the pipeline's loadDayIfMissing for one day, wherever it runs: in this process
 * (inProcessLoads) or in a load worker (src/pipeline/load-worker-host.ts). Its errors are the
 * pipeline's: DayBusyError, LoadRefusedError, or any other for a failure.
 */
export type DayLoader = (day: Day, options: LoadOptions) => Promise<DayLoadResult | null>;

export function inProcessLoads(store: Store, source: Source): DayLoader {
  return (day, options) => loadDayIfMissing(store, source, day, options);
}

export type DayOutcome = 'loaded' | 'present' | 'busy' | 'failed';

/** Milliseconds from `now` to the next `loadMinute` after midnight UTC (today's if still ahead). */
export function msUntilNextRun(now: Date, loadMinute: number): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let next = today + loadMinute * 60_000;
  if (next <= now.getTime()) next += 86_400_000;
  return next - now.getTime();
}

/** The days a run makes sure of, newest first: the newest day matters most to people. */
export function daysToCheck(now: Date, catchUpDays: number): Day[] {
  const yesterday = addDays(todayUtc(now), -1);
  return Array.from({ length: catchUpDays }, (_, i) => addDays(yesterday, -i));
}

export class LoadScheduler {
  private readonly stopping = new AbortController();
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly loadIfMissing: DayLoader,
    private readonly options: ScheduleOptions,
    private readonly log: ScheduleLog,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Catches up now, then runs every day at the load time, until stop(). */
  start(): void {
    this.running ??= this.loop().catch((error: unknown) => {
      if (!this.stopping.signal.aborted) this.log.error(`scheduled loads stopped: ${(error as Error).message}`);
    });
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('the scheduler is stopping'));
    await this.running;
  }

  /** One run: every missing day of the window, each retried on failure. */
  async runOnce(): Promise<Map<Day, DayOutcome>> {
    const outcomes = new Map<Day, DayOutcome>();
    const loaded = new Set((await this.store.loadedDays()).map((day) => day.day));
    for (const day of daysToCheck(this.clock.now(), this.options.catchUpDays)) {
      this.stopping.signal.throwIfAborted();
      outcomes.set(day, loaded.has(day) ? 'present' : await this.loadWithRetries(day));
    }
    return outcomes;
  }

  private async loop(): Promise<void> {
    const signal = this.stopping.signal;
    for (;;) {
      await this.runOnce();
      const wait = msUntilNextRun(this.clock.now(), this.options.loadMinute);
      this.log.info(`next scheduled load in ${(wait / 3_600_000).toFixed(1)} h`);
      await this.clock.sleep(wait, signal);
    }
  }

  private async loadWithRetries(day: Day): Promise<DayOutcome> {
    const { retries, retryDelayMs, retentionDays, minShare } = this.options;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.loadIfMissing(day, { retentionDays, minShare, today: todayUtc(this.clock.now()) });
        if (result === null) return 'present';
        this.log.info(describe(result));
        return 'loaded';
      } catch (error) {
        if (error instanceof DayBusyError) {
          this.log.info(`${day}: another process is loading it`);
          return 'busy';
        }
        this.stopping.signal.throwIfAborted();
        const message = (error as Error).message;
        if (attempt >= retries) {
          this.log.error(`${day}: load failed ${attempt + 1} times, left for the next run: ${message}`);
          return 'failed';
        }
        const delay = retryDelayMs * 2 ** attempt;
        this.log.warn(`${day}: load failed (${message}); retrying in ${Math.round(delay / 1000)} s`);
        await this.clock.sleep(delay, this.stopping.signal);
      }
    }
  }
}

function describe(result: DayLoadResult): string {
  return `${result.day}: loaded ${result.summary.downloads} downloads of ${result.summary.packages} packages (${result.rows} rows) in ${result.seconds.toFixed(1)} s`;
}
