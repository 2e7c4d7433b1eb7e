/**
 * Tables derived from the day rows, refreshed in the transaction that changes those rows (as in
 * ../sqlite/derived.ts): the number of packages with data, and the top and trending packages per
 * period (../derived-lists.ts).
 */
import type { PoolClient } from 'pg';
import { ALL_PACKAGES } from '../../domain/names.js';
import { topStatements, trendingStatements } from '../derived-lists.js';

export async function refreshDerived(client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ latest: number | null; first: number | null }>('SELECT max(day) AS latest, min(day) AS first FROM loaded_days');
  const latest = rows[0]?.latest ?? null;
  await client.query('DELETE FROM top_packages');
  await client.query('DELETE FROM trending_packages');
  if (latest !== null) {
    const at = (position: number) => `$${position}`;
    // "C": code-point order, as SQLite's; the default collation would ignore the `-` of a name.
    const nameOrder = 'p.name COLLATE "C"';
    for (const { sql, values } of [...topStatements(latest, at, nameOrder), ...trendingStatements(latest, rows[0]!.first!, at, nameOrder)]) {
      await client.query(sql, values);
    }
  }
  // One pass over the blocks: probing them once per package took seconds at PyPI scale.
  await client.query(
    `INSERT INTO meta (key, value)
     SELECT 'package_count', count(*)::text
     FROM (SELECT DISTINCT package_id FROM package_blocks WHERE last_day >= (SELECT min(day) FROM loaded_days)) b
     JOIN packages p ON p.id = b.package_id
     WHERE p.name <> $1
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [ALL_PACKAGES],
  );
}
