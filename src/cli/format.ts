/** How the CLI says what happened, one line per day. */
import type { BackfilledMonth, MonthPlan } from '../pipeline/backfill.js';
import type { DayLoadResult, RangeLoadError } from '../pipeline/load.js';
import type { DryRun } from '../sources/bigquery.js';
import { totalSkipped, type LogLines } from '../domain/aggregates.js';
import type { LoadRecord, StoreStatus } from '../store/types.js';

const number = new Intl.NumberFormat('en-US');

export function describeDayLoad(result: DayLoadResult): string {
  const { summary } = result;
  const { skipped } = summary;
  const reasons: [number, string][] = [
    [skipped.noTimestamp, 'without timestamp'],
    [skipped.noProject, 'without project'],
    [skipped.nameTooLong, 'with a name over 128 characters'],
    [skipped.invalidName, 'with an invalid name'],
  ];
  const given = reasons.filter(([count]) => count > 0).map(([count, reason]) => `${number.format(count)} ${reason}`);
  return [
    `${result.day}: ${number.format(summary.downloads)} downloads of ${number.format(summary.packages)} packages → ${number.format(result.rows)} rows in ${result.seconds.toFixed(2)} s`,
    summary.metadataFetches > 0 ? `${number.format(summary.metadataFetches)} .metadata fetches not counted` : '',
    given.length > 0 ? `skipped ${number.format(totalSkipped(skipped))} malformed events (${given.join(', ')})` : '',
    summary.logLines ? describeLogLines(summary.logLines) : '',
    result.purgedDays.length > 0 ? `purged ${result.purgedDays.length} days up to ${result.purgedDays.at(-1)}` : '',
  ]
    .filter((part) => part !== '')
    .join('; ');
}

/** Every line of the access logs, accounted for: the requests that were events, and the others by reason. */
function describeLogLines(logLines: LogLines): string {
  const { notCounted } = logLines;
  const reasons: [number, string][] = [
    [notCounted.otherDay, 'of other days'],
    [notCounted.notAFile, 'not of a distribution file'],
    [notCounted.notGet, 'not GET'],
    [notCounted.status, 'with another status'],
    [notCounted.partial, 'range requests (206)'],
    [notCounted.malformed, 'malformed'],
  ];
  const given = reasons.filter(([count]) => count > 0).map(([count, reason]) => `${number.format(count)} ${reason}`);
  return `${number.format(logLines.lines)} log lines${given.length > 0 ? `, not counted: ${given.join(', ')}` : ''}`;
}

/** After a range's loaded days: the day it stopped at and why, and the days it did not try. */
export function describeRangeFailure(error: RangeLoadError): string {
  const reason = error.reason.message.startsWith(`${error.failed}: `) ? error.reason.message.slice(error.failed.length + 2) : error.reason.message;
  const lines = [`${error.failed}: not loaded (it keeps what it had): ${reason.split('\n')[0]}`];
  const rest = error.notAttempted;
  if (rest.length > 0) lines.push(`not attempted: ${rest.length === 1 ? rest[0] : `${rest[0]} to ${rest.at(-1)} (${rest.length} days)`}`);
  return lines.join('\n');
}

function describeLoad(record: LoadRecord): string {
  const started = record.startedAt.replace('T', ' ').slice(0, 19);
  const seconds = record.finishedAt ? ` in ${((Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000).toFixed(1)} s` : '';
  const outcome =
    record.status === 'succeeded'
      ? `${number.format(record.eventsIn ?? 0)} events → ${number.format(record.rowsOut ?? 0)} rows, ${number.format(record.skipped ?? 0)} skipped`
      : record.status === 'failed' || record.status === 'refused'
        ? (record.error ?? '').split('\n')[0]!
        : record.status === 'running'
          ? 'running (or its process was killed)'
          : 'stopped before it finished';
  return `  ${record.day}  ${record.source.padEnd(8)} ${record.status.padEnd(11)} started ${started}${seconds}: ${outcome}`;
}

