/**
 * The store at PyPI scale: days of ~300,000 active packages, synthesized as aggregate rows (no
 * raw events), loaded through the pipeline into a fresh store (SQLite, or PostgreSQL in a fresh
 * schema): load time, rows and bytes per day, and the derived steps.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { addDays, dayFromNumber, dayNumber, type Day } from '../../src/domain/dates.js';
import { BLOCK_BITS } from '../../src/store/packed-downloads.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { loadDay } from '../../src/pipeline/load.js';
import type { Source } from '../../src/sources/types.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { pypiSizedDay, type PypiDayOptions } from '../pypi-sized-day.js';
import { record, round } from '../lib/results.js';

/** The first of the synthesized days. */
export const FIRST_DAY = '2026-05-01';

/** PyPI-sized days of aggregate rows as a source: day N after FIRST_DAY is pypiSizedDay(N). */
export function pypiSource(options: PypiDayOptions): Source {
  return {
    name: 'synthetic aggregates',
    async aggregateDay(day: Day) {
      const index = Math.round((Date.parse(day) - Date.parse(FIRST_DAY)) / 86_400_000);
      const summary = { day, downloads: 0, metadataFetches: 0, packages: options.packages, skipped: { noTimestamp: 0, noProject: 0, nameTooLong: 0, invalidName: 0 } };
      return { summary, rows: pypiSizedDay(index, options) };
    },
  };
}

async function bytesOf(file: string): Promise<number> {
  let bytes = 0;
  for (const suffix of ['', '-wal']) bytes += (await stat(file + suffix).catch(() => ({ size: 0 }))).size;
  return bytes;
}

export type StoreKind = 'sqlite' | 'postgres';

/** PostgreSQL for the benchmark: BENCH_POSTGRES_URL, or the local server CI and sessions run. */
export const BENCH_POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** Why BENCH_POSTGRES_URL cannot be used, or null when it can. */
export async function postgresUnreachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: BENCH_POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return `no PostgreSQL at ${new URL(BENCH_POSTGRES_URL).host}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** One statement on its own connection to `url` (creating and dropping the benches' schemas). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh store of `kind`; its DATABASE_URL, and how to remove it. */
export async function freshStore(dir: string, kind: StoreKind): Promise<{ databaseUrl: string; open(): Promise<Store>; bytes(store: Store): Promise<number>; remove(): Promise<void> }> {
  if (kind === 'sqlite') {
    const file = path.join(dir, 'pypi-scale.sqlite');
    return {
      databaseUrl: `sqlite:${file}`,
      open: () => openStore({ kind: 'sqlite', file }),
      bytes: () => bytesOf(file),
      remove: async () => undefined,
    };
  }
  const schema = `pypistats_bench_${randomBytes(4).toString('hex')}`;
  const admin = (sql: string) => adminQuery(BENCH_POSTGRES_URL, sql);
  await admin(`CREATE SCHEMA ${schema}`);
  const url = new URL(BENCH_POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    databaseUrl: url.toString(),
    open: () => openStore({ kind: 'postgres', url: url.toString(), poolSize: 10 }),
    // What the tables and their indexes take, after a VACUUM has settled the visibility maps.
    bytes: async (store) => (await store.status()).bytes ?? 0,
    remove: () => admin(`DROP SCHEMA ${schema} CASCADE`),
  };
}

const storeNames: Record<StoreKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

export async function storeScale(dir: string, days: number, withTargets: boolean, kind: StoreKind = 'sqlite'): Promise<{ databaseUrl: string; remove(): Promise<void> }> {
  const options: PypiDayOptions = { packages: 300_000, topDownloads: 20_000_000 };
  const fresh = await freshStore(dir, kind);
  const store = await fresh.open();
  const source = pypiSource(options);
  const scenario = `store at PyPI scale (${storeNames[kind]}), ${days} days of ${options.packages.toLocaleString('en-US')} packages`;
  const seconds: number[] = [];
  let rows = 0;
  let total = 0;
  try {
    for (let i = 0; i < days; i++) {
      // The synthetic source cannot sum its downloads before it streams them: its summary says 0.
      const result = await loadDay(store, source, addDays(FIRST_DAY, i), { retentionDays: days, allowEmpty: true });
      seconds.push(result.seconds);
      rows = result.rows;
      if ((i + 1) % 30 === 0) console.log(`  ${i + 1} of ${days} days loaded`);
    }
    const slowest = Math.max(...seconds);
    record({ scenario, measure: 'rows (category rows) per day', value: rows, unit: '' });
    record({ scenario, measure: 'load time per day, mean', value: round(seconds.reduce((a, b) => a + b, 0) / days), unit: 's' });
    record({ scenario, measure: 'load time per day, slowest', value: round(slowest), unit: 's', ...(withTargets ? { target: '< 60 s', met: slowest < 60 } : {}) });

    // __all__ is summed from the rows as they stream; timed here on its own.
    let started = performance.now();
    for await (const chunk of withAllPackagesTotals(pypiSizedDay(0, options))) void chunk;
    const allAndSynthesis = performance.now() - started;
    started = performance.now();
    for await (const chunk of pypiSizedDay(0, options)) void chunk;
    record({ scenario, measure: 'derived __all__ per day (while rows stream)', value: round((allAndSynthesis - (performance.now() - started)) / 1000), unit: 's' });

    started = performance.now();
    const probes = 2000;
    const latest = (await store.latestDay())!;
    for (let rank = 1; rank <= probes; rank++) await store.recent(`package-${rank * 150}`, latest);
    record({ scenario, measure: 'derived recent (computed at read), per package', value: round((performance.now() - started) / probes), unit: 'ms' });
    total = await fresh.bytes(store);
  } finally {
    await store.close();
  }
  record({ scenario, measure: 'bytes on disk per day', value: round(total / days / 1024 / 1024), unit: 'MB' });
  record({
    scenario,
    measure: `bytes on disk, ${days} days`,
    value: round(total / 1024 / 1024),
    unit: 'MB',
    ...(withTargets ? { target: '< 4.5 GB for 180 days', met: (total / days) * 180 < 4.5 * 1024 ** 3 } : {}),
  });

  // Purges: the oldest day, inside its block of days; then up to the next block, which drops the
  // first block's rows whole (what a purge does once every 32 days).
  const store2 = await fresh.open();
  try {
    let started = performance.now();
    let purged = await store2.purgeBefore(addDays(FIRST_DAY, 1));
    record({ scenario, measure: `derived purge of ${purged.length} day, inside a block of days`, value: round((performance.now() - started) / 1000), unit: 's' });
    const nextBlock = dayFromNumber(((dayNumber(FIRST_DAY) >> BLOCK_BITS) + 1) << BLOCK_BITS);
    if (days > 1 && addDays(FIRST_DAY, days - 1) >= nextBlock) {
      started = performance.now();
      purged = await store2.purgeBefore(nextBlock);
      record({ scenario, measure: `derived purge of ${purged.length} day, dropping the block of days it ends`, value: round((performance.now() - started) / 1000), unit: 's' });
    }
  } finally {
    await store2.close();
  }
  return fresh;
}
