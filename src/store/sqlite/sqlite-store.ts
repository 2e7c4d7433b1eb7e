import { existsSync, statSync } from 'node:fs';
import { dayFromNumber, dayNumber, type Day } from '../../domain/dates.js';
import { includesDemoData } from '../../domain/demo.js';
import { ALL_PACKAGES } from '../../domain/names.js';
import type { CategoryRow } from '../category-index.js';
import { DataVersionCache, newDataVersion } from '../data-version.js';
import type { BlockTable } from '../layout.js';
import { PackageReads, type BlocksRead } from '../package-reads.js';
import type {
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
import type { TopPeriod, TrendingPeriod } from '../../domain/api-parameters.js';
import { blockKeyRange, monthKeyRange, monthOfKey, PACKAGE_KEYS_SQL } from './block-keys.js';
import { daysOfMask, heldMonths, type HeldMonth, type MonthDays } from '../months.js';
import type { AllTimeTotals, CountedDays, MonthRange, MonthWrite } from '../types.js';
import { writeBackfillMonth } from './month-writer.js';
import { monthNumber } from '../../domain/months.js';
import { FIRST_MONTH_NUMBER, LAST_MONTH_NUMBER, type MonthsRead } from '../package-reads.js';
import { checkpoint, makeDatabaseDirectory, openConnection, reading, type Connection } from './connection.js';
import { deleteDaysBefore, setDataVersion, writeDay } from './day-writer.js';
import { HAS_DATA_SQL, refreshDerived } from './derived.js';
import { topReadSql, trendingReadSql } from '../derived-lists.js';
import { SqliteAccounts } from './accounts.js';
import * as loads from './loads.js';
import { migrate } from './migrate.js';

/** What the WAL file keeps of its size between writes. */
const WAL_KEPT_BYTES = 64 * 1024 * 1024;

/**
 * The embedded store: one SQLite file. Reads and writes use separate connections, so the API in
 * the same process as a load keeps reading the last committed state (WAL) while a day is written.
 */
export class SqliteStore implements Store {
  private readonly reader: Connection;
  private writer: Connection | null = null;
  private writeQueue: Promise<unknown> = Promise.resolve();
  private readonly version: DataVersionCache;
  private readonly reads: PackageReads;
  private readonly read;
  readonly accounts: SqliteAccounts;

  private constructor(private readonly file: string) {
    this.accounts = new SqliteAccounts(file);
    this.reader = openConnection(file);
    // Reads of packages not yet cached (a crawler's) map the file instead of a read() per page.
    this.reader.pragma('mmap_size = 8589934592');
    this.reader.pragma('cache_size = -65536');
    this.read = {
      dataVersion: this.reader.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'data_version'").pluck(),
      latestDay: this.reader.prepare<[], number | null>('SELECT max(day) FROM loaded_days').pluck(),
      // What a read of packed days needs besides the blocks: where loaded days start, and whether new categories came.
      readState: this.reader
        .prepare<[], [number | null, number | null, string]>(
          "SELECT (SELECT min(day) FROM loaded_days), (SELECT max(id) FROM categories), (SELECT value FROM meta WHERE key = 'data_version')",
        )
        .raw(),
      packageId: this.reader.prepare<[string], number>('SELECT id FROM packages WHERE name = ?').pluck(),
      // Known: a day held, or a month kept (a package known only from a backfill is known too, API.md).
      hasData: this.reader
        .prepare<[string], number>(`SELECT ${HAS_DATA_SQL('p.id')} OR EXISTS (SELECT 1 FROM package_months m WHERE m.key ${PACKAGE_KEYS_SQL('p.id')}) FROM packages p WHERE p.name = ?`)
        .pluck(),
      blocks: {
        seed: this.reader.prepare<[number, number], Buffer>('SELECT days FROM package_blocks WHERE key BETWEEN ? AND ?').pluck(),
        breakdown: this.reader.prepare<[number, number], Buffer>('SELECT days FROM package_breakdown_blocks WHERE key BETWEEN ? AND ?').pluck(),
      },
      months: {
        seed: this.reader.prepare<[number, number], [number, Buffer]>('SELECT key, seed FROM package_months WHERE key BETWEEN ? AND ?').raw(),
        breakdown: this.reader.prepare<[number, number], [number, Buffer]>('SELECT key, breakdown FROM package_months WHERE key BETWEEN ? AND ?').raw(),
      },
      monthKeys: this.reader.prepare<[number, number], number>('SELECT key FROM package_months WHERE key BETWEEN ? AND ?').pluck(),
      monthDays: this.reader.prepare<[], { month: number; daily_days: number; backfill_days: number }>('SELECT month, daily_days, backfill_days FROM months'),
      packageCategories: this.reader.prepare<[number], CategoryRow>('SELECT id, dimension, name FROM package_categories WHERE package_id = ?'),
      categories: this.reader.prepare<[], CategoryRow>('SELECT id, dimension, name FROM categories'),
      packageCount: this.reader.prepare<[], string>("SELECT value FROM meta WHERE key = 'package_count'").pluck(),
      search: this.reader
        .prepare<[string, string, string, number], string>(
          `SELECT name FROM packages p WHERE name >= ? AND name < ? AND name != ?
             AND ${HAS_DATA_SQL('p.id')} ORDER BY name LIMIT ?`,
        )
        .pluck(),
      top: this.reader.prepare<[string, number], PackageDownloads>(topReadSql(() => '?')),
      trending: this.reader.prepare<[string, number], TrendingPackage>(trendingReadSql(() => '?')),
      loadedDays: this.reader.prepare<[], { day: number; source: string; loaded_at: string; packages: number; rows: number; summary: string | null }>(
        'SELECT day, source, loaded_at, packages, rows, summary FROM loaded_days ORDER BY day',
      ),
    };
    this.version = new DataVersionCache(async () => this.reading(() => this.read.dataVersion.get() as unknown as string));
    this.reads = new PackageReads({
      readMonths: async (name, table, start, end) => this.reading(() => this.readMonths(name, table, start, end)),
      readBlocks: async (name, table, start, end) => this.reading(() => this.readBlocks(name, table, start, end)),
      seedCategories: async () => this.reading(() => this.read.categories.all()),
      packageCategories: async (packageId) => this.reading(() => this.read.packageCategories.all(packageId)),
    });
  }

  /** Opens (creating if needed, unless `mustExist`) the database file and brings its schema up to date. */
  static open(file: string, options: { mustExist?: boolean } = {}): SqliteStore {
    if (options.mustExist && (file === ':memory:' || !existsSync(file))) {
      throw new Error(`no database at ${file}: load data first, or set DATABASE_URL`);
    }
    if (file !== ':memory:') makeDatabaseDirectory(file);
    return reading(file, () => {
      const db = openConnection(file);
      try {
        migrate(db);
      } finally {
        db.close();
      }
      return new SqliteStore(file);
    });
  }

  dataVersion(): Promise<string> {
    return this.version.current();
  }

  async latestDay(): Promise<Day | null> {
    const day = this.reading(() => this.read.latestDay.get());
    return day === null || day === undefined ? null : dayFromNumber(day);
  }

  async loadedDays(): Promise<LoadedDay[]> {
    return this.reading(() => this.read.loadedDays.all()).map((row) => ({
      day: dayFromNumber(row.day),
      source: row.source,
      loadedAt: row.loaded_at,
      packages: row.packages,
      rows: row.rows,
      summary: row.summary ? JSON.parse(row.summary) : null,
    }));
  }

  async hasPackage(name: string): Promise<boolean> {
    return this.reading(() => this.read.hasData.get(name)) === 1;
  }

  private readBlocks(name: string, table: BlockTable, start: number, end: number): BlocksRead | null {
    const packageId = this.read.packageId.get(name);
    if (packageId === undefined) return null;
    const [firstLoaded, maxSeedCategoryId, dataVersion] = this.read.readState.get()!;
    const blocks = firstLoaded === null ? [] : this.read.blocks[table].all(...blockKeyRange(packageId, Math.max(start, firstLoaded), end));
    return { packageId, firstLoaded, maxSeedCategoryId, dataVersion, blocks };
  }

  private readMonths(name: string, table: BlockTable, start: number, end: number): MonthsRead | null {
    const packageId = this.read.packageId.get(name);
    if (packageId === undefined) return null;
    const [, maxSeedCategoryId, dataVersion] = this.read.readState.get()!;
    const months = this.read.months[table].all(...monthKeyRange(packageId, start, end)).map(([key, packed]) => ({ month: monthOfKey(key), packed }));
    return { packageId, maxSeedCategoryId, dataVersion, months };
  }

  monthSeries(name: string, dimension: string, range: MonthRange, only?: ReadonlySet<string>): Promise<SeriesPoint[]> {
    return this.reads.monthSeries(name, dimension, range, only);
  }

  monthCategoryTotals(name: string, dimension: string, range: MonthRange): Promise<Map<string, number>> {
    return this.reads.monthCategoryTotals(name, dimension, range);
  }

  async heldMonths(name: string): Promise<HeldMonth[]> {
    return this.reading(() => {
      const packageId = this.read.packageId.get(name);
      if (packageId === undefined) return [];
      const keys = this.read.monthKeys.all(...monthKeyRange(packageId, FIRST_MONTH_NUMBER, LAST_MONTH_NUMBER));
      const days = new Map<number, MonthDays>(
        this.read.monthDays.all().map((row) => [row.month, { month: row.month, dailyDays: row.daily_days, backfillDays: row.backfill_days }]),
      );
      return heldMonths(keys.map(monthOfKey), days);
    });
  }

  allTimeTotals(name: string): Promise<AllTimeTotals | null> {
    return this.reads.allTimeTotals(name);
  }

  async countedDays(month: string): Promise<CountedDays> {
    const number = monthNumber(month);
    const row = this.reading(() => this.read.monthDays.all().find((counted) => counted.month === number));
    return { daily: daysOfMask(number, row?.daily_days ?? 0), backfill: daysOfMask(number, row?.backfill_days ?? 0) };
  }

  replaceBackfillMonth(write: MonthWrite): Promise<{ rows: number; packages: number }> {
    return this.serialized(async () => {
      const db = this.writerConnection();
      try {
        const result = await writeBackfillMonth(db, write, newDataVersion());
        checkpoint(db);
        return result;
      } finally {
        this.version.forget();
      }
    });
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
    return Number(this.reading(() => this.read.packageCount.get()) ?? 0);
  }

  async searchPackages(prefix: string, limit: number): Promise<string[]> {
    // Every name starting with the prefix sorts between it and the prefix followed by the last code point.
    return this.reading(() => this.read.search.all(prefix, `${prefix}\u{10FFFF}`, ALL_PACKAGES, limit));
  }

  async topPackages(period: TopPeriod, limit: number): Promise<PackageDownloads[]> {
    return this.reading(() => this.read.top.all(period, limit));
  }

  async trendingPackages(period: TrendingPeriod, limit: number): Promise<TrendingPackage[]> {
    return this.reading(() => this.read.trending.all(period, limit));
  }

  async status(): Promise<StoreStatus> {
    const days = await this.loadedDays();
    const latest = days.at(-1);
    let bytes: number | null = null;
    if (this.file !== ':memory:') {
      bytes = 0;
      for (const suffix of ['', '-wal']) {
        try {
          bytes += statSync(this.file + suffix).size;
        } catch {
          // The WAL file exists only while connections are open.
        }
      }
    }
    return {
      location: this.file,
      days: days.length,
      firstDay: days[0]?.day ?? null,
      latestDay: latest?.day ?? null,
      rows: days.reduce((sum, day) => sum + day.rows, 0),
      packages:
        this.reading(() =>
          this.reader
            .prepare<[], number>(`SELECT count(*) FROM packages p WHERE ${HAS_DATA_SQL('p.id')}`)
            .pluck()
            .get(),
        ) ?? 0,
      dataVersion: await this.dataVersion(),
      bytes,
      demo: includesDemoData(days),
    };
  }

  replaceDay(write: DayWrite): Promise<DayWriteResult> {
    return this.serialized(async () => {
      const db = this.writerConnection();
      try {
        const result = await writeDay(db, write, newDataVersion());
        checkpoint(db);
        return result;
      } finally {
        // This store's readers see the write from the next dataVersion().
        this.version.forget();
      }
    });
  }

  purgeBefore(day: Day): Promise<Day[]> {
    return this.serialized(async () => {
      const db = this.writerConnection();
      const purged = db.transaction(() => {
        const purged = deleteDaysBefore(db, dayNumber(day));
        if (purged.length > 0) {
          refreshDerived(db);
          setDataVersion(db, newDataVersion());
        }
        return purged;
      }).immediate();
      this.version.forget();
      if (purged.length > 0) checkpoint(db);
      return purged;
    });
  }

  startLoad(day: Day, source: string): Promise<number> {
    return this.serialized(async () => loads.startLoad(this.writerConnection(), day, source));
  }

  finishLoad(id: number, outcome: LoadOutcome): Promise<void> {
    return this.serialized(async () => loads.finishLoad(this.writerConnection(), id, outcome));
  }

  async loadHistory(limit: number): Promise<LoadRecord[]> {
    return this.reading(() => loads.loadHistory(this.reader, limit));
  }

  tryLock(name: string): Promise<StoreLock | null> {
    return this.serialized(async () => {
      const token = loads.tryLock(this.writerConnection(), name);
      if (token === null) return null;
      return { release: () => this.serialized(async () => loads.releaseLock(this.writerConnection(), name, token)) };
    });
  }

  /** A read of the file, a failure of the file itself raised as StoreUnavailableError. */
  private reading<T>(read: () => T): T {
    return reading(this.file, read);
  }

  async close(): Promise<void> {
    await this.writeQueue.catch(() => undefined);
    this.writer?.close();
    this.accounts.close();
    this.reader.close();
  }

  /** One write at a time: a day's transaction spans awaits while its rows stream in. */
  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writeQueue.then(work, work);
    this.writeQueue = next.catch(() => undefined);
    return next;
  }

  private writerConnection(): Connection {
    if (!this.writer) {
      this.writer = openConnection(this.file);
      this.writer.pragma('cache_size = -262144');
      // A day rewrites every package's current block, so its transaction passes hundreds of MB
      // through the WAL; once checkpointed, the file is cut back rather than kept at its peak.
      this.writer.pragma(`journal_size_limit = ${WAL_KEPT_BYTES}`);
    }
    return this.writer;
  }
}