export function describeStatus(status: StoreStatus, history: LoadRecord[] = []): string {
  const lines = [
    ...(status.demo ? ["data:         DEMO DATA, made up by `pypistats demo` (or `serve` on an empty database), not PyPI's downloads"] : []),
    `store:        ${status.location}`,
    `days loaded:  ${number.format(status.days)}${status.firstDay ? ` (${status.firstDay} to ${status.latestDay})` : ''}`,
    `latest day:   ${status.latestDay ?? 'none'}`,
    `packages:     ${number.format(status.packages)}`,
    `rows:         ${number.format(status.rows)}`,
  ];
  if (status.bytes !== null) lines.push(`size:         ${(status.bytes / 1024 / 1024).toFixed(1)} MB`);
  lines.push(`data version: ${status.dataVersion}`);
  if (history.length > 0) lines.push('', 'latest loads:', ...history.map(describeLoad));
  return lines.join('\n');
}

const TIB = 2 ** 40;
const units: [number, string][] = [
  [TIB, 'TiB'],
  [2 ** 30, 'GiB'],
  [2 ** 20, 'MiB'],
  [2 ** 10, 'KiB'],
];

function describeBytes(bytes: number, pricePerTib: number): string {
  const [size, unit] = units.find(([size]) => bytes >= size) ?? [1, 'bytes'];
  const cost = (bytes / TIB) * pricePerTib;
  return `${(bytes / size).toFixed(unit === 'bytes' ? 0 : 2)} ${unit} (${number.format(bytes)} bytes), USD ${cost.toFixed(2)} at USD ${pricePerTib} per TiB`;
}

/** The SQL of a BigQuery load, and per day what it would scan and cost on demand. */
export function describeDryRuns(runs: readonly DryRun[], pricePerTib: number): string {
  const first = runs[0];
  if (!first) return 'dry run: no days';
  const lines = [
    '-- Dry run: the query `load --source bigquery` runs for each day. Nothing was run or written.',
    `-- @day_start, @day_end: the day's bounds in UTC; @mirrors: ${JSON.stringify(first.parameters.mirrors)}`,
    // DIMENSIONS decides the columns read, so the bytes below are for these.
    `-- Dimensions (DIMENSIONS): ${first.dimensions.join(', ')}`,
    first.sql,
    '',
    ...runs.map((run) => `${run.day}: would scan ${describeBytes(run.bytes, pricePerTib)}`),
  ];
  if (runs.length > 1) lines.push(`total: would scan ${describeBytes(runs.reduce((sum, run) => sum + run.bytes, 0), pricePerTib)}`);
  return lines.join('\n');
}

/** A month a backfill wrote. */
export function describeBackfilledMonth(month: BackfilledMonth): string {
  return `${month.month}: ${number.format(month.downloads)} downloads of ${number.format(month.packages)} packages over ${month.days} days → ${number.format(month.rows)} rows in ${month.seconds.toFixed(2)} s`;
}

/** What a backfill leaves alone: months already done, and months with no day to backfill. */
export function describeSkippedMonth(plan: MonthPlan): string {
  return plan.done
    ? `${plan.month}: already backfilled (${plan.days.length} days); skipped`
    : `${plan.month}: nothing to backfill (its days are loaded daily, within the retention window, or to come); skipped`;
}

/** The SQL of a backfill from BigQuery, and per month what it would scan and cost on demand, and the total. */
export function describeBackfillDryRuns(runs: readonly DryRun[], pricePerTib: number): string {
  const first = runs[0];
  if (!first) return 'dry run: no month to backfill';
  const lines = [
    '-- Dry run: the query `backfill --source bigquery` runs for each month (grouped in BigQuery: only monthly rows come back). Nothing was run or written.',
    `-- @day_start, @day_end (and _1, _2… for more runs of days): the bounds in UTC of the month's days it counts; @mirrors: ${JSON.stringify(first.parameters.mirrors)}`,
    `-- Dimensions (--dimensions, else DIMENSIONS): ${first.dimensions.join(', ')}`,
    // A month whose days to count come in several runs has a pair of bounds per run: each text once.
    ...[...new Set(runs.map((run) => run.sql))].map((sql) => {
      const months = runs.filter((run) => run.sql === sql).map((run) => run.day);
      return `-- For ${months.length === runs.length ? 'every month' : months.join(', ')}:\n${sql}`;
    }),
    '',
    ...runs.map((run) => `${run.day}: would scan ${describeBytes(run.bytes, pricePerTib)}`),
    `total: ${runs.length} months, would scan ${describeBytes(runs.reduce((sum, run) => sum + run.bytes, 0), pricePerTib)}`,
  ];
  return lines.join('\n');
}
