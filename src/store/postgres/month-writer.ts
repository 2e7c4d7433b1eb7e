/**
 * Writing a month's backfilled part in PostgreSQL (see ../months.ts), as the SQLite store does:
 * the rows gathered per package with a day's category ids (./day-writer.ts's bulk numbering),
 * each package's month one row of `package_months` (source backfill), copied in, in one
 * transaction with the removal of the month's previous backfill and its mask of days.
 */
import type { PoolClient } from 'pg';
import { monthNumber } from '../../domain/months.js';
import { gatherDay } from '../day-rows.js';
import { backfillMask, MONTH_SOURCE_CODE } from '../months.js';
import { packDownloads } from '../packed-downloads.js';
import type { MonthWrite } from '../types.js';
import { ADVISORY_KEY_SQL } from './advisory-lock.js';
import { copyLines } from './copy.js';
import { packageCategoryIds, packageIdsOf, seedCategoryIds, setDataVersion } from './day-writer.js';

export async function writeBackfillMonth(client: PoolClient, write: MonthWrite, newDataVersion: string): Promise<{ rows: number; packages: number }> {
  const month = monthNumber(write.month);
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${ADVISORY_KEY_SQL('$1')})`, ['write']);
    const { rows: counted } = await client.query<{ daily_days: number; backfill_days: number }>('SELECT daily_days, backfill_days FROM months WHERE month = $1', [month]);
    const current = counted[0] ? { month, dailyDays: counted[0].daily_days, backfillDays: counted[0].backfill_days } : undefined;
    const mask = backfillMask(write.month, write.days, current);
    // A scan of the table: only when an earlier backfill of the month wrote rows to replace.
    if (current && current.backfillDays !== 0) await client.query('DELETE FROM package_months WHERE month = $1 AND source = $2', [month, MONTH_SOURCE_CODE.backfill]);
    const seedCategoryId = await seedCategoryIds(client);
    const { packages, rows } = await gatherDay(write.rows, seedCategoryId);
    const packageIds = await packageIdsOf(client, packages.keys());
    const breakdownPairs = await packageCategoryIds(client, packages, packageIds);
    const lines: string[] = [];
    for (const [name, { seedPairs }] of packages) {
      const seed = packDownloads(seedPairs).toString('hex');
      const breakdown = packDownloads(breakdownPairs.get(name) ?? []).toString('hex');
      lines.push(`${packageIds.get(name)!}\t${month}\t${MONTH_SOURCE_CODE.backfill}\t\\\\x${seed}\t\\\\x${breakdown}`);
    }
    await copyLines(client, 'package_months (package_id, month, source, seed, breakdown)', lines);
    await client.query(
      'INSERT INTO months (month, daily_days, backfill_days) VALUES ($1, 0, $2) ON CONFLICT (month) DO UPDATE SET backfill_days = excluded.backfill_days',
      [month, mask],
    );
    await setDataVersion(client, newDataVersion);
    await client.query('COMMIT');
    return { rows, packages: packages.size };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
