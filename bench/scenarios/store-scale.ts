/**
 * The store at PyPI scale: days of ~300,000 active packages, synthesized as aggregate rows (no
 * raw events), loaded through the pipeline into a fresh store: load time, rows and bytes per day,
 * and the derived steps.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { addDays, type Day } from '../../src/domain/dates.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { loadDay } from '../../src/pipeline/load.js';
import type { Source } from '../../src/sources/types.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { pypiSizedDay, type PypiDayOptions } from '../pypi-sized-day.js';
import { record, round } from '../lib/results.js';

const FIRST_DAY = '2026-05-01';

function pypiSource(options: PypiDayOptions): Source {
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

export async function storeScale(dir: string, days: number, withTargets: boolean): Promise<string> {
  const options: PypiDayOptions = { packages: 300_000, topDownloads: 20_000_000 };
  const database = path.join(dir, 'pypi-scale.sqlite');
  const store = SqliteStore.open(database);
  const source = pypiSource(options);
  const scenario = `store at PyPI scale (SQLite), ${days} days of ${options.packages.toLocaleString('en-US')} packages`;
  const seconds: number[] = [];
  let rows = 0;
  try {
    for (let i = 0; i < days; i++) {
      const result = await loadDay(store, source, addDays(FIRST_DAY, i), { retentionDays: days });
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
  } finally {
    await store.close();
  }
  const total = await bytesOf(database);
  record({ scenario, measure: 'bytes on disk per day', value: round(total / days / 1024 / 1024), unit: 'MB' });
  record({
    scenario,
    measure: `bytes on disk, ${days} days`,
    value: round(total / 1024 / 1024),
    unit: 'MB',
    ...(withTargets ? { target: '< 4.5 GB for 180 days', met: (total / days) * 180 < 4.5 * 1024 ** 3 } : {}),
  });

  // Purge: one more day, with a window one day shorter, drops the oldest day in the load.
  const store2 = SqliteStore.open(database);
  try {
    const started = performance.now();
    const purged = await store2.purgeBefore(addDays(FIRST_DAY, 1));
    record({ scenario, measure: `derived purge of ${purged.length} day`, value: round((performance.now() - started) / 1000), unit: 's' });
  } finally {
    await store2.close();
  }
  return database;
}
