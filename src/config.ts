/**
 * Configuration from environment variables, parsed and validated once at start-up into one typed
 * object. A bad value stops start-up with a message that names the variable.
 */
import { DEFAULT_DEMO_OPTIONS } from './domain/demo.js';
import { DEFAULT_MIRROR_INSTALLERS } from './domain/mirrors.js';
import { DEFAULT_BIGQUERY_TABLE, isBigQueryTableName } from './sources/bigquery-query.js';

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolSize: number };

export type LoadSourceKind = 'none' | 'files' | 'bigquery';

export interface LoadScheduleConfig {
  /** The source `serve` loads each day from; `none`: no scheduled loads. */
  source: LoadSourceKind;
  /** For the files source: paths or globs, `{date}` standing for the day. */
  inputs: string[];
  /** Minutes after midnight UTC. */
  minute: number;
  catchUpDays: number;
  retries: number;
  retryDelaySeconds: number;
}

/** The fields of a Google service-account key that matter here; the rest is passed on untouched. */
export interface ServiceAccountKey {
  type?: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
  token_uri?: string;
}

export type BigQueryCredentials =
  /** GOOGLE_SERVICE_ACCOUNT_JSON, parsed and checked. */
  | { kind: 'service-account-json'; key: ServiceAccountKey }
  /** GOOGLE_APPLICATION_CREDENTIALS: read when a BigQuery source is opened, not at start-up. */
  | { kind: 'key-file'; path: string };

export interface BigQueryConfig {
  table: string;
  /** BIGQUERY_PROJECT; null: the credentials' `project_id`. */
  project: string | null;
  /** null: neither variable is set, and a BigQuery load says which to set. */
  credentials: BigQueryCredentials | null;
  /** null: Google's endpoint. */
  apiEndpoint: string | null;
  /** USD per TiB scanned, for dry-run cost estimates. */
  pricePerTib: number;
}

export interface Config {
  database: DatabaseConfig;
  host: string;
  port: number;
  retentionDays: number;
  mirrorInstallers: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Seconds clients and proxies may reuse an API response (`Cache-Control: max-age`). */
  cacheMaxAge: number;
  demo: { enabled: boolean; days: number; packages: number; seed: number; eventsPerDay: number };
  load: LoadScheduleConfig;
  /** PyPI's JSON API, read for the package page's metadata; `url` has no trailing slash. */
  pypi: { url: string; timeoutMs: number };
  bigquery: BigQueryConfig;
}

