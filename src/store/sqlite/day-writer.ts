/**
 * Replacing one day in SQLite: the day's rows gathered per package (../day-rows.ts), packed, and
 * appended to each package's block of days (see ./migrations.ts), in one transaction with the
 * removal of the day's previous entries, the purge and the derived tables. The reader connection
 * sees the old day or the new one (WAL), never a mix.
 */
import { dayFromNumber, dayNumber, type Day } from '../../domain/dates.js';
import { downloadsWithoutMirrors, gatherDay, numberBreakdown, withoutMirrorsCategory, type PackageCategory } from '../day-rows.js';
import { dayEntry, entryOfDay, packDownloads, withoutDays } from '../packed-downloads.js';
import { dayBit, monthOfDayNumber } from '../../domain/months.js';
import { dailyDayInMonth, MONTH_SOURCE_CODE, monthSums, type MonthSums } from '../months.js';
import { daysHiddenBy } from '../package-days-read.js';
import type { DayWrite, DayWriteResult } from '../types.js';
import { BLOCK_OF_KEY_SQL, blockKey, blockOf, monthKey, packageOfKey } from './block-keys.js';
import type { Connection } from './connection.js';
import { RECENT_DAYS, refreshDerived } from './derived.js';
import * as loads from './loads.js';

/** The tables of blocks of days, all keyed and laid out alike (see block-keys.ts). */
const BLOCK_TABLES = ['package_blocks', 'package_breakdown_blocks'] as const;

/**
 * The id of a seed category (global ids, table `categories`), made on first sight; looked up once
 * per write and kept for the rest of it.
 */
export function seedCategoryIds(db: Connection): (dimension: string, name: string) => number {
  const selectCategory = db.prepare<[string, string], number>('SELECT id FROM categories WHERE dimension = ? AND name = ?').pluck();
  const insertCategory = db.prepare<[string, string]>('INSERT INTO categories (dimension, name) VALUES (?, ?)');
  const categoryIds = new Map<string, number>();
  return (dimension, name) => {
    const key = `${dimension}\u0000${name}`;
    let id = categoryIds.get(key);
    if (id === undefined) {
      id = selectCategory.get(dimension, name) ?? Number(insertCategory.run(dimension, name).lastInsertRowid);
      categoryIds.set(key, id);
    }
    return id;
  };
}

