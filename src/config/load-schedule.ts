/** Scheduled loads inside `serve`: the source, the daily time, catch-up and retries. */
import { DEFAULT_MIN_SHARE } from '../pipeline/guards.js';
import { ConfigError, integer, type Env } from './parse.js';

export type LoadSourceKind = 'none' | 'files' | 'bigquery' | 'access-log';

export interface LoadScheduleConfig {
  /** The source `serve` loads each day from; `none`: no scheduled loads. */
  source: LoadSourceKind;
  /** For the files and access-log sources: paths or globs, `{date}` standing for the day. */
  inputs: string[];
  /** Minutes after midnight UTC. */
  minute: number;
  catchUpDays: number;
  retries: number;
  retryDelaySeconds: number;
  /** Percent of the neighbouring days' median downloads below which a load is refused; 0: never. */
  minShare: number;
}

export function loadSchedule(env: Env, retentionDays: number): LoadScheduleConfig {
  const source = (env.LOAD_SOURCE?.trim().toLowerCase() || 'none') as LoadSourceKind;
  if (!['none', 'files', 'bigquery', 'access-log'].includes(source)) throw new ConfigError(`LOAD_SOURCE must be none, files, bigquery or access-log, got "${env.LOAD_SOURCE}"`);
  const input = env.LOAD_INPUT?.trim() ?? '';
  if (source === 'files' && input === '') throw new ConfigError('LOAD_INPUT must name the raw event files when LOAD_SOURCE=files');
  if (source === 'access-log' && input === '') throw new ConfigError('LOAD_INPUT must name the access logs when LOAD_SOURCE=access-log');
  const time = /^(\d{1,2}):(\d{2})$/.exec(env.LOAD_TIME?.trim() || '01:00');
  if (!time || Number(time[1]) > 23 || Number(time[2]) > 59) throw new ConfigError(`LOAD_TIME must be HH:MM in UTC, got "${env.LOAD_TIME}"`);
  return {
    source,
    inputs: input === '' ? [] : [input],
    minute: Number(time[1]) * 60 + Number(time[2]),
    catchUpDays: integer(env, 'LOAD_CATCH_UP_DAYS', retentionDays, 1, retentionDays),
    retries: integer(env, 'LOAD_RETRIES', 5, 0, 100),
    retryDelaySeconds: integer(env, 'LOAD_RETRY_DELAY', 60, 0, 86_400),
    minShare: integer(env, 'LOAD_MIN_SHARE', DEFAULT_MIN_SHARE, 0, 100),
  };
}
