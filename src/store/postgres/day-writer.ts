/**
 * Replacing one day in PostgreSQL: the day's rows gathered per package, packed, and written with
 * COPY in one transaction with the delete of the old day, the purge and the derived tables.
 * Readers on other connections see the old day or the new one (MVCC), never a mix.
 */
import type { PoolClient } from 'pg';
import { dayFromNumber, dayNumber } from '../../domain/dates.js';
import { WITHOUT_MIRRORS } from '../../domain/dimensions.js';
import { packDownloads } from '../packed-downloads.js';
import type { DayWrite, DayWriteResult } from '../types.js';
import { copyBytea, copyLines, copyText } from './copy.js';
import { refreshDerived } from './derived.js';

/** Writers of every process queue on this (transaction-scoped) advisory lock. */
const WRITE_LOCK_KEY = 7_305_001;

export async function writeDay(client: PoolClient, write: DayWrite, newDataVersion: string): Promise<DayWriteResult> {
  const day = dayNumber(write.day);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK_KEY]);
    const categoryId = await categoryIds(client);
    // A package's categories may come in any order and any chunk: gathered, then packed.
    const pairsByPackage = new Map<string, number[]>();
    let rows = 0;
    for await (const chunk of write.rows) {
      for (const row of chunk) {
        let pairs = pairsByPackage.get(row.package);
        if (!pairs) pairsByPackage.set(row.package, (pairs = []));
        pairs.push(await categoryId(row.dimension, row.category), row.downloads);
      }
      rows += chunk.length;
    }
    const withoutMirrors = await categoryId('overall', WITHOUT_MIRRORS);
    const packageIds = await packageIdsOf(client, pairsByPackage.keys());

    await deleteDays(client, 'p.day = $1', [day]);
    const packed: [number, Buffer, number][] = [];
    for (const [name, pairs] of pairsByPackage) {
      let downloads = 0;
      for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === withoutMirrors) downloads = pairs[i + 1]!;
      packed.push([packageIds.get(name)!, packDownloads(pairs), downloads]);
    }
    packed.sort((a, b) => a[0] - b[0]);
    await copyLines(client, 'daily (package_id, day, downloads)', (function* () {
      for (const [id, blob] of packed) yield `${id}\t${day}\t${copyBytea(blob)}`;
    })());
    await copyLines(client, 'package_days (day, package_id, downloads)', (function* () {
      for (const [id, , downloads] of packed) yield `${day}\t${id}\t${downloads}`;
    })());
    await client.query('INSERT INTO loaded_days (day, source, loaded_at, packages, rows, summary) VALUES ($1, $2, now(), $3, $4, $5)', [
      day,
      write.source,
      pairsByPackage.size,
      rows,
      write.summary ? JSON.stringify(write.summary) : null,
    ]);
    const purgedDays = write.purgeBefore ? await purgeDaysBefore(client, dayNumber(write.purgeBefore)) : [];
    await refreshDerived(client);
    await setDataVersion(client, newDataVersion);
    await client.query('COMMIT');
    return { rows, packages: pairsByPackage.size, purgedDays: purgedDays.map(dayFromNumber) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Deletes every day before `before` (inside the caller's transaction); gives the days deleted. */
export async function purgeDaysBefore(client: PoolClient, before: number): Promise<number[]> {
  const { rows } = await client.query<{ day: number }>(
    'SELECT day FROM loaded_days WHERE day < $1 UNION SELECT DISTINCT day FROM package_days WHERE day < $1 ORDER BY 1',
    [before],
  );
  if (rows.length > 0) await deleteDays(client, 'p.day < $1', [before]);
  return rows.map((row) => row.day);
}

export async function setDataVersion(client: PoolClient, version: string): Promise<void> {
  await client.query("UPDATE meta SET value = $1 WHERE key = 'data_version'", [version]);
}

/** `package_days` says which rows of `daily` a day has, so a day is deleted without a full scan. */
async function deleteDays(client: PoolClient, daysCondition: string, values: unknown[]): Promise<void> {
  await client.query(`DELETE FROM daily d USING package_days p WHERE ${daysCondition} AND d.package_id = p.package_id AND d.day = p.day`, values);
  await client.query(`DELETE FROM package_days p WHERE ${daysCondition}`, values);
  await client.query(`DELETE FROM loaded_days p WHERE ${daysCondition}`, values);
}

async function categoryIds(client: PoolClient): Promise<(dimension: string, name: string) => Promise<number>> {
  const known = new Map<string, number>();
  const { rows } = await client.query<{ id: number; dimension: string; name: string }>('SELECT id, dimension, name FROM categories');
  for (const row of rows) known.set(`${row.dimension}\u0000${row.name}`, row.id);
  return async (dimension, name) => {
    const key = `${dimension}\u0000${name}`;
    let id = known.get(key);
    if (id === undefined) {
      const inserted = await client.query<{ id: number }>(
        `INSERT INTO categories (dimension, name) VALUES ($1, $2)
         ON CONFLICT (dimension, name) DO UPDATE SET name = excluded.name RETURNING id`,
        [dimension, name],
      );
      id = inserted.rows[0]!.id;
      known.set(key, id);
    }
    return id;
  };
}

/** Ids of the day's packages, new names added: the names go in with one COPY, not a row at a time. */
async function packageIdsOf(client: PoolClient, names: Iterable<string>): Promise<Map<string, number>> {
  await client.query('CREATE TEMP TABLE day_packages (name text NOT NULL) ON COMMIT DROP');
  await copyLines(client, 'day_packages (name)', (function* () {
    for (const name of names) yield copyText(name);
  })());
  await client.query('INSERT INTO packages (name) SELECT name FROM day_packages ORDER BY name ON CONFLICT (name) DO NOTHING');
  const { rows } = await client.query<{ id: number; name: string }>('SELECT p.id, p.name FROM packages p JOIN day_packages d ON d.name = p.name');
  return new Map(rows.map((row) => [row.name, row.id]));
}
