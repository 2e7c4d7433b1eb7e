/**
 * Monthly totals, kept forever (see the README's Design): what both stores share of them.
 *
 * A package's month is one row per source (`daily`: summed from the days loaded, `backfill`: what
 * a history backfill wrote for the month's other days), each holding two packed blobs laid out as
 * a day's (packed-downloads.ts): the seed's dimensions with global category ids and every other
 * dimension with the package's own ids, the same ids as its days (layout.ts), so a month costs
 * about one day's bytes and a reader of `/overall` decodes no version. A read sums the sources.
 *
 * The month of a day is updated in the day's transaction: loading a day adds its downloads;
 * reloading it first takes off what the day held before (its old entries, read before they are
 * stripped), so a month always equals the sum of its daily days, whether or not they are still
 * held; purging days leaves months alone. The global `months` table says which days each month
 * counts, from which source, as bit masks (bit 0 the 1st).
 */
import { dayFromNumber, dayNumber, type Day } from '../domain/dates.js';
import { dayBit, daysInMask, daysInMonth, firstDayNumberOf, monthFromNumber, monthNumber, monthOfDayNumber, type Month } from '../domain/months.js';
import { packDownloads, unpackDownloads, visitPackageDays } from './packed-downloads.js';

export type MonthSource = 'daily' | 'backfill';

/** How a month row's source is stored (SQLite packs it into the row's key). */
export const MONTH_SOURCE_CODE: Readonly<Record<MonthSource, number>> = { daily: 0, backfill: 1 };

/** (category id → downloads) of one table of one package's month, as it is being summed. */
export class PackedSums {
  private readonly sums = new Map<number, number>();

  constructor(packed?: Uint8Array | null) {
    if (packed) this.add(packed, 1);
  }

  /** Adds (sign 1) or takes off (sign -1) a packed blob of (category id, downloads) pairs. */
  add(packed: Uint8Array, sign: 1 | -1): void {
    unpackDownloads(packed, (category, downloads) => this.sums.set(category, (this.sums.get(category) ?? 0) + sign * downloads));
  }

  addPairs(pairs: readonly number[]): void {
    for (let i = 0; i < pairs.length; i += 2) this.sums.set(pairs[i]!, (this.sums.get(pairs[i]!) ?? 0) + pairs[i + 1]!);
  }

  /** The sums packed, categories at zero left out; a negative sum means the month and its days disagree. */
  pack(): Buffer {
    const pairs: number[] = [];
    for (const [category, downloads] of this.sums) {
      if (downloads < 0) throw new Error(`a month's downloads of category id ${category} would be ${downloads}: the month and its days disagree`);
      if (downloads > 0) pairs.push(category, downloads);
    }
    return packDownloads(pairs);
  }
}

/** One package's month of one source, being rewritten: both tables' sums. */
export interface MonthSums {
  seed: PackedSums;
  breakdown: PackedSums;
}

export function monthSums(seed?: Uint8Array | null, breakdown?: Uint8Array | null): MonthSums {
  return { seed: new PackedSums(seed), breakdown: new PackedSums(breakdown) };
}

/** A month's row of the global `months` table: which days it counts and from where. */
export interface MonthDays {
  month: number;
  dailyDays: number;
  backfillDays: number;
}

/** What `/months` says of a month a package has downloads in. */
export interface HeldMonth {
  month: Month;
  days: number;
  daysLoaded: number;
  source: MonthSource;
}

/**
 * The months a package has rows in, described by the global table: `days` the month's calendar
 * days, `days_loaded` those counted, `source` `backfill` when any of them came from a backfill
 * (else `daily`). Ascending.
 */
