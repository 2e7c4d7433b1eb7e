/**
 * Tables derived from the day rows, refreshed in the transaction that changes those rows (as in
 * ../sqlite/derived.ts): the number of packages with data and the top packages per period.
 */
import type { PoolClient } from 'pg';
import { ALL_PACKAGES } from '../../domain/names.js';
import { TOP_PACKAGES_KEPT, TOP_PERIODS } from '../types.js';

export async function refreshDerived(client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ latest: number | null }>('SELECT max(day) AS latest FROM loaded_days');
  const latest = rows[0]?.latest ?? null;
  await client.query('DELETE FROM top_packages');
  if (latest !== null) {
    for (const [period, days] of Object.entries(TOP_PERIODS)) {
      await client.query(
        `INSERT INTO top_packages (period, rank, package_id, downloads)
         SELECT $1, row_number() OVER (ORDER BY t.total DESC, p.name), t.package_id, t.total
         FROM (SELECT package_id, sum(downloads) AS total FROM package_days WHERE day BETWEEN $2 AND $3 GROUP BY package_id) t
         JOIN packages p ON p.id = t.package_id
         WHERE p.name <> $4 AND t.total > 0
         ORDER BY t.total DESC, p.name
         LIMIT $5`,
        [period, latest - days + 1, latest, ALL_PACKAGES, TOP_PACKAGES_KEPT],
      );
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
