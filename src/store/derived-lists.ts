/**
 * The top and trending lists, ranked at load time in the transaction that writes a day (each
 * store's derived.ts runs these), so `/api/top`, `/api/trending` and the `/top` page read a few
 * rows of a ranked table instead of summing every package per request. Both stores run the same
 * statements; only their placeholders differ.
 *
 * - Top: packages by downloads without mirrors over the period's days ending at the latest day;
 *   a tie goes to the name first in code-point order, so the same data always ranks the same way.
 * - Trending: packages by growth, downloads over the period divided by downloads over the period
 *   just before it, among packages that grew and whose period before reached the floor
 *   (TRENDING_FLOOR_PER_DAY a day on average). A tie in growth goes to the package with more
 *   downloads, then to the name. A period is ranked only once the store holds the whole period
 *   before it: against a half-loaded one every package would look as if it had doubled.
 */
import { PERIOD_DAYS, TRENDING_FLOOR_PER_DAY, TRENDING_PERIODS, TOP_PERIODS, type TopPeriod, type TrendingPeriod } from '../domain/api-parameters.js';
import { ALL_PACKAGES } from '../domain/names.js';
import { TOP_PACKAGES_KEPT } from './types.js';

/** The parameter at a position: `@p1` for SQLite, `$1` for PostgreSQL. The name order is `p.name` in code-point order in each store. */
export type Placeholder = (position: number) => string;

export interface RankedStatement {
  sql: string;
  values: (string | number)[];
}

export function topStatements(latest: number, at: Placeholder, nameOrder: string): RankedStatement[] {
  return TOP_PERIODS.map((period: TopPeriod) => {
    const days = PERIOD_DAYS[period];
    return {
      sql: `INSERT INTO top_packages (period, rank, package, downloads)
       SELECT ${at(1)}, row_number() OVER (ORDER BY t.total DESC, ${nameOrder}), p.name, t.total
       FROM (SELECT package_id, sum(downloads) AS total FROM package_days WHERE day BETWEEN ${at(2)} AND ${at(3)} GROUP BY package_id) t
       JOIN packages p ON p.id = t.package_id
       WHERE p.name <> ${at(4)} AND t.total > 0
       ORDER BY t.total DESC, ${nameOrder}
       LIMIT ${at(5)}`,
      values: [period, latest - days + 1, latest, ALL_PACKAGES, TOP_PACKAGES_KEPT],
    };
  });
}

/** The trending periods whose period before is wholly in the store (its first day loaded or earlier). */
export function trendingStatements(latest: number, firstLoaded: number, at: Placeholder, nameOrder: string): RankedStatement[] {
  return TRENDING_PERIODS.filter((period) => firstLoaded <= latest - 2 * PERIOD_DAYS[period] + 1).map((period: TrendingPeriod) => {
    const days = PERIOD_DAYS[period];
    const growth = 't.current * 1.0 / t.previous';
    const order = `${growth} DESC, t.current DESC, ${nameOrder}`;
    return {
      sql: `INSERT INTO trending_packages (period, rank, package, downloads, previous)
       SELECT ${at(1)}, row_number() OVER (ORDER BY ${order}), p.name, t.current, t.previous
       FROM (SELECT package_id,
               sum(CASE WHEN day >= ${at(2)} THEN downloads ELSE 0 END) AS current,
               sum(CASE WHEN day < ${at(2)} THEN downloads ELSE 0 END) AS previous
             FROM package_days WHERE day BETWEEN ${at(3)} AND ${at(4)} GROUP BY package_id) t
       JOIN packages p ON p.id = t.package_id
       WHERE p.name <> ${at(5)} AND t.previous >= ${at(6)} AND t.current > t.previous
       ORDER BY ${order}
       LIMIT ${at(7)}`,
      values: [period, latest - days + 1, latest - 2 * days + 1, latest, ALL_PACKAGES, TRENDING_FLOOR_PER_DAY * days, TOP_PACKAGES_KEPT],
    };
  });
}

/** A period's first `limit` packages as ranked, without a join: one range of the primary key. */
export function topReadSql(at: Placeholder): string {
  return `SELECT package, downloads FROM top_packages WHERE period = ${at(1)} ORDER BY rank LIMIT ${at(2)}`;
}

export function trendingReadSql(at: Placeholder): string {
  return `SELECT package, downloads, previous FROM trending_packages WHERE period = ${at(1)} ORDER BY rank LIMIT ${at(2)}`;
}

/**
 * The ranked tables as they are since they keep the name (SQLite's migration 10, PostgreSQL's 7):
 * a table is dropped and made anew, and the store's migrate ranks it again from `package_days`.
 */
export const RANKED_TABLES_SQL = (types: { text: string; count: string; tableOptions: string }) => `
  DROP TABLE top_packages;
  DROP TABLE trending_packages;
  CREATE TABLE top_packages (
    period ${types.text} NOT NULL,
    rank integer NOT NULL,
    package ${types.text} NOT NULL,
    downloads ${types.count} NOT NULL,
    PRIMARY KEY (period, rank)
  )${types.tableOptions};
  CREATE TABLE trending_packages (
    period ${types.text} NOT NULL,
    rank integer NOT NULL,
    package ${types.text} NOT NULL,
    downloads ${types.count} NOT NULL,
    previous ${types.count} NOT NULL,
    PRIMARY KEY (period, rank)
  )${types.tableOptions};`;