/** Every variable the service reads, with what it means: the README's table is made from this. */
export const variables = {
  DATABASE_URL:
    'Where the aggregates live: `sqlite:PATH` (unset: `sqlite:data/pypistats.sqlite`) or `postgres://user:password@host:port/database` (`?options=-c%20search_path%3Dschema` picks a schema).',
  DATABASE_POOL_SIZE: 'Connections each process keeps to PostgreSQL (default `10`).',
  HOST: 'Address the server listens on (default `localhost`; `0.0.0.0` in a container).',
  PORT: 'Port the server listens on (default `8080`).',
  RETENTION_DAYS: 'Days of data kept, ending at the latest loaded day; older days are purged after each load (default `180`).',
  MIRROR_INSTALLERS: 'Comma-separated installer names counted as mirrors (default `bandersnatch,z3c.pypimirror,Artifactory,devpi`).',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent (default `info`; `debug` logs every request).',
  CACHE_MAX_AGE: 'Seconds in the `Cache-Control: max-age` of API responses (default `3600`).',
  DEMO_DATA: '`on` (default): `serve` loads demo data when the database is empty and no `LOAD_SOURCE` is set; `off`: never.',
  DEMO_DAYS: 'Days of demo data `serve` loads into an empty database (default `180`, at most RETENTION_DAYS).',
  DEMO_PACKAGES: `Packages in the demo data (default \`${DEFAULT_DEMO_OPTIONS.packages}\`).`,
  DEMO_SEED: `Seed of the demo data: the same seed gives the same data (default \`${DEFAULT_DEMO_OPTIONS.seed}\`).`,
  DEMO_EVENTS_PER_DAY: `Average raw download events per demo day (default \`${DEFAULT_DEMO_OPTIONS.eventsPerDay}\`).`,
  LOAD_SOURCE: '`files` or `bigquery`: `serve` loads the previous UTC day every day at `LOAD_TIME`, and on start the days missing within `LOAD_CATCH_UP_DAYS` (default `none`: no scheduled loads).',
  LOAD_INPUT: 'For `LOAD_SOURCE=files`: the raw event files, a path or glob in which `{date}` stands for the day (`/exports/{date}/*.parquet`).',
  LOAD_TIME: 'When the daily load runs, `HH:MM` in UTC (default `01:00`).',
  LOAD_CATCH_UP_DAYS: 'Days, ending yesterday, that each scheduled run makes sure are loaded (default and at most `RETENTION_DAYS`).',
  LOAD_RETRIES: 'Retries of a failed scheduled load before it waits for the next run (default `5`).',
  LOAD_RETRY_DELAY: 'Seconds before the first retry of a failed scheduled load; each next retry waits twice as long (default `60`).',
  PYPI_URL: 'Base URL of PyPI\'s JSON API, where the package page reads summary, license and dependencies (default `https://pypi.org`).',
  PYPI_TIMEOUT_MS: 'Milliseconds the package page waits for PyPI before it renders without that metadata (default `1500`).',
  GOOGLE_SERVICE_ACCOUNT_JSON:
    'A Google service-account key as a JSON string, for `load --source bigquery` (the variable of the original pypistats.org; used rather than GOOGLE_APPLICATION_CREDENTIALS when both are set).',
  GOOGLE_APPLICATION_CREDENTIALS: 'Path of a Google Cloud credentials file (a service-account key), for `load --source bigquery`.',
  BIGQUERY_PROJECT: "Google Cloud project that runs, and pays for, the BigQuery jobs (default: the credentials' `project_id`).",
  BIGQUERY_TABLE: `Table of raw download events (default \`${DEFAULT_BIGQUERY_TABLE}\`).`,
  BIGQUERY_API_ENDPOINT: "BigQuery API endpoint, for an emulator or a test stand-in (default Google's, `https://bigquery.googleapis.com`).",
  BIGQUERY_PRICE_PER_TIB: 'US dollars per TiB scanned, for the cost `load --source bigquery --dry-run` prints (default `6.25`, the on-demand price).',
} as const;

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: keyof typeof variables, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function database(raw: string | undefined, env: Env): DatabaseConfig {
  if (raw === undefined || raw === '') return { kind: 'sqlite', file: 'data/pypistats.sqlite' };
  if (raw.startsWith('sqlite:')) {
    let file = raw.slice('sqlite:'.length);
    if (file.startsWith('//')) file = file.slice(2);
    if (file === '') throw new ConfigError(`DATABASE_URL must name a file after "sqlite:", got "${raw}"`);
    return { kind: 'sqlite', file };
  }
  if (/^postgres(ql)?:\/\//.test(raw)) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError('DATABASE_URL is not a valid postgres:// URL');
    }
    return { kind: 'postgres', url: raw, poolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 2, 1000) };
  }
  throw new ConfigError(`DATABASE_URL must look like sqlite:PATH or postgres://host/database, got "${raw.replace(/:[^:@/]*@/, ':***@')}"`);
}

