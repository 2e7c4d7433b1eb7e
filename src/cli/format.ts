/** How the CLI says what happened, one line per day. */
import type { DayLoadResult } from '../pipeline/load.js';
import { totalSkipped } from '../sources/types.js';
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
    result.purgedDays.length > 0 ? `purged ${result.purgedDays.length} days up to ${result.purgedDays.at(-1)}` : '',
  ]
    .filter((part) => part !== '')
    .join('; ');
}

function describeLoad(record: LoadRecord): string {
  const started = record.startedAt.replace('T', ' ').slice(0, 19);
  const seconds = record.finishedAt ? ` in ${((Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000).toFixed(1)} s` : '';
  const outcome =
    record.status === 'succeeded'
      ? `${number.format(record.eventsIn ?? 0)} events → ${number.format(record.rowsOut ?? 0)} rows, ${number.format(record.skipped ?? 0)} skipped`
      : record.status === 'failed'
        ? (record.error ?? '').split('\n')[0]!
        : record.status === 'running'
          ? 'running (or its process was killed)'
          : 'stopped before it finished';
  return `  ${record.day}  ${record.source.padEnd(8)} ${record.status.padEnd(11)} started ${started}${seconds}: ${outcome}`;
}

export function describeStatus(status: StoreStatus, history: LoadRecord[] = []): string {
  const lines = [
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
