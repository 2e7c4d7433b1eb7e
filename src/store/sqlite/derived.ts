/**
 * Tables derived from the day rows, refreshed in the transaction that changes those rows, so they
 * never disagree with them: the number of packages with data, and the top and trending packages
 * per period (../derived-lists.ts).
 */
import type Database from 'better-sqlite3';
import { ALL_PACKAGES } from '../../domain/names.js';
import { topStatements, trendingStatements } from '../derived-lists.js';
import { PACKAGE_DAYS_KEPT } from '../types.js';
import { PACKAGE_KEYS_SQL } from './block-keys.js';

/** `package_days` keeps the days the top packages are summed over. */
export const RECENT_DAYS = PACKAGE_DAYS_KEPT;

/** SQL true when package `idColumn` has an entry on a loaded day (a purge may leave older ones). */
export const HAS_DATA_SQL = (idColumn: string) =>
  `EXISTS (SELECT 1 FROM package_blocks b WHERE b.key ${PACKAGE_KEYS_SQL(idColumn)} AND b.last_day >= (SELECT min(day) FROM loaded_days))`;

export function refreshDerived(db: Database.Database): void {
  const latest = db.prepare<[], number | null>('SELECT max(day) FROM loaded_days').pluck().get() ?? null;
  db.exec('DELETE FROM top_packages; DELETE FROM trending_packages;');
  if (latest !== null) {
    const firstLoaded = db.prepare<[], number>('SELECT min(day) FROM loaded_days').pluck().get()!;
    // better-sqlite3 takes no numbered `?NNN`: named parameters stand for the positions.
    const at = (position: number) => `@p${position}`;
    for (const { sql, values } of [...topStatements(latest, at, 'p.name'), ...trendingStatements(latest, firstLoaded, at, 'p.name')]) {
      db.prepare(sql).run(Object.fromEntries(values.map((value, i) => [`p${i + 1}`, value])));
    }
  }
  const packages = db
    .prepare<[string], number>(`SELECT count(*) FROM packages p WHERE p.name != ? AND ${HAS_DATA_SQL('p.id')}`)
    .pluck()
    .get(ALL_PACKAGES);
  db.prepare("INSERT INTO meta (key, value) VALUES ('package_count', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(packages ?? 0));
}
