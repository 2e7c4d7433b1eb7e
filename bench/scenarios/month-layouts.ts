/**
 * Issue 15's layout alternatives for the months kept forever, measured on the months a real store
 * holds: PyPI-sized days of every breakdown loaded through the pipeline, then months backfilled
 * as the months scenario synthesizes them (a day's rows, every count times 30). The store's own
 * `package_months` (a row per package, month and source, two packed blobs) is read back and the
 * same months written, in key order, into a scratch SQLite table per alternative:
 *
 * - `row per month` (the store's layout, rewritten in key order: what a packed file would hold);
 * - `row per month, ids delta-coded, deflated`: each blob's ids as gaps from the previous id,
 *   the blob deflated (zlib, level 6) when that is shorter; a flag byte says which;
 * - `row per year`: one row per package, year and source, each table's months as entries
 *   (month of the year, length, packed blob), as a block holds days;
 * - `row per year, deflated`: the same, deflated;
 * - `row per year, columns`: the year's category ids once (delta-coded), then each month's
 *   downloads of every one of them (0 when absent): a category a year costs its id once;
 * - `row per year, columns, deflated`.
 *
 * For each: the table's bytes (dbstat), its share of the disk the days take with the months'
 * other tables (`months`, `package_categories`' growth during the backfill) as the months scenario
 * counts them, and the CPU of encoding every row once (what a write of them costs at least; a
 * year row is rewritten whole when any of its months changes, which the daily load would do every
 * day for every package).
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { addDays, dayRange } from '../../src/domain/dates.js';
import { firstDayOf, lastDayOf, monthFromNumber, monthNumber } from '../../src/domain/months.js';
import type { AggregateRow } from '../../src/domain/aggregates.js';
import { withAllPackagesTotals } from '../../src/pipeline/derived.js';
import { loadDay } from '../../src/pipeline/load.js';
import { unpackDownloads } from '../../src/store/packed-downloads.js';
import { monthOfKey, packageOfKey } from '../../src/store/sqlite/block-keys.js';
import { record, round } from '../lib/results.js';
import { pypiSizedDay, type PypiDayOptions } from '../pypi-sized-day.js';
import { FIRST_DAY, freshStore, pypiSource } from './store-scale.js';

export interface MonthLayoutSize {
  packages: number;
  days: number;
  /** Months backfilled before the first day (12 fills a year row). */
  months: number;
}

/** `20000x2x12,…`: packages × days × backfilled months. */
export function monthLayoutSizes(spec: string): MonthLayoutSize[] {
  return spec.split(',').map((part) => {
    const [packages, days, months] = part.split('x').map(Number);
    if (!packages || !days || !months) throw new Error(`MONTH_LAYOUT_SIZES: ${part} is not packages×days×months`);
    return { packages, days, months };
  });
}

interface HeldMonth {
  month: number;
  packed: Buffer;
}

function varints(values: readonly number[]): Buffer {
  const bytes: number[] = [];
  for (let value of values) {
    while (value >= 0x80) {
      bytes.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    bytes.push(value);
  }
  return Buffer.from(bytes);
}

/** A flag byte (0 as is, 1 deflated), then the shorter of the two. */
function deflated(bytes: Buffer): Buffer {
  const packed = zlib.deflateRawSync(bytes, { level: 6 });
  return packed.length < bytes.length ? Buffer.concat([Buffer.from([1]), packed]) : Buffer.concat([Buffer.from([0]), bytes]);
}

/** A blob's ids as gaps from the previous one (ids ascend, so most gaps are small). */
function deltaCoded(packed: Buffer): Buffer {
  const values: number[] = [];
  let previous = -1;
  unpackDownloads(packed, (category, downloads) => {
    values.push(category - previous - 1, downloads);
    previous = category;
  });
  return varints(values);
}

const monthOfYear = (month: number) => ((month % 12) + 12) % 12;

function yearEntries(months: readonly HeldMonth[]): Buffer {
  return Buffer.concat(months.flatMap((m) => [varints([monthOfYear(m.month), m.packed.length]), m.packed]));
}

function yearColumns(months: readonly HeldMonth[]): Buffer {
  const ids = new Set<number>();
  const perMonth = months.map((m) => {
    const sums = new Map<number, number>();
    unpackDownloads(m.packed, (category, downloads) => {
      sums.set(category, downloads);
      ids.add(category);
    });
    return sums;
  });
  const sorted = [...ids].sort((a, b) => a - b);
  const values = [months.length, ...months.map((m) => monthOfYear(m.month)), sorted.length];
  let previous = -1;
  for (const id of sorted) {
    values.push(id - previous - 1);
    previous = id;
  }
  for (const sums of perMonth) for (const id of sorted) values.push(sums.get(id) ?? 0);
  return varints(values);
}

interface Layout {
  name: string;
  /** Months grouped per row: one, or a year. */
  perYear: boolean;
  encode(months: readonly HeldMonth[]): Buffer;
}

const LAYOUTS: Layout[] = [
  { name: 'row per month (the store’s)', perYear: false, encode: (months) => months[0]!.packed },
  { name: 'row per month, ids delta-coded, deflated', perYear: false, encode: (months) => deflated(deltaCoded(months[0]!.packed)) },
  { name: 'row per year', perYear: true, encode: yearEntries },
  { name: 'row per year, deflated', perYear: true, encode: (months) => deflated(yearEntries(months)) },
  { name: 'row per year, columns', perYear: true, encode: yearColumns },
  { name: 'row per year, columns, deflated', perYear: true, encode: (months) => deflated(yearColumns(months)) },
];

/** Bytes per table, its indexes with it. */
function tableBytes(file: string): Map<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const bytes = new Map<string, number>();
    for (const { name, size } of db.prepare('SELECT name, sum(pgsize) AS size FROM dbstat GROUP BY name').all() as { name: string; size: number }[]) {
      const table = /^sqlite_autoindex_(.+)_\d+$/.exec(name)?.[1] ?? name;
      bytes.set(table, (bytes.get(table) ?? 0) + size);
    }
    return bytes;
  } finally {
    db.close();
  }
}

