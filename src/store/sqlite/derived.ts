/**
 * Tables derived from the day rows, refreshed in the transaction that changes those rows, so they
 * never disagree with them: the number of packages with data and the top packages per period.
 */
import type Database from 'better-sqlite3';
import { ALL_PACKAGES } from '../../domain/names.js';
import { TOP_PACKAGES_KEPT, TOP_PERIODS } from '../types.js';
import { PACKAGE_KEYS_SQL } from './block-keys.js';

/** `package_days` keeps the days the top packages are summed over. */
export const RECENT_DAYS = TOP_PERIODS.month;

/** SQL true when package `idColumn` has an entry on a loaded day (a purge may leave older ones). */
export const HAS_DATA_SQL = (idColumn: string) =>
  `EXISTS (SELECT 1 FROM package_blocks b WHERE b.key ${PACKAGE_KEYS_SQL(idColumn)} AND b.last_day >= (SELECT min(day) FROM loaded_days))`;

export function refreshDerived(db: Database.Database): void {
  const latest = db.prepare<[], number | null>('SELECT max(day) FROM loaded_days').pluck().get() ?? null;
  db.exec('DELETE FROM top_packages');
  if (latest !== null) {
    const insert = db.prepare<[string, number, number, string, number]>(
      `INSERT INTO top_packages (period, rank, package_id, downloads)
       SELECT ?, row_number() OVER (ORDER BY total DESC, p.name), t.package_id, t.total
       FROM (SELECT package_id, sum(downloads) AS total FROM package_days WHERE day BETWEEN ? AND ? GROUP BY package_id) t
       JOIN packages p ON p.id = t.package_id
       WHERE p.name != ? AND t.total > 0
       ORDER BY t.total DESC, p.name
       LIMIT ?`,
    );
    for (const [period, days] of Object.entries(TOP_PERIODS)) insert.run(period, latest - days + 1, latest, ALL_PACKAGES, TOP_PACKAGES_KEPT);
  }
  const packages = db
    .prepare<[string], number>(`SELECT count(*) FROM packages p WHERE p.name != ? AND ${HAS_DATA_SQL('p.id')}`)
    .pluck()
    .get(ALL_PACKAGES);
  db.prepare("INSERT INTO meta (key, value) VALUES ('package_count', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(packages ?? 0));
}
