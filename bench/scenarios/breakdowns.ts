/**
 * Every breakdown at PyPI scale: days of ~300,000 packages with the nine breakdowns beyond the
 * seed's four (bench/pypi-breakdowns.ts, from PERFORMANCE.md's anchors), loaded through the
 * pipeline into a fresh store, next to the same days without them, in the same run:
 * - load time per day (target < 60 s), on SQLite and PostgreSQL;
 * - bytes per category-row (target ≤ 4), next to the ceiling: the same rows
 *   (package, day, dimension, category, downloads) sorted by package and day in a DuckDB file;
 * - the most popular package's /version over every loaded day, cold (target < 1 s) and with
 *   top=10 (target < 50 ms);
 * - the cold crawler on /overall with the breakdowns, as a share of its req/s without them
 *   (target: within 10 %).
 */
import { mkdir, stat } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';
import { addDays } from '../../src/domain/dates.js';
import { loadDay } from '../../src/pipeline/load.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { crawl, type LoadResult } from '../lib/load-generator.js';
import { startServer, stop } from '../lib/processes.js';
import { record, round } from '../lib/results.js';
import { pypiSizedDay, type PypiDayOptions } from '../pypi-sized-day.js';
import { FIRST_DAY, freshStore, pypiSource, type StoreKind } from './store-scale.js';

const storeNames: Record<StoreKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** Loads `days` days into a fresh store of `kind`; the store's URL, its bytes, the rows and the load times. */
async function loadDays(dir: string, kind: StoreKind, days: number, options: PypiDayOptions, label: string) {
  await mkdir(path.join(dir, label), { recursive: true });
  const fresh = await freshStore(path.join(dir, label), kind);
  const store = await fresh.open();
  const seconds: number[] = [];
  let rows = 0;
  try {
    for (let i = 0; i < days; i++) {
      // The synthetic source cannot sum its downloads before it streams them: its summary says 0.
      const result = await loadDay(store, pypiSource(options), addDays(FIRST_DAY, i), { retentionDays: days + 1, allowEmpty: true });
      seconds.push(result.seconds);
      rows += result.rows;
      console.log(`  ${label}: day ${i + 1} of ${days} loaded in ${round(result.seconds)} s (${result.rows.toLocaleString('en-US')} rows)`);
    }
    return { fresh, seconds, rows, bytes: await fresh.bytes(store) };
  } finally {
    await store.close();
  }
}

/** The ceiling for bytes: the same rows, `__all__` included, sorted by package and day, in a DuckDB database file. */
async function duckDbBytes(dir: string, days: number, options: PypiDayOptions): Promise<{ bytes: number; rows: number }> {
  const file = path.join(dir, 'ceiling.duckdb');
  const duck = await DuckDBInstance.create(file);
  let rows = 0;
  try {
    const connection = await duck.connect();
    await connection.run('CREATE TABLE staged (package VARCHAR, day DATE, dimension VARCHAR, category VARCHAR, downloads BIGINT)');
    for (let i = 0; i < days; i++) {
      const day = addDays(FIRST_DAY, i);
      const appender = await connection.createAppender('staged');
      for await (const chunk of withAllPackagesTotals(pypiSizedDay(i, options))) {
        for (const row of chunk) {
          appender.appendVarchar(row.package);
          appender.appendVarchar(day);
          appender.appendVarchar(row.dimension);
          appender.appendVarchar(row.category);
          appender.appendBigInt(BigInt(row.downloads));
          appender.endRow();
        }
        rows += chunk.length;
      }
      appender.closeSync();
    }
    await connection.run('CREATE TABLE downloads AS SELECT * FROM staged ORDER BY package, day, dimension, category');
    await connection.run('DROP TABLE staged');
    await connection.run('CHECKPOINT');
    connection.closeSync();
  } finally {
    duck.closeSync();
  }
  return { bytes: (await stat(file)).size, rows };
}

async function timeGet(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.arrayBuffer();
  return { ms: performance.now() - started, bytes: body.byteLength, status: response.status };
}

export interface BreakdownsSizes {
  days: number;
  packages: number;
  topDownloads: number;
  crawlSeconds: number;
  warmUpSeconds: number;
  withTargets: boolean;
  kinds: StoreKind[];
}

