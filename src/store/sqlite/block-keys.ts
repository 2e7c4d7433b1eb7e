/**
 * The key of a row of SQLite's `package_blocks`: the package id and the block number in one
 * integer, the table's rowid. A package's blocks are then one contiguous range of the table, read
 * with a single range scan, and a row that outgrows a page stays cheap: in a rowid table only the
 * integer key sits in the B-tree's interior pages, where a (package_id, block) key of a
 * WITHOUT ROWID table would carry the row with it.
 */
import { BLOCK_BITS } from '../packed-downloads.js';

/** Blocks of any int32 day number: -2^26 ≤ day >> 5 < 2^26, shifted to 0 ≤ … < 2^27. */
const BLOCK_SPAN = 2 ** 27;
const BLOCK_OFFSET = 2 ** 26;
/** Keys stay exact in JavaScript numbers (below 2^53) for package ids below 2^26. */
const MAX_PACKAGE_ID = 2 ** 26 - 1;

export function blockKey(packageId: number, day: number): number {
  if (packageId > MAX_PACKAGE_ID) throw new Error(`the SQLite store holds at most ${MAX_PACKAGE_ID} package ids`);
  return packageId * BLOCK_SPAN + blockOf(day);
}

/** The keys of the package's blocks holding days `start` to `end`. */
export function blockKeyRange(packageId: number, start: number, end: number): [number, number] {
  return [blockKey(packageId, start), blockKey(packageId, end)];
}

/** SQL of a key's block number relative to blockOf(day): `(key % BLOCK_SPAN)`. */
export const BLOCK_OF_KEY_SQL = `(key % ${BLOCK_SPAN})`;

/** The value BLOCK_OF_KEY_SQL gives for the block holding `day`. */
export function blockOf(day: number): number {
  return (day >> BLOCK_BITS) + BLOCK_OFFSET;
}

/** SQL bounds of a package's keys from its id column, for correlated subqueries. */
export const PACKAGE_KEYS_SQL = (idColumn: string) => `BETWEEN ${idColumn} * ${BLOCK_SPAN} AND ${idColumn} * ${BLOCK_SPAN} + ${BLOCK_SPAN - 1}`;

/** The package id of a block's (or a month's) key. */
export function packageOfKey(key: number): number {
  return Math.floor(key / BLOCK_SPAN);
}

/**
 * The key of a row of `package_months`: the package id, then the month number and its source
 * (0 daily, 1 backfill) in the low 27 bits, so a package's months are one contiguous range too,
 * in month order, each month's sources side by side.
 */
export function monthKey(packageId: number, month: number, source: number): number {
  if (packageId > MAX_PACKAGE_ID) throw new Error(`the SQLite store holds at most ${MAX_PACKAGE_ID} package ids`);
  if (month < FIRST_MONTH_NUMBER || month > LAST_MONTH_NUMBER) throw new Error(`month number ${month} is outside what the SQLite store keys`);
  return packageId * BLOCK_SPAN + (month + MONTH_OFFSET) * 2 + source;
}

/** Months of any int32 day number, shifted to 0 ≤ … < 2^26 as blocks are, two sources each. */
const MONTH_OFFSET = 2 ** 25;
export const FIRST_MONTH_NUMBER = -MONTH_OFFSET;
export const LAST_MONTH_NUMBER = MONTH_OFFSET - 1;

/** The keys of the package's months `start` to `end`, every source. */
export function monthKeyRange(packageId: number, start: number, end: number): [number, number] {
  return [monthKey(packageId, Math.max(start, FIRST_MONTH_NUMBER), 0), monthKey(packageId, Math.min(end, LAST_MONTH_NUMBER), 1)];
}

/** The month number of a `package_months` key. */
export function monthOfKey(key: number): number {
  return Math.floor((key % BLOCK_SPAN) / 2) - MONTH_OFFSET;
}