export async function writeDay(db: Connection, write: DayWrite, dataVersion: string): Promise<DayWriteResult> {
  const day = dayNumber(write.day);
  const selectPackage = db.prepare<[string], number>('SELECT id FROM packages WHERE name = ?').pluck();
  const insertPackage = db.prepare<[string]>('INSERT INTO packages (name) VALUES (?)');
  // `||` gives text; the cast takes its bytes back as they were.
  const appendEntry = db.prepare<[number, number, Buffer]>(
    `INSERT INTO package_blocks (key, last_day, days) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET days = CAST(days || excluded.days AS BLOB), last_day = max(last_day, excluded.last_day)`,
  );
  const appendBreakdownEntry = db.prepare<[number, number, Buffer]>(
    `INSERT INTO package_breakdown_blocks (key, last_day, days) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET days = CAST(days || excluded.days AS BLOB), last_day = max(last_day, excluded.last_day)`,
  );
  const packageCategories = db.prepare<[number], PackageCategory>('SELECT id, dimension, name FROM package_categories WHERE package_id = ?').raw();
  const insertPackageCategory = db.prepare<[number, number, string, string]>('INSERT INTO package_categories (package_id, id, dimension, name) VALUES (?, ?, ?, ?)');
  const insertPackageDay = db.prepare<[number, number, number]>('INSERT INTO package_days (day, package_id, downloads) VALUES (?, ?, ?)');

  const seedCategoryId = seedCategoryIds(db);

  const month = monthOfDayNumber(day);
  const readMonth = db.prepare<[number], { seed: Buffer; breakdown: Buffer }>('SELECT seed, breakdown FROM package_months WHERE key = ?');
  const putMonth = db.prepare<[number, Buffer, Buffer]>(
    'INSERT INTO package_months (key, seed, breakdown) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET seed = excluded.seed, breakdown = excluded.breakdown',
  );
  const deleteMonth = db.prepare<[number]>('DELETE FROM package_months WHERE key = ?');
  /** The package's daily month, as the day's write leaves it: the old day's entries off, the new ones on. */
  const monthOf = (packageId: number): MonthSums => {
    const row = readMonth.get(monthKey(packageId, month, MONTH_SOURCE_CODE.daily));
    const sums = monthSums(row?.seed, row?.breakdown);
    const old = replaced.entries.get(packageId);
    if (old?.seed) sums.seed.add(old.seed, -1);
    if (old?.breakdown) sums.breakdown.add(old.breakdown, -1);
    return sums;
  };
  const writeMonth = (packageId: number, sums: MonthSums): void => {
    const key = monthKey(packageId, month, MONTH_SOURCE_CODE.daily);
    const seed = sums.seed.pack();
    const breakdown = sums.breakdown.pack();
    if (seed.length === 0 && breakdown.length === 0) deleteMonth.run(key);
    else putMonth.run(key, seed, breakdown);
  };

  db.exec('BEGIN IMMEDIATE');
  let replaced: ReplacedDay = { loaded: false, entries: new Map() };
  try {
    replaced = removeEntriesHiddenBy(db, day);
    const monthCounts = countDayInMonth(db, day, replaced.loaded, write.day);
    const gathered = await gatherDay(write.rows, seedCategoryId);
    const withoutMirrors = withoutMirrorsCategory(seedCategoryId) as number;
    const packageIds = new Map<string, number>();
    for (const name of gathered.packages.keys()) packageIds.set(name, selectPackage.get(name) ?? Number(insertPackage.run(name).lastInsertRowid));
    // In key order, so the appends walk the table from one end to the other.
    for (const [name, id] of [...packageIds].sort((a, b) => a[1] - b[1])) {
      const { seedPairs, breakdown } = gathered.packages.get(name)!;
      const sums = monthOf(id);
      if (seedPairs.length > 0) appendEntry.run(blockKey(id, day), day, dayEntry(day, packDownloads(seedPairs)));
      sums.seed.addPairs(seedPairs);
      if (breakdown.length > 0) {
        const pairs = numberBreakdown(breakdown, packageCategories.all(id), (categoryId, row) => {
          insertPackageCategory.run(id, categoryId, row.dimension, row.category);
        });
        appendBreakdownEntry.run(blockKey(id, day), day, dayEntry(day, packDownloads(pairs)));
        sums.breakdown.addPairs(pairs);
      }
      if (monthCounts) writeMonth(id, sums);
      insertPackageDay.run(day, id, downloadsWithoutMirrors(seedPairs, withoutMirrors));
    }
    // Packages the day held before and holds no more: their old downloads leave the month.
    const written = new Set(packageIds.values());
    if (monthCounts) for (const id of replaced.entries.keys()) if (!written.has(id)) writeMonth(id, monthOf(id));
    db.prepare('INSERT INTO loaded_days (day, source, loaded_at, packages, rows, summary) VALUES (?, ?, ?, ?, ?, ?)').run(
      day,
      write.source,
      new Date().toISOString(),
      packageIds.size,
      gathered.rows,
      write.summary ? JSON.stringify(write.summary) : null,
    );
    const purgedDays = write.purgeBefore ? deleteDaysBefore(db, dayNumber(write.purgeBefore)) : [];
    db.prepare(`DELETE FROM package_days WHERE day <= (SELECT max(day) FROM loaded_days) - ${RECENT_DAYS}`).run();
    refreshDerived(db);
    setDataVersion(db, dataVersion);
    if (write.attempt) loads.recordSuccess(db, write.attempt, gathered.rows);
    db.exec('COMMIT');
    return { rows: gathered.rows, packages: packageIds.size, purgedDays };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** A day's entries as it was loaded before (by package id), read as they are stripped: what its month takes off. */
interface ReplacedDay {
  loaded: boolean;
  entries: Map<number, { seed?: Buffer; breakdown?: Buffer }>;
}

/** Marks the day counted in its month's daily days; whether the day's downloads go into its month (see dailyDayInMonth). */
function countDayInMonth(db: Connection, day: number, loaded: boolean, date: string): boolean {
  const month = monthOfDayNumber(day);
  const bit = dayBit(day);
  const row = db.prepare<[number], { daily_days: number; backfill_days: number }>('SELECT daily_days, backfill_days FROM months WHERE month = ?').get(month);
  const current = row ? { month, dailyDays: row.daily_days, backfillDays: row.backfill_days } : undefined;
  const next = dailyDayInMonth(current, month, bit, loaded, date);
  db.prepare('INSERT INTO months (month, daily_days, backfill_days) VALUES (?, ?, ?) ON CONFLICT (month) DO UPDATE SET daily_days = excluded.daily_days').run(
    month,
    next.days.dailyDays,
    next.days.backfillDays,
  );
  return next.counts;
}

/** Before `day` is written, the entries readers would take for it go (see daysHiddenBy). */
function removeEntriesHiddenBy(db: Connection, day: number): ReplacedDay {
  const first = db.prepare<[], number | null>('SELECT min(day) FROM loaded_days').pluck().get() ?? null;
  const loaded = db.prepare<[number], number>('SELECT 1 FROM loaded_days WHERE day = ?').pluck().get(day) !== undefined;
  const replaced: ReplacedDay = { loaded, entries: new Map() };
  const hidden = daysHiddenBy(day, first, loaded);
  if (!hidden) return replaced;
  const last = hidden[1];
  db.prepare('DELETE FROM package_days WHERE day BETWEEN ? AND ?').run(day, last);
  db.prepare('DELETE FROM loaded_days WHERE day BETWEEN ? AND ?').run(day, last);
  for (const table of BLOCK_TABLES) {
    // Every block of those days, found by scanning the table: replacing a day is rare.
    const blocks = db
      .prepare<[number, number, number], { key: number; days: Buffer }>(
        `SELECT key, days FROM ${table} WHERE ${BLOCK_OF_KEY_SQL} BETWEEN ? AND ? AND last_day >= ?`,
      )
      .all(blockOf(day), blockOf(last), day);
    const update = db.prepare<[number, Buffer, number]>(`UPDATE ${table} SET last_day = ?, days = ? WHERE key = ?`);
    const remove = db.prepare<[number]>(`DELETE FROM ${table} WHERE key = ?`);
    const side = table === 'package_blocks' ? 'seed' : 'breakdown';
    for (const block of blocks) {
      const old = loaded ? entryOfDay(block.days, day) : null;
      if (old) {
        const id = packageOfKey(block.key);
        const entries = replaced.entries.get(id) ?? {};
        entries[side] = Buffer.from(old);
        replaced.entries.set(id, entries);
      }
      const kept = withoutDays(block.days, day, last);
      if (kept.lastDay === null) remove.run(block.key);
      else update.run(kept.lastDay, kept.days, block.key);
    }
  }
  return replaced;
}

/**
 * Deletes every day before `before` (inside the caller's transaction); gives the days deleted.
 * Blocks wholly before it go (a scan of the table, once per block of days); a block it cuts keeps
 * its older entries, which readers skip (they start at the first loaded day), until a later
 * purge passes the block.
 */
export function deleteDaysBefore(db: Connection, before: number): Day[] {
  const days = db.prepare<[number], number>('SELECT day FROM loaded_days WHERE day < ? ORDER BY day').pluck().all(before);
  if (days.length === 0) return [];
  db.prepare('DELETE FROM loaded_days WHERE day < ?').run(before);
  db.prepare('DELETE FROM package_days WHERE day < ?').run(before);
  if (blockOf(days[0]!) < blockOf(before)) {
    for (const table of BLOCK_TABLES) db.prepare(`DELETE FROM ${table} WHERE ${BLOCK_OF_KEY_SQL} < ?`).run(blockOf(before));
  }
  return days.map(dayFromNumber);
}

/** Inside the write's transaction. */
export function setDataVersion(db: Connection, dataVersion: string): void {
  db.prepare("UPDATE meta SET value = ? WHERE key = 'data_version'").run(dataVersion);
}
