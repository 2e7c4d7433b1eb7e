import type { Day } from '../domain/dates.js';
import type { AggregateRow, DaySummary } from '../domain/aggregates.js';

export interface DayAggregation {
  summary: DaySummary;
  /** The aggregate rows in chunks, so a PyPI-sized day never sits in memory whole. */
  rows: AsyncIterable<AggregateRow[]>;
}

/** Turns the raw events of one UTC day into aggregate rows. A source never writes to the store. */
export interface Source {
  readonly name: string;
  aggregateDay(day: Day): Promise<DayAggregation>;
  close?(): Promise<void> | void;
}

/** A run of consecutive days, both ends included. */
export interface DaySpan {
  first: Day;
  last: Day;
}

/** A source that sums runs of days as one (a month's backfill: monthly rows only). */
export interface SpanSource extends Source {
  aggregateSpans(spans: readonly DaySpan[], label: string): Promise<DayAggregation>;
}
