/**
 * Replacing one day in PostgreSQL: the day's rows gathered per package, packed, and appended to
 * each package's block of days (see ./migrations.ts) in one transaction with the removal of the
 * day's previous entries, the purge and the derived tables. Readers on other connections see the
 * old day or the new one (MVCC), never a mix.
 */
import type { PoolClient } from 'pg';
import { dayFromNumber, dayNumber } from '../../domain/dates.js';
import { breakdownPairs, downloadsWithoutMirrors, gatherDay, withoutMirrorsCategory, type GatheredPackage, type SeedCategoryId } from '../day-rows.js';
import { BLOCK_BITS, dayEntry, packDownloads } from '../packed-downloads.js';
import { daysHiddenBy } from '../package-days-read.js';
import type { DayWrite, DayWriteResult } from '../types.js';
import { copyLines, copyText } from './copy.js';
import { ADVISORY_KEY_SQL } from './advisory-lock.js';
import { refreshDerived } from './derived.js';
import { recordSuccess } from './loads.js';

/** `package_days` keeps the days the top packages are summed over. */
const RECENT_DAYS = 30;

export async function writeDay(client: PoolClient, write: DayWrite, newDataVersion: string): Promise<DayWriteResult> {
  const day = dayNumber(write.day);
  await client.query('BEGIN');
  try {
    // Writers of every process queue here, until the transaction ends.
    await client.query(`SELECT pg_advisory_xact_lock(${ADVISORY_KEY_SQL('$1')})`, ['write']);
    const seedCategoryId = await seedCategoryIds(client);
    const { packages, rows } = await gatherDay(write.rows, seedCategoryId);
    const withoutMirrors = await withoutMirrorsCategory(seedCategoryId);
    const packageIds = await packageIdsOf(client, packages.keys());

    await removeEntriesHiddenBy(client, day);
    await client.query('DELETE FROM package_days WHERE day = $1', [day]);
    await client.query('DELETE FROM loaded_days WHERE day = $1', [day]);

    const breakdownIds = await packageCategoryIds(client, packages, packageIds);
    // [package id, seed entry, breakdown entry (hex; '' when none), downloads without mirrors]
    const entries: [number, string, string, number][] = [];
    for (const [name, { seedPairs, breakdown }] of packages) {
      const seedEntry = seedPairs.length > 0 ? dayEntry(day, packDownloads(seedPairs)).toString('hex') : '';
      const ids = breakdownIds.get(name);
      const breakdownEntry = ids ? dayEntry(day, packDownloads(breakdownPairs(breakdown, (_row, index) => ids[index]!))).toString('hex') : '';
      entries.push([packageIds.get(name)!, seedEntry, breakdownEntry, downloadsWithoutMirrors(seedPairs, withoutMirrors)]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    await appendEntries(client, 'package_blocks', day, entries.map(([id, entry]) => [id, entry]));
    await appendEntries(client, 'package_breakdown_blocks', day, entries.map(([id, , entry]) => [id, entry]));
    await copyLines(client, 'package_days (day, package_id, downloads)', (function* () {
      for (const [id, , , downloads] of entries) yield `${day}\t${id}\t${downloads}`;
    })());
    await client.query('INSERT INTO loaded_days (day, source, loaded_at, packages, rows, summary) VALUES ($1, $2, now(), $3, $4, $5)', [
      day,
      write.source,
      packages.size,
      rows,
      write.summary ? JSON.stringify(write.summary) : null,
    ]);
    const purgedDays = write.purgeBefore ? await purgeDaysBefore(client, dayNumber(write.purgeBefore)) : [];
    await client.query(`DELETE FROM package_days WHERE day <= (SELECT max(day) FROM loaded_days) - ${RECENT_DAYS}`);
    await refreshDerived(client);
    await setDataVersion(client, newDataVersion);
    if (write.attempt) await recordSuccess(client, write.attempt, rows);
    await client.query('COMMIT');
    return { rows, packages: packages.size, purgedDays: purgedDays.map(dayFromNumber) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The tables of blocks of days, laid out alike (see ./migrations.ts). */
const BLOCK_TABLES = ['package_blocks', 'package_breakdown_blocks'] as const;
type BlockTableName = (typeof BLOCK_TABLES)[number];

/** Appends the day's entries (hex, '' for none) to the packages' blocks of `table`: one COPY and one statement. */
async function appendEntries(client: PoolClient, table: BlockTableName, day: number, entries: readonly [number, string][]): Promise<void> {
  await client.query('CREATE TEMP TABLE day_entries (package_id integer NOT NULL, entry bytea NOT NULL) ON COMMIT DROP');
  await copyLines(client, 'day_entries (package_id, entry)', (function* () {
    for (const [id, entry] of entries) if (entry) yield `${id}\t\\\\x${entry}`;
  })());
  await client.query(
    `INSERT INTO ${table} (package_id, block, last_day, days)
     SELECT package_id, $1, $2, entry FROM day_entries
     ON CONFLICT (package_id, block) DO UPDATE
       SET days = ${table}.days || excluded.days, last_day = greatest(${table}.last_day, excluded.last_day)`,
    [day >> BLOCK_BITS, day],
  );
  await client.query('DROP TABLE day_entries');
}

/**
 * How the statement that finds the day's categories is planned. Its estimates are far off (the
 * planner takes a package's categories for one row), and left alone it probed the primary key per
 * row and compared names under the collation: 25–35 s for the 1.7 million breakdown rows of
 * 30,000 packages. Hashing both sides in memory takes a third of that; JIT compiled for a second
 * each time and saved nothing. Set for that statement only.
 */
const CATEGORY_JOIN_SETTINGS = { work_mem: "'256MB'", jit: 'off', enable_nestloop: 'off', enable_mergejoin: 'off' };

/**
 * The per-package category id of every breakdown row of the day (by package name, in the order of
 * its rows), new categories added, all in bulk: the day's (package, dimension, name) go in with
 * one COPY; one statement matches them to the package's known categories, numbers the new ones of
 * each package after its highest id in order of first appearance, inserts them and gives every
 * row's id back (only ints). The caller holds the write lock, so no other writer numbers the same
 * package meanwhile.
 */
async function packageCategoryIds(
  client: PoolClient,
  packages: ReadonlyMap<string, GatheredPackage>,
  packageIds: ReadonlyMap<string, number>,
): Promise<Map<string, number[]>> {
  const withBreakdown = [...packages].filter(([, gathered]) => gathered.breakdown.length > 0);
  const ids = new Map<string, number[]>();
  if (withBreakdown.length === 0) return ids;
  await client.query('CREATE TEMP TABLE day_categories (seq integer NOT NULL, package_id integer NOT NULL, dimension text NOT NULL, name text NOT NULL) ON COMMIT DROP');
  let count = 0;
  await copyLines(client, 'day_categories (seq, package_id, dimension, name)', (function* () {
    for (const [name, { breakdown }] of withBreakdown) {
      const id = packageIds.get(name)!;
      for (const row of breakdown) yield `${count++}\t${id}\t${copyText(row.dimension)}\t${copyText(row.category)}`;
    }
  })());
  // A temp table has no statistics until analyzed.
  await client.query('ANALYZE day_categories');
  for (const [setting, value] of Object.entries(CATEGORY_JOIN_SETTINGS)) await client.query(`SET LOCAL ${setting} = ${value}`);
  const { rows } = await client.query<[number, number]>({
    text: `WITH matched AS (
             SELECT d.seq, d.package_id, d.dimension, d.name, c.id FROM day_categories d
             LEFT JOIN package_categories c ON c.package_id = d.package_id AND c.dimension = d.dimension AND c.name = d.name
           ), fresh AS (
             SELECT n.package_id, n.dimension, n.name,
                    coalesce((SELECT max(c.id) FROM package_categories c WHERE c.package_id = n.package_id), -1)
                      + row_number() OVER (PARTITION BY n.package_id ORDER BY n.first_seq) AS id
             FROM (SELECT package_id, dimension, name, min(seq) AS first_seq FROM matched WHERE id IS NULL GROUP BY package_id, dimension, name) n
           ), inserted AS (
             INSERT INTO package_categories (package_id, id, dimension, name) SELECT package_id, id, dimension, name FROM fresh
           )
           SELECT m.seq, coalesce(m.id, f.id) FROM matched m
           LEFT JOIN fresh f ON m.id IS NULL AND f.package_id = m.package_id AND f.dimension = m.dimension AND f.name = m.name`,
    rowMode: 'array',
  });
  for (const setting of Object.keys(CATEGORY_JOIN_SETTINGS)) await client.query(`RESET ${setting}`);
  if (rows.length !== count) throw new Error(`the day's categories came back as ${rows.length} ids for ${count} rows`);
  const bySeq = new Int32Array(count);
  for (const [seq, id] of rows) bySeq[seq] = id;
  let next = 0;
  for (const [name, { breakdown }] of withBreakdown) {
    ids.set(name, Array.from(bySeq.subarray(next, next + breakdown.length)));
    next += breakdown.length;
  }
  await client.query('DROP TABLE day_categories');
  return ids;
}

/** Before `day` is written, the entries readers would take for it go (see daysHiddenBy). */
async function removeEntriesHiddenBy(client: PoolClient, day: number): Promise<void> {
  const { rows } = await client.query<{ first: number | null; loaded: boolean }>(
    'SELECT (SELECT min(day) FROM loaded_days) AS first, EXISTS (SELECT 1 FROM loaded_days WHERE day = $1) AS loaded',
    [day],
  );
  const { first, loaded } = rows[0]!;
  const hidden = daysHiddenBy(day, first, loaded);
  if (!hidden) return;
  const last = hidden[1];
  for (const table of BLOCK_TABLES) {
    await client.query(
      `UPDATE ${table} SET days = stripped.days, last_day = coalesce(max_day(stripped.days), -2147483648)
       FROM (SELECT package_id, block, strip_days(days, $1, $2) AS days FROM ${table}
             WHERE block BETWEEN $3 AND $4 AND last_day >= $1) stripped
       WHERE ${table}.package_id = stripped.package_id AND ${table}.block = stripped.block`,
      [day, last, day >> BLOCK_BITS, last >> BLOCK_BITS],
    );
    await client.query(`DELETE FROM ${table} WHERE block BETWEEN $1 AND $2 AND days = ''::bytea`, [day >> BLOCK_BITS, last >> BLOCK_BITS]);
  }
}

/**
 * Deletes every day before `before` (inside the caller's transaction); gives the days deleted.
 * Blocks wholly before it go; a block it cuts keeps its older entries, which readers skip (they
 * start at the first loaded day), until the block goes too.
 */
export async function purgeDaysBefore(client: PoolClient, before: number): Promise<number[]> {
  const { rows } = await client.query<{ day: number }>('DELETE FROM loaded_days WHERE day < $1 RETURNING day', [before]);
  if (rows.length > 0) {
    for (const table of BLOCK_TABLES) await client.query(`DELETE FROM ${table} WHERE block < $1`, [before >> BLOCK_BITS]);
    await client.query('DELETE FROM package_days WHERE day < $1', [before]);
  }
  return rows.map((row) => row.day).sort((a, b) => a - b);
}

export async function setDataVersion(client: PoolClient, version: string): Promise<void> {
  await client.query("UPDATE meta SET value = $1 WHERE key = 'data_version'", [version]);
}

/**
 * The seed's global category ids, known ones answered at once; a new one (a new Python minor:
 * rare) is inserted in its own round trip.
 */
async function seedCategoryIds(client: PoolClient): Promise<SeedCategoryId> {
  const known = new Map<string, number>();
  const { rows } = await client.query<{ id: number; dimension: string; name: string }>('SELECT id, dimension, name FROM categories');
  for (const row of rows) known.set(`${row.dimension}\u0000${row.name}`, row.id);
  const insert = async (key: string, dimension: string, name: string): Promise<number> => {
    const inserted = await client.query<{ id: number }>(
      `INSERT INTO categories (dimension, name) VALUES ($1, $2)
       ON CONFLICT (dimension, name) DO UPDATE SET name = excluded.name RETURNING id`,
      [dimension, name],
    );
    const id = inserted.rows[0]!.id;
    known.set(key, id);
    return id;
  };
  return (dimension, name) => {
    const key = `${dimension}\u0000${name}`;
    return known.get(key) ?? insert(key, dimension, name);
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
