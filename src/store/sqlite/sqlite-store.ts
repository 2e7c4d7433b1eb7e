import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { dayFromNumber, dayNumber, type Day } from '../../domain/dates.js';
import { WITHOUT_MIRRORS } from '../../domain/dimensions.js';
import { includesDemoData } from '../../domain/demo.js';
import { ALL_PACKAGES } from '../../domain/names.js';
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
  TopPackages,
} from '../types.js';
import { StoreUnavailableError, TOP_PERIODS } from '../types.js';
import * as loads from './loads.js';
import { HAS_DATA_SQL, RECENT_DAYS, refreshDerived } from './derived.js';
import { migrations } from './migrations.js';
import { dayEntry, packDownloads, withoutDays } from '../packed-downloads.js';
import { daysHiddenBy, daysToRead, FIRST_DAY_NUMBER, LAST_DAY_NUMBER, categoryTotals, recentDownloads, recentStart, seriesPoints, type PackageDaysRead } from '../package-days-read.js';
import { CategoryIndex } from '../category-index.js';
import { BLOCK_OF_KEY_SQL, blockKey, blockKeyRange, blockOf } from './block-keys.js';

type Connection = Database.Database;

const VERSION_CHECK_MS = 1000;
/** What the WAL file keeps of its size between writes. */
const WAL_KEPT_BYTES = 64 * 1024 * 1024;
/**
 * How long the checkpoint after a write waits for readers still on the WAL's old frames. The
 * API's reads are single statements (milliseconds), so this is many times the longest of them;
 * a reader holding a snapshot longer (another process's open transaction) only defers the
 * truncation to the next write's checkpoint.
 */
const CHECKPOINT_WAIT_MS = 2000;
const BUSY_TIMEOUT_MS = 10_000;

function newDataVersion(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Failures of the file rather than of the request: locked by another process past the busy
 * timeout (a long exclusive lock, a recovery), or an I/O error. A read that meets one is
 * unavailable, as with a PostgreSQL server that is down.
 */
const UNAVAILABLE_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_PROTOCOL', 'SQLITE_CANTOPEN'];

function reading<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.some((unavailable) => code.startsWith(unavailable))) {
      throw new StoreUnavailableError(`the database is unavailable (SQLite file ${file}): ${(error as Error).message} (${code})`, { cause: error });
    }
    throw error;
  }
}

function openConnection(file: string): Connection {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}

