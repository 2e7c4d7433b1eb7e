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

/**
 * What became of an access log's lines (the access-log source only): every line is one of the
 * reasons here, or a request of a distribution file, which is then an event of the day.
 */
export interface LogLineReasons {
  /** Not in the configured format (an empty line, a truncated one, another format). */
  malformed: number;
  /** In the format, but of another UTC day than the one loaded. */
  otherDay: number;
  /** A request other than GET (HEAD, POST, a garbled request line). */
  notGet: number;
  /** A range request answered 206: part of a file, which a client may fetch in many parts. */
  partial: number;
  /** Any status but 2xx (and 304, when counted): redirects, 404s, errors. */
  status: number;
  /** A successful GET of something that is no distribution file: index pages, `/simple/`, signatures. */
  notAFile: number;
}

export interface LogLines {
  lines: number;
  notCounted: LogLineReasons;
}

export function totalNotCounted(reasons: LogLineReasons): number {
  return reasons.malformed + reasons.otherDay + reasons.notGet + reasons.partial + reasons.status + reasons.notAFile;
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
  /** For a source that reads access logs: its lines, and why those that are no event were left. */
  logLines?: LogLines;
}

export function totalSkipped(skipped: SkippedEvents): number {
  return skipped.noTimestamp + skipped.noProject + skipped.nameTooLong + skipped.invalidName;
}
