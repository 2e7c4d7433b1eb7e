/** The access-log source (a private index's web server logs), and the index's own name on the site. */
import { existsSync } from 'node:fs';
import { compileLogFormat, LogFormatError } from '../domain/access-log-format.js';
import type { CountryDatabaseChoice } from '../domain/country-database.js';
import { ConfigError, onOff, type Env } from './parse.js';

export interface AccessLogConfig {
  /** `combined`, or an nginx `log_format` / Apache `LogFormat` string (checked here, compiled by the source). */
  format: string;
  /** Whether `304 Not Modified` counts as a download. */
  countNotModified: boolean;
  countries: CountryDatabaseChoice;
}

/** Longest index name shown: a host name is at most 253 characters. */
const MAX_INDEX_NAME = 253;

export function accessLog(env: Env): AccessLogConfig {
  const format = env.ACCESS_LOG_FORMAT?.trim() || 'combined';
  try {
    compileLogFormat(format);
  } catch (error) {
    if (error instanceof LogFormatError) throw new ConfigError(`ACCESS_LOG_FORMAT: ${error.message}`);
    throw error;
  }
  const database = env.COUNTRY_DATABASE?.trim() ?? '';
  let countries: CountryDatabaseChoice = { kind: 'shipped' };
  if (database.toLowerCase() === 'off') countries = { kind: 'none' };
  else if (database !== '') {
    if (!existsSync(database)) throw new ConfigError(`COUNTRY_DATABASE names no file: "${database}" (a path to an .mmdb file, or off)`);
    countries = { kind: 'file', path: database };
  }
  return { format, countNotModified: onOff(env, 'ACCESS_LOG_COUNT_NOT_MODIFIED', false), countries };
}

/** INDEX_NAME: the index the site shows the downloads of (`packages.example.com`); null: PyPI. */
export function indexName(raw: string | undefined): string | null {
  const name = raw?.trim() ?? '';
  if (name === '') return null;
  if (name.length > MAX_INDEX_NAME || /[\u0000-\u001f<>]/.test(name)) throw new ConfigError(`INDEX_NAME must be a name of at most ${MAX_INDEX_NAME} printable characters, got "${raw}"`);
  return name;
}
