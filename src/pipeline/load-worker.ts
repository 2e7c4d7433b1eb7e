/**
 * A load worker: the child process src/pipeline/load-worker-host.ts forks for one load. It opens
 * its own store connection and source, runs the pipeline, reports each attempt and the outcome to
 * its host, and exits. Its host going away (the server killed) ends it too: nothing would hear of
 * the load, and the next load's startLoad marks the attempt interrupted.
 */
import os from 'node:os';
import type { Config } from '../config.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import type { DayLoadResult } from './load.js';
import { serializeError, type LoadTask, type WorkerMessage } from './load-worker-host.js';

/**
 * PostgreSQL connections a load worker keeps: the day's lock holds one for the whole load, the
 * write (or a read of the loaded days) takes another, and one spare keeps a slow release from
 * making the next step wait.
 */
const WORKER_POOL_SIZE = 3;

/**
 * DuckDB's threads in a load worker: every core but one, which is left to the serving process
 * (on two cores, an aggregation on both made the server's event loop wait for CPU, hundreds of
 * milliseconds at a time).
 */
const AGGREGATION_THREADS = Math.max(1, os.availableParallelism() - 1);

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())));
}

async function openWorkerStore(config: Config): Promise<Store> {
  const database = config.database.kind === 'postgres' ? { ...config.database, poolSize: Math.min(config.database.poolSize, WORKER_POOL_SIZE) } : config.database;
  return openStore(database);
}

async function run(task: LoadTask): Promise<(DayLoadResult | null)[]> {
  const store = await openWorkerStore(task.config);
  const onAttempt = ({ day, id }: { day: string; id: number }) => void send({ type: 'attempt', day, id });
  try {
    if (task.kind === 'day') {
      // Loaded here, as in `serve` before: only the configured source's libraries are imported.
      const [{ openSource }, { loadDay, loadDayIfMissing }] = await Promise.all([import('../sources/open-source.js'), import('./load.js')]);
      const { source: kind, inputs } = task.config.load;
      const source = await openSource(task.config, kind === 'files' || kind === 'access-log' ? { kind, inputs, threads: AGGREGATION_THREADS } : { kind: 'bigquery' });
      try {
        const load = task.replace ? loadDay : loadDayIfMissing;
        return [await load(store, source, task.day, { ...task.options, onAttempt })];
      } finally {
        await source.close?.();
      }
    }
    if (task.kind === 'backfill') {
      const [{ openSource }, { backfillMonths, planBackfill }] = await Promise.all([import('../sources/open-source.js'), import('./backfill.js')]);
      // Planned here, not by the host: the month's counted days are a read of the store.
      const plans = await planBackfill(store, { from: task.month, to: task.month, retentionDays: task.config.retentionDays });
      const todo = plans.filter((plan) => !plan.done && plan.days.length > 0);
      if (todo.length === 0) return [];
      const { source: kind, inputs } = task.config.load;
      if (kind !== 'files' && kind !== 'bigquery') throw new Error(`a backfill reads files or bigquery, not ${kind}`);
      const source = await openSource(task.config, kind === 'files' ? { kind, inputs, threads: AGGREGATION_THREADS } : { kind });
      try {
        await backfillMonths(store, source, todo, (month) => void send({ type: 'month', month }));
      } finally {
        await source.close?.();
      }
      return [];
    }
    if (task.kind === 'purge') {
      await store.purgeBefore(task.before);
      return [];
    }
    const [{ runDemo }, { DuckDb }] = await Promise.all([import('./demo.js'), import('../sources/duckdb.js')]);
    const duck = await DuckDb.open({ threads: AGGREGATION_THREADS });
    try {
      return await runDemo(store, duck, { ...task.run, onAttempt, onDay: (progress) => void send({ type: 'progress', progress }) });
    } finally {
      duck.close();
    }
  } finally {
    await store.close();
  }
}

let reported = false;
process.on('disconnect', () => {
  if (!reported) process.exit(1);
});
process.once('message', (task: LoadTask) => {
  run(task)
    .then(
      (results) => send({ type: 'done', results }),
      (error: unknown) => send({ type: 'failed', error: serializeError(error) }),
    )
    .finally(() => {
      reported = true;
      process.disconnect();
    });
});
