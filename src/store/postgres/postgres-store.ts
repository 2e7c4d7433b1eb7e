/**
 * The production store: PostgreSQL, shared by every API process and loader. Reads go through a
 * pool of connections with prepared statements; a day is written by ./day-writer.ts.
 */
import pg from 'pg';
import { dayFromNumber, dayNumber, type Day } from '../../domain/dates.js';
import { includesDemoData } from '../../domain/demo.js';
import { ALL_PACKAGES } from '../../domain/names.js';
import type { CategoryRow } from '../category-index.js';
import { DataVersionCache, newDataVersion } from '../data-version.js';
import type { BlockTable } from '../layout.js';
import { BLOCK_BITS } from '../packed-downloads.js';
import { daysOfMask, heldMonths, type HeldMonth, type MonthDays } from '../months.js';
import { monthNumber } from '../../domain/months.js';
import { writeBackfillMonth } from './month-writer.js';
import { PackageReads, type BlocksRead, type MonthsRead } from '../package-reads.js';
import type {
  AllTimeTotals,
  CountedDays,
  MonthRange,
  MonthWrite,
  DayWrite,
  DayWriteResult,
  LoadedDay,
  LoadOutcome,
  LoadRecord,
  RecentDownloads,
  SeriesPoint,
  SeriesRange,
  Store,
  StoreLock,
  StoreStatus,
  PackageDownloads,
  TrendingPackage,
} from '../types.js';
import { StoreUnavailableError } from '../types.js';
import type { TopPeriod, TrendingPeriod } from '../../domain/api-parameters.js';
import { purgeDaysBefore, setDataVersion, writeDay } from './day-writer.js';
import { refreshDerived } from './derived.js';
import { topReadSql, trendingReadSql } from '../derived-lists.js';
import { PostgresAccounts } from './accounts.js';
import * as loads from './loads.js';
import { migrate } from './migrate.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_QUERY_TIMEOUT_MS } from './timeouts.js';
import { asUnavailable } from './unavailable.js';

class NoSchemaError extends Error {}

const BLOCK_TABLE_NAMES: Readonly<Record<BlockTable, string>> = { seed: 'package_blocks', breakdown: 'package_breakdown_blocks' };
const INT8_OID = 20;

export interface PostgresOptions {
  url: string;
  poolSize: number;
  /** How long a connection (or a free one in the pool) may take before the call fails (DATABASE_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** How long a read may wait for its answer (DATABASE_QUERY_TIMEOUT_MS); writes are not limited. */
  queryTimeoutMs?: number;
  /** Refuse a schema pypistats never migrated, rather than create the tables. */
  mustExist?: boolean;
}

