/**
 * History beyond retention (issue 15): PyPI-sized days of every breakdown loaded through the
 * pipeline, then months of every breakdown backfilled before them, in a fresh store:
 * - the disk the months add, against the disk the days take (target ≤ 15 %): per table, from
 *   SQLite's `dbstat` or PostgreSQL's relation sizes, `package_categories`' growth during the
 *   backfill counted as the months';
 * - the most popular package's monthly `/overall` over every month held (10 years in full mode),
 *   cold (target < 5 ms), and another's `/total`, cold (target < 2 ms);
 * - one month's backfill from raw event files whose aggregation is a PyPI-sized day's rows (the
 *   month's distinct rows; bench/scenarios/serve-during-load.ts synthesizes them), through the
 *   files source (target < 60 s).
 *
 * A backfilled month's rows are a synthesized day's (bench/pypi-sized-day.ts) with every count
 * times 30: a month's categories are at least a day's, so the months' share is a lower bound where
 * a month logs more versions than a day.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { addDays, dayRange } from '../../src/domain/dates.js';
import { firstDayOf, lastDayOf, monthFromNumber, monthNumber } from '../../src/domain/months.js';
import { backfillMonths, planBackfill } from '../../src/pipeline/backfill.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { loadDay } from '../../src/pipeline/load.js';
import { DuckDb } from '../../src/sources/duckdb.js';
import { FileSource } from '../../src/sources/files.js';
import type { AggregateRow } from '../../src/domain/aggregates.js';
import type { Store } from '../../src/store/types.js';
import { startServer, stop } from '../lib/processes.js';
import { record, round } from '../lib/results.js';
import { pypiSizedDay, type PypiDayOptions } from '../pypi-sized-day.js';
import { rawDayFile } from './serve-during-load.js';
import { FIRST_DAY, freshStore, pypiSource, type StoreKind } from './store-scale.js';

export interface MonthsSizes {
  days: number;
  /** Months backfilled before the first day. */
  months: number;
  packages: number;
  topDownloads: number;
  /** The raw month's packages and top downloads (its events are one per download: keep it small in a test). */
  rawMonth: PypiDayOptions;
  withTargets: boolean;
  kinds: StoreKind[];
}

const storeNames: Record<StoreKind, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
/** The tables of the months; the others hold the days (and what both share, the names). */
const MONTH_TABLES = ['package_months', 'months'];
const DAY_TABLES = ['package_blocks', 'package_breakdown_blocks', 'package_categories', 'packages', 'categories', 'package_days', 'loaded_days'];

