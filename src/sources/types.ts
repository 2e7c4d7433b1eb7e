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