function onOff(env: Env, name: keyof typeof variables, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off, got "${env[name]}"`);
}

function loadSchedule(env: Env, retentionDays: number): LoadScheduleConfig {
  const source = (env.LOAD_SOURCE?.trim().toLowerCase() || 'none') as LoadSourceKind;
  if (!['none', 'files', 'bigquery'].includes(source)) throw new ConfigError(`LOAD_SOURCE must be none, files or bigquery, got "${env.LOAD_SOURCE}"`);
  const input = env.LOAD_INPUT?.trim() ?? '';
  if (source === 'files' && input === '') throw new ConfigError('LOAD_INPUT must name the raw event files when LOAD_SOURCE=files');
  const time = /^(\d{1,2}):(\d{2})$/.exec(env.LOAD_TIME?.trim() || '01:00');
  if (!time || Number(time[1]) > 23 || Number(time[2]) > 59) throw new ConfigError(`LOAD_TIME must be HH:MM in UTC, got "${env.LOAD_TIME}"`);
  return {
    source,
    inputs: input === '' ? [] : [input],
    minute: Number(time[1]) * 60 + Number(time[2]),
    catchUpDays: integer(env, 'LOAD_CATCH_UP_DAYS', retentionDays, 1, retentionDays),
    retries: integer(env, 'LOAD_RETRIES', 5, 0, 100),
    retryDelaySeconds: integer(env, 'LOAD_RETRY_DELAY', 60, 0, 86_400),
  };
}

function httpUrl(env: Env, name: keyof typeof variables, fallback: string): string {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, got "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search !== '' || url.hash !== '') {
    throw new ConfigError(`${name} must be an http(s) URL without query or fragment, got "${raw}"`);
  }
  return url.href.replace(/\/+$/, '');
}

/** Never echoes the value: it holds a private key. */
function serviceAccountJson(raw: string): ServiceAccountKey {
  const name = 'GOOGLE_SERVICE_ACCOUNT_JSON';
  let key: unknown;
  try {
    key = JSON.parse(raw);
  } catch {
    throw new ConfigError(`${name} must be a service-account key in JSON, and it is not JSON`);
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) {
    throw new ConfigError(`${name} must be a service-account key, a JSON object`);
  }
  const fields = key as Record<string, unknown>;
  if (fields.type !== undefined && fields.type !== 'service_account') {
    throw new ConfigError(`${name} must be a service-account key ("type": "service_account"), got type "${String(fields.type)}"`);
  }
  for (const field of ['client_email', 'private_key']) {
    if (typeof fields[field] !== 'string' || fields[field] === '') throw new ConfigError(`${name} must be a service-account key, and it has no ${field}`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(fields.private_key as string)) {
    throw new ConfigError(`${name}: its private_key is not a PEM private key`);
  }
  for (const field of ['project_id', 'private_key_id', 'token_uri']) {
    if (fields[field] !== undefined && typeof fields[field] !== 'string') throw new ConfigError(`${name}: its ${field} must be a string`);
  }
  if (fields.token_uri !== undefined && !isHttpUrl(fields.token_uri as string)) {
    throw new ConfigError(`${name}: its token_uri must be an http(s) URL`);
  }
  return key as ServiceAccountKey;
}

function isHttpUrl(raw: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(raw).protocol);
  } catch {
    return false;
  }
}

function bigquery(env: Env): BigQueryConfig {
  const table = env.BIGQUERY_TABLE?.trim() || DEFAULT_BIGQUERY_TABLE;
  if (!isBigQueryTableName(table)) throw new ConfigError(`BIGQUERY_TABLE must be a table name as project.dataset.table, got "${env.BIGQUERY_TABLE}"`);
  const project = env.BIGQUERY_PROJECT?.trim() || null;
  if (project !== null && !/^(?:[a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]*[a-z0-9]$/.test(project)) {
    throw new ConfigError(`BIGQUERY_PROJECT must be a Google Cloud project ID (lower-case letters, digits and hyphens), got "${env.BIGQUERY_PROJECT}"`);
  }
  const endpoint = env.BIGQUERY_API_ENDPOINT?.trim() || null;
  if (endpoint !== null && !isHttpUrl(endpoint)) throw new ConfigError(`BIGQUERY_API_ENDPOINT must be an http(s) URL, got "${env.BIGQUERY_API_ENDPOINT}"`);
  const price = env.BIGQUERY_PRICE_PER_TIB?.trim() || '6.25';
  if (!/^\d+(\.\d+)?$/.test(price)) throw new ConfigError(`BIGQUERY_PRICE_PER_TIB must be a number of US dollars such as 6.25, got "${env.BIGQUERY_PRICE_PER_TIB}"`);
  const json = env.GOOGLE_SERVICE_ACCOUNT_JSON?.trim();
  const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS?.trim();
  const credentials: BigQueryCredentials | null = json
    ? { kind: 'service-account-json', key: serviceAccountJson(json) }
    : keyFile
      ? { kind: 'key-file', path: keyFile }
      : null;
  return { table, project, credentials, apiEndpoint: endpoint?.replace(/\/+$/, '') ?? null, pricePerTib: Number(price) };
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env): Config {
  const retentionDays = integer(env, 'RETENTION_DAYS', 180, 1, 36_500);
  const demoDays = integer(env, 'DEMO_DAYS', Math.min(180, retentionDays), 1, 36_500);
  if (demoDays > retentionDays) {
    throw new ConfigError(`DEMO_DAYS (${demoDays}) must not exceed RETENTION_DAYS (${retentionDays})`);
  }
  const logLevel = (env.LOG_LEVEL ?? 'info').trim().toLowerCase();
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const mirrors = (env.MIRROR_INSTALLERS ?? DEFAULT_MIRROR_INSTALLERS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const host = env.HOST?.trim() || 'localhost';
  if (/\s/.test(host)) throw new ConfigError(`HOST must be a host name or address, got "${env.HOST}"`);
  return {
    database: database(env.DATABASE_URL?.trim(), env),
    host,
    port: integer(env, 'PORT', 8080, 0, 65_535),
    retentionDays,
    mirrorInstallers: mirrors,
    logLevel: logLevel as Config['logLevel'],
    cacheMaxAge: integer(env, 'CACHE_MAX_AGE', 3600, 0, 31_536_000),
    demo: {
      enabled: onOff(env, 'DEMO_DATA', true),
      days: demoDays,
      packages: integer(env, 'DEMO_PACKAGES', DEFAULT_DEMO_OPTIONS.packages, 1, 100_000),
      seed: integer(env, 'DEMO_SEED', DEFAULT_DEMO_OPTIONS.seed, 0, 2 ** 31 - 1),
      eventsPerDay: integer(env, 'DEMO_EVENTS_PER_DAY', DEFAULT_DEMO_OPTIONS.eventsPerDay, 100, 100_000_000),
    },
    load: loadSchedule(env, retentionDays),
    pypi: {
      url: httpUrl(env, 'PYPI_URL', 'https://pypi.org'),
      timeoutMs: integer(env, 'PYPI_TIMEOUT_MS', 1500, 1, 60_000),
    },
    bigquery: bigquery(env),
  };
}
