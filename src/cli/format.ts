/** How the CLI says what happened, one line per day. */
import type { DayLoadResult } from '../pipeline/load.js';
import { totalSkipped } from '../sources/types.js';
import type { StoreStatus } from '../store/types.js';

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

export function describeStatus(status: StoreStatus): string {
  const lines = [
    `store:        ${status.location}`,
    `days loaded:  ${number.format(status.days)}${status.firstDay ? ` (${status.firstDay} to ${status.latestDay})` : ''}`,
    `latest day:   ${status.latestDay ?? 'none'}`,
    `packages:     ${number.format(status.packages)}`,
    `rows:         ${number.format(status.rows)}`,
  ];
  if (status.bytes !== null) lines.push(`size:         ${(status.bytes / 1024 / 1024).toFixed(1)} MB`);
  lines.push(`data version: ${status.dataVersion}`);
  return lines.join('\n');
}