const DAY_TABLES = ['package_blocks', 'package_breakdown_blocks', 'package_categories', 'packages', 'categories', 'package_days', 'loaded_days'];
const sumOf = (bytes: Map<string, number>, tables: readonly string[]) => tables.reduce((sum, table) => sum + (bytes.get(table) ?? 0), 0);

async function* monthRows(index: number, options: PypiDayOptions): AsyncGenerator<AggregateRow[]> {
  for await (const chunk of pypiSizedDay(index, options)) yield chunk.map((row) => ({ ...row, downloads: row.downloads * 30 }));
}

export async function monthLayouts(dir: string, sizes: readonly MonthLayoutSize[]): Promise<void> {
  for (const size of sizes) {
    const scenario = `month layouts, ${size.days} PyPI-sized days and ${size.months} backfilled months of ${size.packages.toLocaleString('en-US')} packages (SQLite)`;
    const here = path.join(dir, `month-layouts-${size.packages}x${size.days}x${size.months}`);
    await mkdir(here, { recursive: true });
    const fresh = await freshStore(here, 'sqlite');
    const file = fresh.databaseUrl.slice('sqlite:'.length);
    const every: PypiDayOptions = { packages: size.packages, topDownloads: 20_000_000, breakdowns: true };
    let store = await fresh.open();
    for (let i = 0; i < size.days; i++) await loadDay(store, pypiSource(every), addDays(FIRST_DAY, i), { retentionDays: 100_000, allowEmpty: true });
    await store.close();
    const before = tableBytes(file);
    store = await fresh.open();
    const firstMonth = monthNumber(FIRST_DAY.slice(0, 7)) - size.months;
    for (let m = 0; m < size.months; m++) {
      const month = monthFromNumber(firstMonth + m);
      await store.replaceBackfillMonth({ month, days: dayRange(firstDayOf(month), lastDayOf(month)), rows: withAllPackagesTotals(monthRows(m, every)) });
    }
    await store.close();
    const after = tableBytes(file);
    const daysBytes = sumOf(before, DAY_TABLES);
    // What the months take besides package_months, as the months scenario counts it.
    const otherMonthBytes = (after.get('months') ?? 0) + (after.get('package_categories') ?? 0) - (before.get('package_categories') ?? 0);
    record({ scenario, measure: 'disk the days take', value: round(daysBytes / 2 ** 20), unit: 'MiB' });
    record({ scenario, measure: 'package_months as the store wrote it', value: round((after.get('package_months') ?? 0) / 2 ** 20), unit: 'MiB' });

    // Every row of package_months, grouped per package, source and year.
    const db = new Database(file, { readonly: true });
    const groups = new Map<string, { perMonth: number; perYear: number; seed: HeldMonth[]; breakdown: HeldMonth[] }>();
    for (const [key, seed, breakdown] of db.prepare('SELECT key, seed, breakdown FROM package_months ORDER BY key').raw().iterate() as IterableIterator<[number, Buffer, Buffer]>) {
      const month = monthOfKey(key);
      const source = key % 2;
      const year = Math.floor(month / 12);
      const id = `${packageOfKey(key)}:${year}:${source}`;
      let group = groups.get(id);
      if (!group) groups.set(id, (group = { perMonth: key, perYear: packageOfKey(key) * 2 ** 27 + (year + 2 ** 22) * 2 + source, seed: [], breakdown: [] }));
      group.seed.push({ month, packed: seed });
      group.breakdown.push({ month, packed: breakdown });
    }
    db.close();

    for (const layout of LAYOUTS) {
      const scratch = path.join(here, 'layout.sqlite');
      await rm(scratch, { force: true });
      const out = new Database(scratch);
      out.exec('CREATE TABLE t (key INTEGER PRIMARY KEY, seed BLOB NOT NULL, breakdown BLOB NOT NULL)');
      const insert = out.prepare<[number, Buffer, Buffer]>('INSERT INTO t (key, seed, breakdown) VALUES (?, ?, ?)');
      let encodeMs = 0;
      out.exec('BEGIN');
      for (const group of groups.values()) {
        const rows = layout.perYear ? [{ key: group.perYear, seed: group.seed, breakdown: group.breakdown }] : group.seed.map((seed, i) => ({ key: group.perMonth + 2 * (seed.month - group.seed[0]!.month), seed: [seed], breakdown: [group.breakdown[i]!] }));
        for (const row of rows) {
          const started = performance.now();
          const seed = layout.encode(row.seed);
          const breakdown = layout.encode(row.breakdown);
          encodeMs += performance.now() - started;
          insert.run(row.key, seed, breakdown);
        }
      }
      out.exec('COMMIT');
      out.close();
      const bytes = tableBytes(scratch).get('t') ?? 0;
      await rm(scratch, { force: true });
      record({ scenario, measure: `${layout.name}: table`, value: round(bytes / 2 ** 20), unit: 'MiB' });
      record({ scenario, measure: `${layout.name}: months' share of the days`, value: round(((bytes + otherMonthBytes) / daysBytes) * 100), unit: '%' });
      record({ scenario, measure: `${layout.name}: encoding every row once`, value: round(encodeMs / 1000), unit: 's' });
    }
    await fresh.remove();
    await rm(here, { recursive: true, force: true });
  }
}