function migrate(db: Connection): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > migrations.length) {
    throw new Error(`the database was made by a newer version of pypistats (schema ${applied}, this one knows ${migrations.length})`);
  }
  for (let version = applied; version < migrations.length; version++) {
    db.transaction(() => {
      const migration = migrations[version]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      if (version === 0) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('data_version', newDataVersion());
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/**
 * The embedded store: one SQLite file. Reads and writes use separate connections, so the API in
 * the same process as a load keeps reading the last committed state (WAL) while a day is written.
 */
export class SqliteStore implements Store {
  private readonly reader: Connection;
  private writer: Connection | null = null;
  private writeQueue: Promise<unknown> = Promise.resolve();
  private readonly categories = new CategoryIndex();
  private version: string | null = null;
  private versionCheckedAt = 0;
  private readonly read;

  private constructor(private readonly file: string) {
    this.reader = openConnection(file);
    // Reads of packages not yet cached (a crawler's) map the file instead of a read() per page.
    this.reader.pragma('mmap_size = 8589934592');
    this.reader.pragma('cache_size = -65536');
    this.read = {
      dataVersion: this.reader.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'data_version'").pluck(),
      latestDay: this.reader.prepare<[], number | null>('SELECT max(day) FROM loaded_days').pluck(),
      // What a read of packed days needs besides the blocks: where loaded days start, and whether new categories came.
      readState: this.reader.prepare<[], [number | null, number | null]>('SELECT (SELECT min(day) FROM loaded_days), (SELECT max(id) FROM categories)').raw(),
      packageId: this.reader.prepare<[string], number>('SELECT id FROM packages WHERE name = ?').pluck(),
      hasData: this.reader.prepare<[string], number>(`SELECT ${HAS_DATA_SQL('p.id')} FROM packages p WHERE p.name = ?`).pluck(),
      blocks: this.reader.prepare<[number, number], Buffer>('SELECT days FROM package_blocks WHERE key BETWEEN ? AND ?').pluck(),
      categories: this.reader.prepare<[], { id: number; dimension: string; name: string }>('SELECT id, dimension, name FROM categories'),
      packageCount: this.reader.prepare<[], string>("SELECT value FROM meta WHERE key = 'package_count'").pluck(),
      search: this.reader
        .prepare<[string, string, string, number], string>(
          `SELECT name FROM packages p WHERE name >= ? AND name < ? AND name != ?
             AND ${HAS_DATA_SQL('p.id')} ORDER BY name LIMIT ?`,
        )
        .pluck(),
      top: this.reader.prepare<[string, number], { package: string; downloads: number }>(
        'SELECT p.name AS package, t.downloads FROM top_packages t JOIN packages p ON p.id = t.package_id WHERE t.period = ? ORDER BY t.rank LIMIT ?',
      ),
      loadedDays: this.reader.prepare<[], { day: number; source: string; loaded_at: string; packages: number; rows: number; summary: string | null }>(
        'SELECT day, source, loaded_at, packages, rows, summary FROM loaded_days ORDER BY day',
      ),
    };
  }

  /** Opens (creating if needed, unless `mustExist`) the database file and brings its schema up to date. */
  static open(file: string, options: { mustExist?: boolean } = {}): SqliteStore {
    if (options.mustExist && (file === ':memory:' || !existsSync(file))) {
      throw new Error(`no database at ${file}: load data first, or set DATABASE_URL`);
    }
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
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

  /**
   * Asked on every API request, so it is read from the file at most every VERSION_CHECK_MS: a load
   * by another process shows within that time, one by this store at once.
   */
  async dataVersion(): Promise<string> {
    const now = performance.now();
    if (this.version === null || now - this.versionCheckedAt >= VERSION_CHECK_MS) {
      this.version = this.reading(() => this.read.dataVersion.get() as unknown as string);
      this.versionCheckedAt = now;
    }
    return this.version;
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

  /** The package's blocks holding days `start` to `end`, with what a reader needs to decode them. */
  private readDays(name: string, dimension: string, start: number, end: number): PackageDaysRead | null {
    return this.reading(() => this.readDaysOf(name, dimension, start, end));
  }

  private readDaysOf(name: string, dimension: string, start: number, end: number): PackageDaysRead | null {
    const id = this.read.packageId.get(name);
    if (id === undefined) return null;
    const [first, maxCategoryId] = this.read.readState.get()!;
    const days = daysToRead(start, end, first);
    if (!days) return null;
    if (this.categories.isBehind(maxCategoryId)) this.categories.load(this.read.categories.all());
    return { blocks: this.read.blocks.all(...blockKeyRange(id, days.from, days.to)), ...days, categories: this.categories.of(dimension) };
  }

  async series(name: string, dimension: string, range: SeriesRange, only?: ReadonlySet<string>): Promise<SeriesPoint[]> {
    return seriesPoints(this.readRange(name, dimension, range), only);
  }

  async categoryTotals(name: string, dimension: string, range: SeriesRange): Promise<Map<string, number>> {
    return categoryTotals(this.readRange(name, dimension, range));
  }

  private readRange(name: string, dimension: string, range: SeriesRange) {
    const start = range.start ? dayNumber(range.start) : FIRST_DAY_NUMBER;
    const end = range.end ? dayNumber(range.end) : LAST_DAY_NUMBER;
    return this.readDays(name, dimension, start, end);
  }

  async recent(name: string, latestDay: Day, options: { mirrors?: boolean } = {}): Promise<RecentDownloads> {
    const latest = dayNumber(latestDay);
    return recentDownloads(this.readDays(name, 'overall', recentStart(latest), latest), latest, options.mirrors);
  }

  async packageCount(): Promise<number> {
    return Number(this.reading(() => this.read.packageCount.get()) ?? 0);
  }

  async searchPackages(prefix: string, limit: number): Promise<string[]> {
    // Every name starting with the prefix sorts between it and the prefix followed by the last code point.
    return this.reading(() => this.read.search.all(prefix, `${prefix}\u{10FFFF}`, ALL_PACKAGES, limit));
  }

  async topPackages(limit: number): Promise<TopPackages> {
    const periods = Object.keys(TOP_PERIODS) as (keyof TopPackages)[];
    return Object.fromEntries(this.reading(() => periods.map((period) => [period, this.read.top.all(period, limit)]))) as unknown as TopPackages;
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
    return this.serialized(() => this.writeDay(write));
  }

  purgeBefore(day: Day): Promise<Day[]> {
    return this.serialized(async () => {
      const db = this.writerConnection();
      const purged = db.transaction(() => {
        const purged = this.deleteDaysBefore(db, dayNumber(day));
        if (purged.length > 0) {
          refreshDerived(db);
          this.bumpDataVersion(db);
        }
        return purged;
      }).immediate();
      if (purged.length > 0) this.checkpoint(db);
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

  private async writeDay(write: DayWrite): Promise<DayWriteResult> {
    const db = this.writerConnection();
    const day = dayNumber(write.day);
    const packageIds = new Map<string, number>();
    const categoryIds = new Map<string, number>();
    const selectPackage = db.prepare<[string], number>('SELECT id FROM packages WHERE name = ?').pluck();
    const insertPackage = db.prepare<[string]>('INSERT INTO packages (name) VALUES (?)');
    const selectCategory = db.prepare<[string, string], number>('SELECT id FROM categories WHERE dimension = ? AND name = ?').pluck();
    const insertCategory = db.prepare<[string, string]>('INSERT INTO categories (dimension, name) VALUES (?, ?)');
    // `||` gives text; the cast takes its bytes back as they were.
    const appendEntry = db.prepare<[number, number, Buffer]>(
      `INSERT INTO package_blocks (key, last_day, days) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET days = CAST(days || excluded.days AS BLOB), last_day = max(last_day, excluded.last_day)`,
    );
    const insertPackageDay = db.prepare<[number, number, number]>('INSERT INTO package_days (day, package_id, downloads) VALUES (?, ?, ?)');

    const packageId = (name: string): number => {
      let id = packageIds.get(name);
      if (id === undefined) {
        id = selectPackage.get(name) ?? Number(insertPackage.run(name).lastInsertRowid);
        packageIds.set(name, id);
      }
      return id;
    };
    const categoryId = (dimension: string, name: string): number => {
      const key = `${dimension}\u0000${name}`;
      let id = categoryIds.get(key);
      if (id === undefined) {
        id = selectCategory.get(dimension, name) ?? Number(insertCategory.run(dimension, name).lastInsertRowid);
        categoryIds.set(key, id);
      }
      return id;
    };

    db.exec('BEGIN IMMEDIATE');
    try {
      this.removeEntriesHiddenBy(db, day);
      let rows = 0;
      // A package's categories may come in any order and any chunk: gathered, then packed.
      const pairsByPackage = new Map<number, number[]>();
      for await (const chunk of write.rows) {
        for (const row of chunk) {
          const id = packageId(row.package);
          let pairs = pairsByPackage.get(id);
          if (!pairs) pairsByPackage.set(id, (pairs = []));
          pairs.push(categoryId(row.dimension, row.category), row.downloads);
        }
        rows += chunk.length;
      }
      const withoutMirrors = categoryId('overall', WITHOUT_MIRRORS);
      // In key order, so the appends walk the table from one end to the other.
      for (const id of [...pairsByPackage.keys()].sort((a, b) => a - b)) {
        const pairs = pairsByPackage.get(id)!;
        appendEntry.run(blockKey(id, day), day, dayEntry(day, packDownloads(pairs)));
        let downloads = 0;
        for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === withoutMirrors) downloads = pairs[i + 1]!;
        insertPackageDay.run(day, id, downloads);
      }
      db.prepare('INSERT INTO loaded_days (day, source, loaded_at, packages, rows, summary) VALUES (?, ?, ?, ?, ?, ?)').run(
        day,
        write.source,
        new Date().toISOString(),
        packageIds.size,
        rows,
        write.summary ? JSON.stringify(write.summary) : null,
      );
      const purgedDays = write.purgeBefore ? this.deleteDaysBefore(db, dayNumber(write.purgeBefore)) : [];
      db.prepare(`DELETE FROM package_days WHERE day <= (SELECT max(day) FROM loaded_days) - ${RECENT_DAYS}`).run();
      refreshDerived(db);
      this.bumpDataVersion(db);
      if (write.attempt) loads.recordSuccess(db, write.attempt, rows);
      db.exec('COMMIT');
      this.checkpoint(db);
      return { rows, packages: packageIds.size, purgedDays };
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * After a write, on the writing connection (a load worker's, inside `serve`): copies the WAL
   * into the file and truncates it, waiting at most CHECKPOINT_WAIT_MS for readers on its old
   * frames. A reader that outlasts the wait keeps the WAL at its size (the copy goes as far as its
   * snapshot allows); the next write appends to it, and its checkpoint tries again. The WAL thus
   * grows past one write only while a reader holds one snapshot across writes (days apart here);
   * between writes journal_size_limit keeps it at most WAL_KEPT_BYTES.
   */
  private checkpoint(db: Connection): void {
    db.pragma(`busy_timeout = ${CHECKPOINT_WAIT_MS}`);
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // The write is committed: a checkpoint that cannot run now is the next write's to do.
    } finally {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  /** Before `day` is written, the entries readers would take for it go (see daysHiddenBy). */
  private removeEntriesHiddenBy(db: Connection, day: number): void {
    const first = db.prepare<[], number | null>('SELECT min(day) FROM loaded_days').pluck().get() ?? null;
    const loaded = db.prepare<[number], number>('SELECT 1 FROM loaded_days WHERE day = ?').pluck().get(day) !== undefined;
    const hidden = daysHiddenBy(day, first, loaded);
    if (!hidden) return;
    const last = hidden[1];
    db.prepare('DELETE FROM package_days WHERE day BETWEEN ? AND ?').run(day, last);
    db.prepare('DELETE FROM loaded_days WHERE day BETWEEN ? AND ?').run(day, last);
    // Every block of those days, found by scanning the table: replacing a day is rare.
    const blocks = db
      .prepare<[number, number, number], { key: number; days: Buffer }>(
        `SELECT key, days FROM package_blocks WHERE ${BLOCK_OF_KEY_SQL} BETWEEN ? AND ? AND last_day >= ?`,
      )
      .all(blockOf(day), blockOf(last), day);
    const update = db.prepare<[number, Buffer, number]>('UPDATE package_blocks SET last_day = ?, days = ? WHERE key = ?');
    const remove = db.prepare<[number]>('DELETE FROM package_blocks WHERE key = ?');
    for (const block of blocks) {
      const kept = withoutDays(block.days, day, last);
      if (kept.lastDay === null) remove.run(block.key);
      else update.run(kept.lastDay, kept.days, block.key);
    }
  }

  /**
   * Deletes every day before `before`; gives the days deleted. Blocks wholly before it go (a scan
   * of the table, once per block of days); a block it cuts keeps its older entries, which readers
   * skip (they start at the first loaded day), until a later purge passes the block.
   */
  private deleteDaysBefore(db: Connection, before: number): Day[] {
    const days = db.prepare<[number], number>('SELECT day FROM loaded_days WHERE day < ? ORDER BY day').pluck().all(before);
    if (days.length === 0) return [];
    db.prepare('DELETE FROM loaded_days WHERE day < ?').run(before);
    db.prepare('DELETE FROM package_days WHERE day < ?').run(before);
    if (blockOf(days[0]!) < blockOf(before)) db.prepare(`DELETE FROM package_blocks WHERE ${BLOCK_OF_KEY_SQL} < ?`).run(blockOf(before));
    return days.map(dayFromNumber);
  }

  /** Inside the write's transaction; this store's readers see it from the next dataVersion(). */
  private bumpDataVersion(db: Connection): void {
    db.prepare("UPDATE meta SET value = ? WHERE key = 'data_version'").run(newDataVersion());
    this.version = null;
  }
}
