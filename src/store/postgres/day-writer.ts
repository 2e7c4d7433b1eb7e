/**
 * Replacing one day in PostgreSQL: the day's rows gathered per package, packed, and appended to
 * each package's block of days (see ./migrations.ts) in one transaction with the removal of the
 * day's previous entries, the purge and the derived tables. Readers on other connections see the
 * old day or the new one (MVCC), never a mix.
 */
import type { PoolClient } from 'pg';
import { dayFromNumber, dayNumber } from '../../domain/dates.js';
import { downloadsWithoutMirrors, gatherDay, numberBreakdown, withoutMirrorsCategory, type GatheredPackage, type PackageCategory, type SeedCategoryId } from '../day-rows.js';
import { BLOCK_BITS, dayEntry, packDownloads } from '../packed-downloads.js';
import { daysHiddenBy } from '../package-days-read.js';
import { PACKAGE_DAYS_KEPT, type DayWrite, type DayWriteResult } from '../types.js';
import { copyLines, copyText } from './copy.js';
import { ADVISORY_KEY_SQL } from './advisory-lock.js';
import { refreshDerived } from './derived.js';
import { recordSuccess } from './loads.js';
import { dayBit, monthOfDayNumber } from '../../domain/months.js';
import { dailyDayInMonth, MONTH_SOURCE_CODE, monthSums, type MonthSums } from '../months.js';

