/**
 * One load of a day's access log through the access-log source into a new SQLite store, in a
 * process of its own, printing its memory as JSON on its last line: the process's peak RSS from
 * the kernel (Linux's VmHWM: DuckDB's memory and Node's together, Node's start included), and
 * Node's heap at its highest, sampled every 10 ms (a synchronous stretch between two samples is
 * missed, so that one is a floor). Run by the access-log scenario, in a process of its own so
 * that nothing the scenario did before (the bare read's memory DuckDB keeps) counts.
 *
 *   node --import tsx bench/access-log-load-memory.ts FILE DAY
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDay } from '../src/domain/dates.js';
import { loadDay } from '../src/pipeline/load.js';
import { AccessLogSource } from '../src/sources/access-log.js';
import { DuckDb } from '../src/sources/duckdb.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';

export interface LoadMemory {
  seconds: number;
  rows: number;
  /** Bytes; null where the kernel does not say (not Linux). */
  peakRss: number | null;
  peakHeap: number;
}

async function peakRss(): Promise<number | null> {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(await readFile('/proc/self/status', 'utf8'))?.[1];
    return kib === undefined ? null : Number(kib) * 1024;
  } catch {
    return null;
  }
}

const [file, day] = process.argv.slice(2);
if (!file || !day || !isDay(day)) throw new Error('usage: access-log-load-memory.ts FILE YYYY-MM-DD');
const dir = await mkdtemp(path.join(os.tmpdir(), 'pypistats-access-log-memory-'));
const duck = await DuckDb.open();
try {
  const store = SqliteStore.open(path.join(dir, 'load.sqlite'));
  let peakHeap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 10);
  const started = performance.now();
  const result = await loadDay(store, new AccessLogSource(duck, { inputs: [file] }), day, { retentionDays: 180 }).finally(() => clearInterval(sampler));
  const seconds = (performance.now() - started) / 1000;
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  await store.close();
  const memory: LoadMemory = { seconds, rows: result.rows, peakRss: await peakRss(), peakHeap };
  console.log(JSON.stringify(memory));
} finally {
  duck.close();
  await rm(dir, { recursive: true, force: true });
}