/** The URL without its password, for status and messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}

/** Counts are bigint in the database and exact in JavaScript up to 2^53, far above any count. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export class PostgresStore implements Store {
  private readonly version = new DataVersionCache(async () => {
    const [row] = await this.query<{ value: string }>('data-version', "SELECT value FROM meta WHERE key = 'data_version'");
    return row!.value;
  });
  private readonly reads = new PackageReads({
    readMonths: (name, table, start, end) => this.readMonths(name, table, start, end),
    readBlocks: (name, table, start, end) => this.readBlocks(name, table, start, end),
    seedCategories: () => this.query<CategoryRow>('categories', 'SELECT id, dimension, name FROM categories'),
    packageCategories: (packageId) =>
      this.query<CategoryRow>('package-categories', 'SELECT id, dimension, name FROM package_categories WHERE package_id = $1', [packageId]),
  });
  private writeQueue: Promise<unknown> = Promise.resolve();
  readonly accounts: PostgresAccounts;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly timeouts: { connectTimeoutMs: number; queryTimeoutMs: number },
  ) {
    this.accounts = new PostgresAccounts(pool, (work) => this.guard(work));
  }

  /** Connects, and brings the schema up to date (once, whichever instance gets there first). */
  static async open(options: PostgresOptions): Promise<PostgresStore> {
    const timeouts = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
    };
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      types,
      application_name: 'pypistats',
      // Without it, a server that accepts and never answers holds every command (and `serve`'s start) forever.
      connectionTimeoutMillis: timeouts.connectTimeoutMs,
      // A server that vanished without closing its connections (a crashed host, a dropped route) is noticed.
      keepAlive: true,
    });
    // A connection that breaks must not take the process down: idle ones are dropped by the pool (its
    // 'error'), and one checked out (a held lock, a writer between statements) fails its next query.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    try {
      if (options.mustExist) {
        const { rows } = await pool.query<{ found: boolean }>("SELECT to_regclass('schema_version') IS NOT NULL AS found");
        if (!rows[0]?.found) {
          await pool.end();
          throw new NoSchemaError(`no database at ${redactedUrl(options.url)} (its schema was never migrated): load data first, or set DATABASE_URL`);
        }
      }
      await migrate(pool, newDataVersion());
    } catch (error) {
      if (error instanceof NoSchemaError) throw error;
      await pool.end();
      const cause = asUnavailable(error, redactedUrl(options.url), timeouts);
      const message = `cannot open the PostgreSQL store at ${redactedUrl(options.url)}: ${(cause as Error).message.replace(/^the database is unavailable \(PostgreSQL at [^)]*\): /, '')}`;
      throw cause instanceof StoreUnavailableError ? new StoreUnavailableError(message, { cause: error }) : new Error(message, { cause: error });
    }
    return new PostgresStore(pool, options.url, timeouts);
  }

  /** `work`'s failure as a StoreUnavailableError when the database is down, slow or unreachable. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw asUnavailable(error, redactedUrl(this.url), this.timeouts);
    }
  }

  /** A read: the server is given DATABASE_QUERY_TIMEOUT_MS to answer (the connection is dropped after). */
  private query<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[] = []): Promise<R[]> {
    // node-postgres reads `query_timeout` from each query's config (its types leave it out).
    const config = { name, text, values, query_timeout: this.timeouts.queryTimeoutMs } as pg.QueryConfig;
    return this.guard(async () => (await this.pool.query<R>(config)).rows);
  }

  dataVersion(): Promise<string> {
    return this.version.current();
  }

  async latestDay(): Promise<Day | null> {
    const [row] = await this.query<{ day: number | null }>('latest-day', 'SELECT max(day) AS day FROM loaded_days');
    return row?.day == null ? null : dayFromNumber(row.day);
  }

  async loadedDays(): Promise<LoadedDay[]> {
    const rows = await this.query<{ day: number; source: string; loaded_at: Date; packages: number; rows: number; summary: LoadedDay['summary'] }>(
      'loaded-days',
      'SELECT day, source, loaded_at, packages, rows, summary FROM loaded_days ORDER BY day',
    );
    return rows.map((row) => ({
      day: dayFromNumber(row.day),
      source: row.source,
      loadedAt: row.loaded_at.toISOString(),
      packages: row.packages,
      rows: row.rows,
      summary: row.summary,
    }));
  }

  async hasPackage(name: string): Promise<boolean> {
    const [row] = await this.query<{ found: boolean }>(
      'has-package',
      // Known: a day held, or a month kept (a package known only from a backfill is known too, API.md).
      `SELECT EXISTS (SELECT 1 FROM package_blocks WHERE package_id = (SELECT id FROM packages WHERE name = $1)
                        AND last_day >= (SELECT min(day) FROM loaded_days))
           OR EXISTS (SELECT 1 FROM package_months WHERE package_id = (SELECT id FROM packages WHERE name = $1)) AS found`,
      [name],
    );
    return row?.found ?? false;
  }

  /** The package's month rows of one table (both sources), with what a read needs besides, in one statement. */
  private async readMonths(name: string, table: BlockTable, start: number, end: number): Promise<MonthsRead | null> {
    const column = table === 'seed' ? 'seed' : 'breakdown';
    // The rows as one value of (month, length, blob) entries, as a block holds days: one bytea, not one per row.
    const [row] = await this.query<{ package_id: number | null; max_category: number | null; version: string; months: Buffer | null }>(
      `package-months-${table}`,
      `SELECT p.id AS package_id, (SELECT max(id) FROM categories) AS max_category,
              (SELECT value FROM meta WHERE key = 'data_version') AS version,
              (SELECT string_agg(int4send(m.month) || int4send(length(m.${column})) || m.${column}, ''::bytea) FROM package_months m
                WHERE m.package_id = p.id AND m.month BETWEEN $2 AND $3) AS months
       FROM packages p WHERE p.name = $1`,
      [name, start, end],
    );
    if (!row || row.package_id === null) return null;
    const months: { month: number; packed: Buffer }[] = [];
    const bytes = row.months ?? Buffer.alloc(0);
    for (let offset = 0; offset < bytes.length; ) {
      const length = bytes.readUInt32BE(offset + 4);
      months.push({ month: bytes.readInt32BE(offset), packed: bytes.subarray(offset + 8, offset + 8 + length) });
      offset += 8 + length;
    }
    return { packageId: row.package_id, maxSeedCategoryId: row.max_category, dataVersion: row.version, months };
  }

  monthSeries(name: string, dimension: string, range: MonthRange, only?: ReadonlySet<string>): Promise<SeriesPoint[]> {
    return this.reads.monthSeries(name, dimension, range, only);
  }

  monthCategoryTotals(name: string, dimension: string, range: MonthRange): Promise<Map<string, number>> {
    return this.reads.monthCategoryTotals(name, dimension, range);
  }

  async heldMonths(name: string): Promise<HeldMonth[]> {
    const rows = await this.query<{ month: number; daily_days: number | null; backfill_days: number | null }>(
      'held-months',
      `SELECT DISTINCT pm.month, m.daily_days, m.backfill_days FROM package_months pm LEFT JOIN months m ON m.month = pm.month
       WHERE pm.package_id = (SELECT id FROM packages WHERE name = $1)`,
      [name],
    );
    const days = new Map<number, MonthDays>(rows.map((row) => [row.month, { month: row.month, dailyDays: row.daily_days ?? 0, backfillDays: row.backfill_days ?? 0 }]));
    return heldMonths(days.keys(), days);
  }

  allTimeTotals(name: string): Promise<AllTimeTotals | null> {
    return this.reads.allTimeTotals(name);
  }

  async countedDays(month: string): Promise<CountedDays> {
    const number = monthNumber(month);
    const [row] = await this.query<{ daily_days: number; backfill_days: number }>('counted-days', 'SELECT daily_days, backfill_days FROM months WHERE month = $1', [number]);
    return { daily: daysOfMask(number, row?.daily_days ?? 0), backfill: daysOfMask(number, row?.backfill_days ?? 0) };
  }

  replaceBackfillMonth(write: MonthWrite): Promise<{ rows: number; packages: number }> {
    return this.withWriter((client) => writeBackfillMonth(client, write, newDataVersion()));
  }

  /**
   * The package's blocks holding days `start` to `end` in one value (the rows joined in SQL; a
   * bytea arrives as a Buffer: one value instead of one per row is most of what a cold series
   * costs), read with the first loaded day, the highest seed category id (a higher one than this
   * process knows means a load added categories) and the data version, in one statement.
   */
  private async readBlocks(name: string, table: BlockTable, start: number, end: number): Promise<BlocksRead | null> {
    const [row] = await this.query<{ package_id: number | null; first: number | null; max_category: number | null; version: string; days: Buffer | null }>(
      `package-days-${table}`,
      `SELECT p.id AS package_id, (SELECT min(day) FROM loaded_days) AS first, (SELECT max(id) FROM categories) AS max_category,
              (SELECT value FROM meta WHERE key = 'data_version') AS version,
              (SELECT string_agg(days, ''::bytea) FROM ${BLOCK_TABLE_NAMES[table]} b WHERE b.package_id = p.id AND b.block BETWEEN $2 AND $3) AS days
       FROM packages p WHERE p.name = $1`,
      [name, start >> BLOCK_BITS, end >> BLOCK_BITS],
    );
    if (!row || row.package_id === null) return null;
    return {
      packageId: row.package_id,
      firstLoaded: row.first,
      maxSeedCategoryId: row.max_category,
      dataVersion: row.version,
      blocks: row.days ? [row.days] : [],
    };
  }

  series(name: string, dimension: string, range: SeriesRange, only?: ReadonlySet<string>): Promise<SeriesPoint[]> {
    return this.reads.series(name, dimension, range, only);
  }

  categoryTotals(name: string, dimension: string, range: SeriesRange): Promise<Map<string, number>> {
    return this.reads.categoryTotals(name, dimension, range);
  }

  recent(name: string, latestDay: Day, options: { mirrors?: boolean } = {}): Promise<RecentDownloads> {
    return this.reads.recent(name, latestDay, options);
  }

  async packageCount(): Promise<number> {
    const [row] = await this.query<{ value: string }>('package-count', "SELECT value FROM meta WHERE key = 'package_count'");
    return Number(row?.value ?? 0);
  }

  async searchPackages(prefix: string, limit: number): Promise<string[]> {
    // `starts_with` would not use the index; a range over the C-collated order does.
    const rows = await this.query<{ name: string }>(
      'search-packages',
      `SELECT name FROM packages p
       WHERE name COLLATE "C" >= $1 AND name COLLATE "C" < $2 AND name <> $3
         AND EXISTS (SELECT 1 FROM package_blocks b WHERE b.package_id = p.id AND b.last_day >= (SELECT min(day) FROM loaded_days))
       ORDER BY name COLLATE "C" LIMIT $4`,
      [prefix, `${prefix}\u{10FFFF}`, ALL_PACKAGES, limit],
    );
    return rows.map((row) => row.name);
  }

  async topPackages(period: TopPeriod, limit: number): Promise<PackageDownloads[]> {
    return this.query<PackageDownloads>(
      'top-packages',
      topReadSql((position) => `$${position}`),
      [period, limit],
    );
  }

  async trendingPackages(period: TrendingPeriod, limit: number): Promise<TrendingPackage[]> {
    return this.query<TrendingPackage>(
      'trending-packages',
      trendingReadSql((position) => `$${position}`),
      [period, limit],
    );
  }

  async status(): Promise<StoreStatus> {
    const days = await this.loadedDays();
    const [counts] = await this.query<{ packages: number; bytes: number }>(
      'status',
      `SELECT (SELECT count(*) FROM packages p
               WHERE EXISTS (SELECT 1 FROM package_blocks b WHERE b.package_id = p.id AND b.last_day >= (SELECT min(day) FROM loaded_days))) AS packages,
              (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
               WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'm'))::bigint AS bytes`,
    );
    return {
      location: redactedUrl(this.url),
      days: days.length,
      firstDay: days[0]?.day ?? null,
      latestDay: days.at(-1)?.day ?? null,
      rows: days.reduce((sum, day) => sum + day.rows, 0),
      packages: counts?.packages ?? 0,
      dataVersion: await this.dataVersion(),
      bytes: counts?.bytes ?? null,
      demo: includesDemoData(days),
    };
  }

  replaceDay(write: DayWrite): Promise<DayWriteResult> {
    return this.withWriter((client) => writeDay(client, write, newDataVersion()));
  }

  purgeBefore(day: Day): Promise<Day[]> {
    return this.withWriter(async (client) => {
      await client.query('BEGIN');
      try {
        const purged = await purgeDaysBefore(client, dayNumber(day));
        if (purged.length > 0) {
          await refreshDerived(client);
          await setDataVersion(client, newDataVersion());
        }
        await client.query('COMMIT');
        return purged.map(dayFromNumber);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  startLoad(day: Day, source: string): Promise<number> {
    return this.guard(() => loads.startLoad(this.pool, day, source));
  }

  finishLoad(id: number, outcome: LoadOutcome): Promise<void> {
    return this.guard(() => loads.finishLoad(this.pool, id, outcome));
  }

  loadHistory(limit: number): Promise<LoadRecord[]> {
    return this.guard(() => loads.loadHistory(this.pool, limit));
  }

  tryLock(name: string): Promise<StoreLock | null> {
    return this.guard(() => loads.tryLock(this.pool, name));
  }

  async close(): Promise<void> {
    await this.writeQueue.catch(() => undefined);
    await this.pool.end();
  }

  /**
   * This process's writes one at a time (other processes queue on the database's write lock). A
   * day rewrites its block rows and deletes old rows: the space they held is made reusable at
   * once, rather than left to autovacuum (off on some servers, and late on big tables), which let
   * 156 PyPI-sized days grow to 26 GB.
   */
  private withWriter<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const run = async () => {
      const client = await this.pool.connect();
      try {
        const result = await work(client);
        this.version.forget();
        // The write has committed: failing to reclaim space now must not make it look failed
        // (the next write's VACUUM, or autovacuum, reclaims it).
        await client.query('VACUUM (ANALYZE) package_blocks, package_breakdown_blocks, package_categories, package_months, months, package_days, top_packages, trending_packages, loaded_days, meta').catch(() => undefined);
        return result;
      } finally {
        this.version.forget();
        client.release();
      }
    };
    const guarded = () => this.guard(run);
    const next = this.writeQueue.then(guarded, guarded);
    this.writeQueue = next.catch(() => undefined);
    return next;
  }
}