/** `package_days` keeps the days the top and trending packages are summed over. */
const RECENT_DAYS = PACKAGE_DAYS_KEPT;

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

    const replaced = await replacedEntries(client, day);
    const monthCounts = await countDayInMonth(client, day, replaced.loaded, write.day);
    await removeEntriesHiddenBy(client, day);
    await client.query('DELETE FROM package_days WHERE day = $1', [day]);
    await client.query('DELETE FROM loaded_days WHERE day = $1', [day]);

    const breakdownPairs = await packageCategoryIds(client, packages, packageIds);
    // [package id, seed entry, breakdown entry (hex; '' when none), downloads without mirrors]
    const entries: [number, string, string, number][] = [];
    for (const [name, { seedPairs }] of packages) {
      const seedEntry = seedPairs.length > 0 ? dayEntry(day, packDownloads(seedPairs)).toString('hex') : '';
      const pairs = breakdownPairs.get(name);
      const breakdownEntry = pairs ? dayEntry(day, packDownloads(pairs)).toString('hex') : '';
      entries.push([packageIds.get(name)!, seedEntry, breakdownEntry, downloadsWithoutMirrors(seedPairs, withoutMirrors)]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    if (monthCounts) await writeMonths(client, day, replaced.entries, packages, packageIds, breakdownPairs);
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

/** A day's entries as it was loaded before (by package id): what its month takes off. */
interface ReplacedDay {
  loaded: boolean;
  entries: Map<number, { seed?: Buffer; breakdown?: Buffer }>;
}

async function replacedEntries(client: PoolClient, day: number): Promise<ReplacedDay> {
  const { rows } = await client.query<{ loaded: boolean }>('SELECT EXISTS (SELECT 1 FROM loaded_days WHERE day = $1) AS loaded', [day]);
  const replaced: ReplacedDay = { loaded: rows[0]!.loaded, entries: new Map() };
  if (!replaced.loaded) return replaced;
  for (const table of BLOCK_TABLES) {
    const side = table === 'package_blocks' ? 'seed' : 'breakdown';
    const { rows: old } = await client.query<{ package_id: number; packed: Buffer }>(
      `SELECT package_id, packed FROM (SELECT package_id, day_packed(days, $1) AS packed FROM ${table} WHERE block = $2 AND last_day >= $1) d
       WHERE packed IS NOT NULL`,
      [day, day >> BLOCK_BITS],
    );
    for (const { package_id: id, packed } of old) {
      const entries = replaced.entries.get(id) ?? {};
      entries[side] = packed;
      replaced.entries.set(id, entries);
    }
  }
  return replaced;
}

/** Marks the day counted in its month's daily days; whether the day's downloads go into its month (see dailyDayInMonth). */
async function countDayInMonth(client: PoolClient, day: number, loaded: boolean, date: string): Promise<boolean> {
  const month = monthOfDayNumber(day);
  const { rows } = await client.query<{ daily_days: number; backfill_days: number }>('SELECT daily_days, backfill_days FROM months WHERE month = $1', [month]);
  const current = rows[0] ? { month, dailyDays: rows[0].daily_days, backfillDays: rows[0].backfill_days } : undefined;
  const next = dailyDayInMonth(current, month, dayBit(day), loaded, date);
  await client.query(
    'INSERT INTO months (month, daily_days, backfill_days) VALUES ($1, $2, $3) ON CONFLICT (month) DO UPDATE SET daily_days = excluded.daily_days',
    [month, next.days.dailyDays, next.days.backfillDays],
  );
  return next.counts;
}

/**
 * The day's month of every package it held or holds, rewritten: the month's daily rows read in
 * one statement, the old day taken off and the new one added here, written back with one COPY
 * and one statement (a package left with nothing that month loses its row).
 */
async function writeMonths(
  client: PoolClient,
  day: number,
  old: ReplacedDay['entries'],
  packages: ReadonlyMap<string, GatheredPackage>,
  packageIds: ReadonlyMap<string, number>,
  breakdownPairs: ReadonlyMap<string, number[]>,
): Promise<void> {
  const month = monthOfDayNumber(day);
  // By the primary key, package by package: the table holds every month of every package, and
  // an index by month to read the month whole would repeat a key per row for this read alone.
  const ids = [...new Set([...packageIds.values(), ...old.keys()])];
  const { rows } = await client.query<{ package_id: number; seed: Buffer; breakdown: Buffer }>(
    `SELECT m.package_id, m.seed, m.breakdown FROM unnest($1::integer[]) AS p (id)
     JOIN package_months m ON m.package_id = p.id AND m.month = $2 AND m.source = $3`,
    [ids, month, MONTH_SOURCE_CODE.daily],
  );
  const current = new Map(rows.map((row) => [row.package_id, row]));
  const sumsOf = (id: number): MonthSums => {
    const row = current.get(id);
    const sums = monthSums(row?.seed, row?.breakdown);
    const entries = old.get(id);
    if (entries?.seed) sums.seed.add(entries.seed, -1);
    if (entries?.breakdown) sums.breakdown.add(entries.breakdown, -1);
    return sums;
  };
  const written = new Map<number, MonthSums>();
  for (const [name, { seedPairs }] of packages) {
    const id = packageIds.get(name)!;
    const sums = sumsOf(id);
    sums.seed.addPairs(seedPairs);
    const pairs = breakdownPairs.get(name);
    if (pairs) sums.breakdown.addPairs(pairs);
    written.set(id, sums);
  }
  for (const id of old.keys()) if (!written.has(id)) written.set(id, sumsOf(id));
  const lines: string[] = [];
  const emptied: number[] = [];
  for (const [id, sums] of written) {
    const seed = sums.seed.pack();
    const breakdown = sums.breakdown.pack();
    if (seed.length === 0 && breakdown.length === 0) emptied.push(id);
    else lines.push(`${id}\t\\\\x${seed.toString('hex')}\t\\\\x${breakdown.toString('hex')}`);
  }
  await client.query('CREATE TEMP TABLE month_rows (package_id integer NOT NULL, seed bytea NOT NULL, breakdown bytea NOT NULL) ON COMMIT DROP');
  await copyLines(client, 'month_rows (package_id, seed, breakdown)', lines);
  await client.query(
    `INSERT INTO package_months (package_id, month, source, seed, breakdown)
     SELECT package_id, $1, $2, seed, breakdown FROM month_rows
     ON CONFLICT (package_id, month, source) DO UPDATE SET seed = excluded.seed, breakdown = excluded.breakdown`,
    [month, MONTH_SOURCE_CODE.daily],
  );
  await client.query('DROP TABLE month_rows');
  if (emptied.length > 0) {
    await client.query(
      'DELETE FROM package_months m USING unnest($3::integer[]) AS p (id) WHERE m.package_id = p.id AND m.month = $1 AND m.source = $2',
      [month, MONTH_SOURCE_CODE.daily, emptied],
    );
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
 * Packages whose known categories one statement reads: bounds what the writer holds at once (the
 * most popular packages have thousands of categories each).
 */
const PACKAGES_PER_CATEGORY_READ = 10_000;

/**
 * The per-package category id of every breakdown row of the day (by package name, in the order of
 * its rows), new categories added, all in bulk: each batch of packages' known categories is read
 * in one statement (a range of the primary key per package, one JSON array per package: cheaper
 * to parse than a row per category) while the batch before is numbered here (../day-rows.ts, as
 * on SQLite), and each batch's new categories go in with one COPY. Numbering in SQL instead (the day's
 * rows copied into a temporary table, matched, grouped, numbered by a window and inserted) took
 * 31 s of a 68 s first day of 10,000 packages, and sending every row's id back cost seconds more.
 * The caller holds the write lock, so no other writer numbers the same package meanwhile.
 */
export async function packageCategoryIds(
  client: PoolClient,
  packages: ReadonlyMap<string, GatheredPackage>,
  packageIds: ReadonlyMap<string, number>,
): Promise<Map<string, number[]>> {
  const withBreakdown = [...packages]
    .filter(([, gathered]) => gathered.breakdown.length > 0)
    .map(([name, { breakdown }]) => ({ id: packageIds.get(name)!, name, breakdown }))
    .sort((a, b) => a.id - b.id);
  const pairs = new Map<string, number[]>();
  const batches: (typeof withBreakdown)[] = [];
  for (let start = 0; start < withBreakdown.length; start += PACKAGES_PER_CATEGORY_READ) batches.push(withBreakdown.slice(start, start + PACKAGES_PER_CATEGORY_READ));
  // A subquery per package, each a range of the primary key. With `package_id = ANY($1)` a batch
  // took 0.2–2 s even on the first day, when it finds nothing, growing with the rows the day had
  // already inserted (which the table's statistics do not know yet).
  const readKnown = (batch: typeof withBreakdown) =>
    client.query<[number, PackageCategory[] | null]>({
      text: `SELECT p.id, (SELECT json_agg(json_build_array(c.id, c.dimension, c.name)) FROM package_categories c WHERE c.package_id = p.id)
             FROM unnest($1::integer[]) AS p (id)`,
      values: [batch.map(({ id }) => id)],
      rowMode: 'array',
    });
  let next = batches.length > 0 ? readKnown(batches[0]!) : null;
  for (const [index, batch] of batches.entries()) {
    const { rows } = await next!;
    // The next batch is read while this one is numbered here.
    next = index + 1 < batches.length ? readKnown(batches[index + 1]!) : null;
    next?.catch(() => undefined);
    const known = new Map(rows);
    const added: string[] = [];
    for (const { id, name, breakdown } of batch) {
      pairs.set(name, numberBreakdown(breakdown, known.get(id) ?? [], (categoryId, row) => {
        added.push(`${id}\t${categoryId}\t${copyText(row.dimension)}\t${copyText(row.category)}`);
      }));
    }
    if (added.length > 0) await copyLines(client, 'package_categories (package_id, id, dimension, name)', added);
  }
  return pairs;
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
export async function seedCategoryIds(client: PoolClient): Promise<SeedCategoryId> {
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
export async function packageIdsOf(client: PoolClient, names: Iterable<string>): Promise<Map<string, number>> {
  await client.query('CREATE TEMP TABLE day_packages (name text NOT NULL) ON COMMIT DROP');
  await copyLines(client, 'day_packages (name)', (function* () {
    for (const name of names) yield copyText(name);
  })());
  await client.query('INSERT INTO packages (name) SELECT name FROM day_packages ORDER BY name ON CONFLICT (name) DO NOTHING');
  const { rows } = await client.query<{ id: number; name: string }>('SELECT p.id, p.name FROM packages p JOIN day_packages d ON d.name = p.name');
  return new Map(rows.map((row) => [row.name, row.id]));
}