export function heldMonths(packageMonths: Iterable<number>, days: ReadonlyMap<number, MonthDays>): HeldMonth[] {
  return [...new Set(packageMonths)]
    .sort((a, b) => a - b)
    .map((month) => {
      const counted = days.get(month) ?? { month, dailyDays: 0, backfillDays: 0 };
      return {
        month: monthFromNumber(month),
        days: daysInMonth(month),
        daysLoaded: daysInMask(counted.dailyDays) + daysInMask(counted.backfillDays),
        source: counted.backfillDays !== 0 ? 'backfill' : 'daily',
      };
    });
}

/** A package's held days as (day, packed) entries of its blocks, for summing them into months. */
export interface HeldDays {
  seed: readonly Uint8Array[];
  breakdown: readonly Uint8Array[];
}

/**
 * A package's daily months summed from the days it holds (from `firstLoaded` on: entries before
 * it are what a purge left in a cut block): what an upgrade fills the months with.
 */
export function monthsOfHeldDays(held: HeldDays, firstLoaded: number): Map<number, MonthSums> {
  const months = new Map<number, MonthSums>();
  const sumsOf = (day: number): MonthSums => {
    const month = monthOfDayNumber(day);
    let sums = months.get(month);
    if (!sums) months.set(month, (sums = monthSums()));
    return sums;
  };
  for (const table of ['seed', 'breakdown'] as const) {
    for (const block of held[table]) {
      visitPackageDays(block, firstLoaded, 2 ** 31 - 1, Number.MAX_SAFE_INTEGER, (day, category, downloads) => {
        sumsOf(day)[table].addPairs([category, downloads]);
      });
    }
  }
  return months;
}

/**
 * What a daily load of `day` (whose bit is `bit`) does to its month, given whether the store holds
 * the day from an earlier load (`loaded`). A month takes each day once: a new day is added; a day
 * held is replaced (its old entries taken off, the new ones added); a day the month counts from a
 * load since purged is not counted again (its month keeps what it counted: the month cannot take
 * off what the store no longer holds, and the purge guard keeps loads from reaching such days).
 * Refused when a backfill counts the day: the month could not take it off either.
 */
export function dailyDayInMonth(current: MonthDays | undefined, month: number, bit: number, loaded: boolean, day: string): { days: MonthDays; counts: boolean } {
  const counted = current ?? { month, dailyDays: 0, backfillDays: 0 };
  if (hasDay(counted.backfillDays, bit)) {
    throw new Error(`${day} is counted in its month by a backfill: loading it as a day would count it twice`);
  }
  if (hasDay(counted.dailyDays, bit)) return { days: counted, counts: loaded };
  return { days: { month, dailyDays: counted.dailyDays + bit, backfillDays: counted.backfillDays }, counts: true };
}

/** Whether the mask holds the bit. */
export function hasDay(mask: number, bit: number): boolean {
  return Math.floor(mask / bit) % 2 === 1;
}

/** The days of a mask of the month, ascending. */
export function daysOfMask(month: number, mask: number): Day[] {
  const first = firstDayNumberOf(month);
  const days: Day[] = [];
  for (let i = 0; i < daysInMonth(month); i++) if (hasDay(mask, 2 ** i)) days.push(dayFromNumber(first + i));
  return days;
}

/**
 * The mask of the days a backfill of `month` counts. A backfill never counts a day a daily load
 * counts (the daily day wins: the backfill is computed over the month's other days), so such a
 * day, a day of another month or none at all is refused, before anything is written.
 */
export function backfillMask(month: Month, days: readonly Day[], current: MonthDays | undefined): number {
  if (days.length === 0) throw new Error(`a backfill of ${month} must count at least one day`);
  const number = monthNumber(month);
  let mask = 0;
  for (const day of days) {
    const n = dayNumber(day);
    if (monthOfDayNumber(n) !== number) throw new Error(`${day} is not a day of ${month}`);
    const bit = dayBit(n);
    if (current && hasDay(current.dailyDays, bit)) throw new Error(`${day} is counted by a daily load: a backfill of ${month} must leave it out`);
    if (!hasDay(mask, bit)) mask += bit;
  }
  return mask;
}
