/**
 * What a source makes of a day's raw events and a store keeps: aggregate rows, and the summary of
 * what the events came to. Shared by sources, pipeline and stores, so it lives below all three.
 */
import type { Day } from './dates.js';

/** One aggregate: the downloads of one package on one day in one category of one dimension. */
export interface AggregateRow {
  package: string;
  dimension: string;
  category: string;
  downloads: number;
}

/** Raw events that did not become downloads, by reason. */
export interface SkippedEvents {
  /** No timestamp, or one that is not a time. */
  noTimestamp: number;
  /** No `file.project` (or an empty one). */
  noProject: number;
  /** A project name over 128 characters after normalization. */
  nameTooLong: number;
  /** A project name PyPI could not have (PEP 508). */
  invalidName: number;
}

export interface DaySummary {
  day: Day;
  /** Events of the day that counted as downloads (mirrors included). */
  downloads: number;
  /** Events of the day for `.metadata` files: well-formed, but not downloads. */
  metadataFetches: number;
  skipped: SkippedEvents;
  /** Distinct packages with downloads. */
  packages: number;
}

export function totalSkipped(skipped: SkippedEvents): number {
  return skipped.noTimestamp + skipped.noProject + skipped.nameTooLong + skipped.invalidName;
}