export async function breakdowns(dir: string, sizes: BreakdownsSizes): Promise<void> {
  const bare: PypiDayOptions = { packages: sizes.packages, topDownloads: sizes.topDownloads };
  const every: PypiDayOptions = { ...bare, breakdowns: true };
  const title = `every breakdown, ${sizes.days} PyPI-sized days of ${sizes.packages.toLocaleString('en-US')} packages`;
  const target = <T>(figure: T) => (sizes.withTargets ? figure : {});

  const ceiling = await duckDbBytes(dir, sizes.days, every);
  record({ scenario: title, measure: 'category rows per day (every breakdown, __all__ included)', value: Math.round(ceiling.rows / sizes.days), unit: '' });
  record({ scenario: title, measure: 'ceiling: DuckDB file of the same rows, bytes per category-row', value: round(ceiling.bytes / ceiling.rows), unit: 'B' });

  for (const kind of sizes.kinds) {
    const scenario = `${title} (${storeNames[kind]})`;
    const loaded = await loadDays(dir, kind, sizes.days, every, `${kind}-every`);
    const slowest = Math.max(...loaded.seconds);
    record({ scenario, measure: 'load time per day, mean', value: round(loaded.seconds.reduce((a, b) => a + b, 0) / sizes.days), unit: 's' });
    record({ scenario, measure: 'load time per day, slowest', value: round(slowest), unit: 's', ...target({ target: '< 60 s', met: slowest < 60 }) });
    const perRow = loaded.bytes / loaded.rows;
    record({ scenario, measure: 'bytes on disk per category-row', value: round(perRow), unit: 'B', ...target({ target: '≤ 4 B', met: perRow <= 4 }) });
    record({ scenario, measure: 'bytes on disk against the DuckDB ceiling', value: round(perRow / (ceiling.bytes / ceiling.rows)), unit: '×' });

    const server = await startServer({ DATABASE_URL: loaded.fresh.databaseUrl, DEMO_DATA: 'off' });
    try {
      const version = await timeGet(`${server.url}/api/packages/package-1/version`);
      record({ scenario, measure: `most popular package's /version over ${sizes.days} days, cold (${round(version.bytes / 1024 / 1024)} MB)`, value: round(version.ms), unit: 'ms', ...target({ target: '< 1000 ms', met: version.ms < 1000 && version.status === 200 }) });
      const top = await timeGet(`${server.url}/api/packages/package-1/version?top=10`);
      record({ scenario, measure: `most popular package's /version?top=10, cold (${round(top.bytes / 1024)} KB)`, value: round(top.ms), unit: 'ms', ...target({ target: '< 50 ms', met: top.ms < 50 && top.status === 200 }) });
      if (kind === 'sqlite') {
        await crawl(server.url, '/api/packages/package-', '/system', sizes.packages, sizes.warmUpSeconds);
        const withBreakdowns = await crawl(server.url, '/api/packages/package-', '/overall', sizes.packages, sizes.crawlSeconds);
        await stop(server);
        await crawlerShare(dir, scenario, sizes, bare, withBreakdowns);
        continue;
      }
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) await stop(server);
    }
    await loaded.fresh.remove();
  }
}

/** The cold crawler on the same days without the breakdowns, in the same run: the share the breakdowns leave it. */
async function crawlerShare(dir: string, scenario: string, sizes: BreakdownsSizes, bare: PypiDayOptions, withBreakdowns: LoadResult): Promise<void> {
  const seedOnly = await loadDays(dir, 'sqlite', sizes.days, bare, 'sqlite-seed');
  const server = await startServer({ DATABASE_URL: seedOnly.fresh.databaseUrl, DEMO_DATA: 'off' });
  let without: LoadResult;
  try {
    await crawl(server.url, '/api/packages/package-', '/system', sizes.packages, sizes.warmUpSeconds);
    without = await crawl(server.url, '/api/packages/package-', '/overall', sizes.packages, sizes.crawlSeconds);
  } finally {
    await stop(server);
  }
  record({ scenario, measure: 'cold crawler /overall with every breakdown: req/s', value: withBreakdowns.rps, unit: 'req/s' });
  record({ scenario, measure: 'cold crawler /overall with every breakdown: p99', value: withBreakdowns.p99, unit: 'ms' });
  record({ scenario, measure: 'cold crawler /overall, the seed\'s four only: req/s', value: without.rps, unit: 'req/s' });
  record({ scenario, measure: 'cold crawler /overall, the seed\'s four only: p99', value: without.p99, unit: 'ms' });
  const share = round((withBreakdowns.rps / without.rps) * 100);
  record({ scenario, measure: 'cold crawler req/s with every breakdown, as a share of without', value: share, unit: '%', ...(sizes.withTargets ? { target: '≥ 90 %', met: share >= 90 } : {}) });
}
