/**
 * What a load refuses before it writes anything: a day that has not happened yet, a day whose
 * source holds no downloads, and a day far below the days around it. Each would replace a good
 * day (or the whole window, through the purge) with a bad one, and still look like a success.
 */
import { addDays, dayNumber, type Day } from '../domain/dates.js';
import { totalSkipped, type DaySummary } from '../domain/aggregates.js';
import type { LoadedDay } from '../store/types.js';

/** The default of LOAD_MIN_SHARE: see its entry in src/config.ts for why this figure. */
export const DEFAULT_MIN_SHARE = 30;

/**
 * Days on either side compared with: three each way and the day itself make one week, so the
 * median is over a week's mix of weekdays and weekend days, whichever day is loaded.
 */
export const NEIGHBOUR_DAYS = 3;

/** Fewer loaded neighbours than this, and there is no comparison: one odd day would decide it. */
export const MIN_NEIGHBOURS = 3;

export interface GuardOptions {
  /** Load a day whose source holds no downloads, as an empty day. */
  allowEmpty?: boolean;
  /** Load a day however far it falls below its neighbours. */
  allowDrop?: boolean;
  /** LOAD_MIN_SHARE: percent of the neighbours' median below which a day is refused. */
  minShare?: number;
}

export type RefusalReason = 'future' | 'empty' | 'drop' | 'retention';

/** A load refused before anything was written. */
export class LoadRefusedError extends Error {
  constructor(
    readonly day: Day,
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

const number = new Intl.NumberFormat('en-US');

export function refuseFuture(day: Day, today: Day): void {
  if (dayNumber(day) > dayNumber(today)) {
    throw new LoadRefusedError(day, 'future', `${day} is after today (${today}, UTC): its downloads have not happened yet; nothing was written`);
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The loaded days within NEIGHBOUR_DAYS of `day` (not the day itself) whose source said how many downloads they had. */
export function neighboursOf(day: Day, loaded: readonly LoadedDay[]): LoadedDay[] {
  const from = dayNumber(addDays(day, -NEIGHBOUR_DAYS));
  const to = dayNumber(addDays(day, NEIGHBOUR_DAYS));
  return loaded
    .filter((other) => {
      const n = dayNumber(other.day);
      return other.day !== day && n >= from && n <= to && other.summary !== null;
    })
    .sort((a, b) => dayNumber(a.day) - dayNumber(b.day));
}

/** Throws when the day's summary says it must not be written (unless `options` allow it). */
export function refuseSummary(summary: DaySummary, loaded: readonly LoadedDay[], options: GuardOptions): void {
  const { day } = summary;
  if (summary.downloads === 0) {
    if (options.allowEmpty) return;
    const events = summary.metadataFetches + totalSkipped(summary.skipped);
    throw new LoadRefusedError(
      day,
      'empty',
      `${day}: the source holds no downloads for this day (${number.format(events)} events read); nothing was written; --allow-empty loads it as an empty day`,
    );
  }
  if (options.allowDrop) return;
  const minShare = options.minShare ?? DEFAULT_MIN_SHARE;
  const neighbours = neighboursOf(day, loaded);
  if (minShare === 0 || neighbours.length < MIN_NEIGHBOURS) return;
  const typical = median(neighbours.map((other) => other.summary!.downloads));
  const share = (summary.downloads / typical) * 100;
  if (share < minShare) {
    throw new LoadRefusedError(
      day,
      'drop',
      `${day}: ${number.format(summary.downloads)} downloads, ${share.toFixed(1)}% of the median ${number.format(typical)} of the ${neighbours.length} loaded days around it ` +
        `(${neighbours[0]!.day} to ${neighbours.at(-1)!.day}), below LOAD_MIN_SHARE (${minShare}%); nothing was written; --allow-drop loads it anyway`,
    );
  }
}
