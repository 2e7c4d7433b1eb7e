/**
 * Progress of multi-day work: a bar on a terminal's stderr, or else a line per day on stdout
 * (logs, CI, scripts), where each line is also the day's result.
 */
import cliProgress from 'cli-progress';
import type { RangeProgress } from '../pipeline/load.js';
import { describeDayLoad } from './format.js';
import type { BackfilledMonth } from '../pipeline/backfill.js';

export interface Progress {
  onDay(progress: RangeProgress): void;
  stop(): void;
}

export function dayProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    return { onDay: ({ last }) => console.log(describeDayLoad(last)), stop: () => undefined };
  }
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {value}/{total} days | {day} | eta {eta_formatted}', stream, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { day: '' });
  let stopped = false;
  return {
    onDay: ({ done, last }) => bar.update(done, { day: last.day }),
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}

/** A backfill's months: a bar on a terminal's stderr, or else a line per month on stdout. */
export function monthProgress(total: number, describe: (month: BackfilledMonth) => string, stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { onMonth: (month: BackfilledMonth) => console.log(describe(month)), stop: () => undefined, printsLines: true };
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {value}/{total} months | {month} | eta {eta_formatted}', stream, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { month: '' });
  let done = 0;
  let stopped = false;
  return {
    onMonth: (month: BackfilledMonth) => bar.update(++done, { month: month.month }),
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
    printsLines: false,
  };
}