/** Bytes per table (indexes included). */
async function tableBytes(kind: StoreKind, databaseUrl: string): Promise<Map<string, number>> {
  if (kind === 'sqlite') {
    const db = new Database(databaseUrl.slice('sqlite:'.length), { readonly: true });
    try {
      const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name').all() as { name: string; bytes: number }[];
      const bytes = new Map<string, number>();
      // An index counts with its table (sqlite_autoindex_<table>_N).
      for (const { name, bytes: size } of rows) {
        const table = /^sqlite_autoindex_(.+)_\d+$/.exec(name)?.[1] ?? name;
        bytes.set(table, (bytes.get(table) ?? 0) + size);
      }
      return bytes;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
    const { rows } = await client.query<{ name: string; bytes: string }>(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid)::text AS bytes FROM pg_class c
       WHERE c.relkind = 'r' AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`,
    );
    return new Map(rows.map((row) => [row.name, Number(row.bytes)]));
  } finally {
    await client.end();
  }
}

const sumOf = (bytes: Map<string, number>, tables: readonly string[]) => tables.reduce((sum, table) => sum + (bytes.get(table) ?? 0), 0);

/** A synthesized month: a PyPI-sized day's rows, every count times 30. */
async function* monthRows(index: number, options: PypiDayOptions): AsyncGenerator<AggregateRow[]> {
  for await (const chunk of pypiSizedDay(index, options)) yield chunk.map((row) => ({ ...row, downloads: row.downloads * 30 }));
}

async function timeGet(url: string): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const response = await fetch(url);
  await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status };
}

export async function months(dir: string, sizes: MonthsSizes): Promise<void> {
  const every: PypiDayOptions = { packages: sizes.packages, topDownloads: sizes.topDownloads, breakdowns: true };
  const title = `months kept forever, ${sizes.days} PyPI-sized days and ${sizes.months} backfilled months of ${sizes.packages.toLocaleString('en-US')} packages`;
  const target = <T>(figure: T) => (sizes.withTargets ? figure : {});
  const firstMonth = monthNumber(FIRST_DAY.slice(0, 7)) - sizes.months;

  for (const kind of sizes.kinds) {
    const scenario = `${title} (${storeNames[kind]})`;
    await mkdir(path.join(dir, `months-${kind}`), { recursive: true });
    const fresh = await freshStore(path.join(dir, `months-${kind}`), kind);
    let store: Store = await fresh.open();
    try {
      for (let i = 0; i < sizes.days; i++) {
        await loadDay(store, pypiSource(every), addDays(FIRST_DAY, i), { retentionDays: 100_000, allowEmpty: true });
      }
      await store.close();
      const beforeBackfill = await tableBytes(kind, fresh.databaseUrl);
      store = await fresh.open();
      const started = performance.now();
      for (let m = 0; m < sizes.months; m++) {
        const month = monthFromNumber(firstMonth + m);
        await store.replaceBackfillMonth({ month, days: dayRange(firstDayOf(month), lastDayOf(month)), rows: withAllPackagesTotals(monthRows(m, every)) });
      }
      record({ scenario, measure: 'backfill of a synthesized month (aggregate rows given), mean', value: round((performance.now() - started) / 1000 / Math.max(1, sizes.months)), unit: 's' });
      await store.close();
      const after = await tableBytes(kind, fresh.databaseUrl);
      const daysBytes = sumOf(beforeBackfill, DAY_TABLES);
      const monthsBytes = sumOf(after, MONTH_TABLES) + (after.get('package_categories') ?? 0) - (beforeBackfill.get('package_categories') ?? 0);
      const dailyMonths = sumOf(beforeBackfill, MONTH_TABLES);
      record({ scenario, measure: 'disk the days take', value: round(daysBytes / 2 ** 20), unit: 'MiB' });
      record({ scenario, measure: `disk the months take (${sizes.months} backfilled and those of the days)`, value: round(monthsBytes / 2 ** 20), unit: 'MiB' });
      record({ scenario, measure: 'of which the months of the loaded days', value: round(dailyMonths / 2 ** 20), unit: 'MiB' });
      const share = round((monthsBytes / daysBytes) * 100);
      record({ scenario, measure: 'disk the months add, as a share of the days', value: share, unit: '%', ...target({ target: '≤ 15 %', met: share <= 15 }) });

      const server = await startServer({ DATABASE_URL: fresh.databaseUrl, DEMO_DATA: 'off' });
      try {
        // The server's own first requests (JIT, the category index) on other packages: "cold" is the package's answer not yet cached.
        for (const name of ['package-5', 'package-6']) {
          await timeGet(`${server.url}/api/packages/${name}/overall?interval=month`);
          await timeGet(`${server.url}/api/packages/${name}/total`);
        }
        const overall = await timeGet(`${server.url}/api/packages/package-1/overall?interval=month`);
        const held = sizes.months + Math.ceil(sizes.days / 30);
        record({ scenario, measure: `most popular package's monthly /overall over about ${held} months, cold`, value: round(overall.ms), unit: 'ms', ...target({ target: '< 5 ms', met: overall.ms < 5 && overall.status === 200 }) });
        const total = await timeGet(`${server.url}/api/packages/package-2/total`);
        record({ scenario, measure: "another package's /total, cold", value: round(total.ms), unit: 'ms', ...target({ target: '< 2 ms', met: total.ms < 2 && total.status === 200 }) });
      } finally {
        await stop(server);
      }

      // One month's backfill from raw files: the month before the backfilled ones.
      const rawMonth = monthFromNumber(firstMonth - 1);
      const raw = await rawDayFile(`${rawMonth}-15`, 1, sizes.rawMonth, path.join(dir, 'months-raw'));
      store = await fresh.open();
      const duck = await DuckDb.open();
      try {
        const plans = await planBackfill(store, { from: rawMonth, to: rawMonth, retentionDays: 180 });
        const startedRaw = performance.now();
        const [written] = await backfillMonths(store, new FileSource(duck, { inputs: [raw.file] }), plans);
        const seconds = (performance.now() - startedRaw) / 1000;
        record({
          scenario,
          measure: `one month's backfill from raw files (${raw.events.toLocaleString('en-US')} events, ${(written?.rows ?? 0).toLocaleString('en-US')} rows)`,
          value: round(seconds),
          unit: 's',
          ...target({ target: '< 60 s', met: seconds < 60 }),
        });
      } finally {
        duck.close();
      }
    } finally {
      await store.close().catch(() => undefined);
      await fresh.remove();
    }
  }
}
