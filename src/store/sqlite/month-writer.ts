/**
 * Writing a month's backfilled part in SQLite (see ../months.ts): its rows gathered per package as
 * a day's are (../day-rows.ts, the same category ids), each package's month packed into one row
 * of `package_months` (source backfill), in one transaction with the removal of the month's
 * previous backfill and its mask of days.
 */
import { monthNumber } from '../../domain/months.js';
import { gatherDay, numberBreakdown, type PackageCategory } from '../day-rows.js';
import { backfillMask, MONTH_SOURCE_CODE } from '../months.js';
import { packDownloads } from '../packed-downloads.js';
import type { MonthWrite } from '../types.js';
import { monthKey } from './block-keys.js';
import type { Connection } from './connection.js';
import { seedCategoryIds, setDataVersion } from './day-writer.js';

/** SQL of a `package_months` key's month and source part (see monthKey). */
const MONTH_PART_SQL = `(key % ${2 ** 27})`;

export async function writeBackfillMonth(db: Connection, write: MonthWrite, dataVersion: string): Promise<{ rows: number; packages: number }> {
  const month = monthNumber(write.month);
  const selectPackage = db.prepare<[string], number>('SELECT id FROM packages WHERE name = ?').pluck();
  const insertPackage = db.prepare<[string]>('INSERT INTO packages (name) VALUES (?)');
  const packageCategories = db.prepare<[number], PackageCategory>('SELECT id, dimension, name FROM package_categories WHERE package_id = ?').raw();
  const insertPackageCategory = db.prepare<[number, number, string, string]>('INSERT INTO package_categories (package_id, id, dimension, name) VALUES (?, ?, ?, ?)');
  const insertMonth = db.prepare<[number, Buffer, Buffer]>('INSERT INTO package_months (key, seed, breakdown) VALUES (?, ?, ?)');
  const seedCategoryId = seedCategoryIds(db);

  db.exec('BEGIN IMMEDIATE');
  try {
    const row = db.prepare<[number], { daily_days: number; backfill_days: number }>('SELECT daily_days, backfill_days FROM months WHERE month = ?').get(month);
    const mask = backfillMask(write.month, write.days, row ? { month, dailyDays: row.daily_days, backfillDays: row.backfill_days } : undefined);
    // Every package's backfill of the month, when an earlier backfill wrote one: a scan of the table.
    if (row && row.backfill_days !== 0) db.prepare(`DELETE FROM package_months WHERE ${MONTH_PART_SQL} = ?`).run(monthKey(0, month, MONTH_SOURCE_CODE.backfill));
    const gathered = await gatherDay(write.rows, seedCategoryId);
    const ids: [number, string][] = [];
    for (const name of gathered.packages.keys()) ids.push([selectPackage.get(name) ?? Number(insertPackage.run(name).lastInsertRowid), name]);
    for (const [id, name] of ids.sort((a, b) => a[0] - b[0])) {
      const { seedPairs, breakdown } = gathered.packages.get(name)!;
      const pairs = numberBreakdown(breakdown, packageCategories.all(id), (categoryId, added) => {
        insertPackageCategory.run(id, categoryId, added.dimension, added.category);
      });
      insertMonth.run(monthKey(id, month, MONTH_SOURCE_CODE.backfill), packDownloads(seedPairs), packDownloads(pairs));
    }
    db.prepare('INSERT INTO months (month, daily_days, backfill_days) VALUES (?, 0, ?) ON CONFLICT (month) DO UPDATE SET backfill_days = excluded.backfill_days').run(month, mask);
    setDataVersion(db, dataVersion);
    db.exec('COMMIT');
    return { rows: gathered.rows, packages: ids.length };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
