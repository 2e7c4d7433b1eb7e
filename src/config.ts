/**
 * Configuration from environment variables, parsed and validated once at start-up into one typed
 * object. A bad value stops start-up with a message that names the variable. Sections with more
 * than a few rules are parsed in config/.
 */
import { DEFAULT_DEMO_OPTIONS } from './domain/demo.js';
import { DEFAULT_MIRROR_INSTALLERS } from './domain/mirrors.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_QUERY_TIMEOUT_MS } from './store/postgres/timeouts.js';
import { DEFAULT_BIGQUERY_TABLE } from './domain/bigquery-table.js';
import { accessLog, indexName, type AccessLogConfig } from './config/access-log.js';
import { accounts, accountVariables, type AccountsConfig } from './config/accounts.js';
import { bigquery, type BigQueryConfig } from './config/bigquery.js';
import { enabledDimensionNames } from './config/dimensions.js';
import { loadSchedule, type LoadScheduleConfig } from './config/load-schedule.js';
import { redis, trustedProxies, type RedisConfig } from './config/network.js';
import { ConfigError, httpUrl, integer, onOff, type Env } from './config/parse.js';
import { serverLimits, type ServerLimitsConfig } from './config/server-limits.js';

export { ConfigError };
export type { AccountsConfig, GithubConfig } from './config/accounts.js';
export type { BigQueryConfig, BigQueryCredentials, ServiceAccountKey } from './config/bigquery.js';
export type { LoadScheduleConfig, LoadSourceKind } from './config/load-schedule.js';
export type { ServerLimitsConfig } from './config/server-limits.js';
export type { AccessLogConfig } from './config/access-log.js';

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  /** The timeouts, when left out, are those of store/postgres/timeouts.ts. */
  | { kind: 'postgres'; url: string; poolSize: number; connectTimeoutMs?: number; queryTimeoutMs?: number };

export interface Config {
  database: DatabaseConfig;
  host: string;
  port: number;
  /** Timeouts, the connection cap and the drain of `serve`. */
  server: ServerLimitsConfig;
  retentionDays: number;
  /** The dimensions on (DIMENSIONS), the seed's four included, in registry order; see enabledDimensions. */
  dimensions: string[];
  mirrorInstallers: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Seconds clients and proxies may reuse an API response (`Cache-Control: max-age`). */
  cacheMaxAge: number;
  /** Bytes of memory each cache of the serving process may hold: the API's answers, and the pages. */
  cacheBytes: { responses: number; pages: number };
  demo: { enabled: boolean; days: number; packages: number; seed: number; eventsPerDay: number };
  load: LoadScheduleConfig;
  /** PyPI's JSON API, read for the package page's metadata; `url` has no trailing slash. */
  /** `url` null: package pages ask no JSON API (PYPI_URL=off, or a private index's default). */
  pypi: { url: string | null; timeoutMs: number };
  bigquery: BigQueryConfig;
  /** How the access-log source reads a private index's web server logs. */
  accessLog: AccessLogConfig;
  /** The private index whose downloads these are, shown on the site; null: PyPI. */
  indexName: string | null;
  /** Processes serving HTTP together on one port (SERVE_PROCESSES); one of them runs the scheduled loads. */
  processes: number;
  /** Requests each client address may make to the JSON API; 0 turns a window off. */
  rateLimit: { perSecond: number; perMinute: number };
  /** Requests each client address may make to the pages that ask PyPI (the package page); 0 turns a window off. */
  pageRateLimit: { perSecond: number; perMinute: number };
  /** Badges, charts and shields.io answers each client address may request (not the JSON API's limit); 0 turns a window off. */
  embedRateLimit: { perSecond: number; perMinute: number };
  /** Where rate-limit counts are shared between processes; null: each process counts in memory. */
  redis: RedisConfig | null;
  /** Proxies whose `X-Forwarded-For` is believed, as Fastify's `trustProxy` takes them. */
  trustedProxies: string[];
  /** Seconds of `Strict-Transport-Security` on responses sent over HTTPS; 0: none. */
  hstsMaxAge: number;
  /** GitHub sign-in, tracked packages, API tokens and the admin console (config/accounts.ts). */
  accounts: AccountsConfig;
}

const MIB = 1024 * 1024;
/** RESPONSE_CACHE_MB and PAGE_CACHE_MB unset: the README's RSS figure is measured with these. */
export const DEFAULT_CACHE_MIB = { responses: 256, pages: 64 } as const;

/** Every variable the service reads, with what it means: the README's table is made from this. */
export const variables = {
  DATABASE_URL:
    'Where the aggregates live: `sqlite:PATH` (unset: `sqlite:data/pypistats.sqlite`) or `postgres://user:password@host:port/database` (`?options=-c%20search_path%3Dschema` picks a schema).',
  DATABASE_POOL_SIZE: 'Connections each process keeps to PostgreSQL (default `10`).',
  DATABASE_CONNECT_TIMEOUT_MS:
    'Milliseconds to wait for PostgreSQL to accept a connection (or for a free one in the pool) before a command fails or a request gets a 503 (default `5000`).',
  DATABASE_QUERY_TIMEOUT_MS:
    'Milliseconds a read for the API or a page may wait for PostgreSQL before the request gets a 503 (default `10000`; loads are not limited).',
  HOST: 'Address the server listens on (default `localhost`; `0.0.0.0` in a container).',
  PORT: 'Port the server listens on (default `8080`).',
  SERVE_PROCESSES:
    'Processes `serve` answers HTTP from, sharing its port (Node\'s cluster); one of them runs the scheduled loads and the demo load. Each keeps its own caches, connection cap and PyPI fetches; above `1`, rate limits need REDIS_URL (or both windows of every limit, the API\'s, the pages\' and the embeds\', `0`), so a client cannot multiply its limit by opening more connections (default `1`; at most 64).',
  HEADERS_TIMEOUT_MS: 'Milliseconds a client has to send a request\'s headers; past it, `408` and the connection is closed (default `10000`).',
  REQUEST_TIMEOUT_MS:
    'Milliseconds a client has to send its whole request, and that a connection may stay silent in both directions; past it, `408` (or the socket is closed) (default `30000`, at least HEADERS_TIMEOUT_MS).',
  KEEP_ALIVE_TIMEOUT_MS: 'Milliseconds an idle keep-alive connection is kept open between requests (default `5000`; behind a load balancer, more than its idle timeout).',
  MAX_CONNECTIONS:
    'Connections held at once; a new one past it is closed before anything is read (default: the open-file limit, `ulimit -n`, less 128 and less DATABASE_POOL_SIZE; 896 where the limit cannot be read).',
  DRAIN_TIMEOUT_MS:
    'Milliseconds SIGTERM gives requests in flight; connections still open at four fifths of it are closed, and the process exits 0 (default `10000`).',
  RETENTION_DAYS: 'Days of data kept, ending at the latest loaded day; older days are purged after each load (default `180`).',
  DIMENSIONS:
    'The breakdowns computed, stored and served besides the seed\'s four (always on): `all` (default), `none`, or a comma-separated list of `version`, `installer`, `ci`, `country`, `implementation`, `cpu`, `libc`, `distro`, `file_type`. Turning one off stops its loads (the days already loaded keep it) and its endpoints answer 404; turning one on fills it from the next load.',
  MIRROR_INSTALLERS: 'Comma-separated installer names counted as mirrors (default `bandersnatch,z3c.pypimirror,Artifactory,devpi`).',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent (default `info`; `debug` logs every request).',
  CACHE_MAX_AGE: 'Seconds in the `Cache-Control: max-age` of API responses (default `3600`).',
  RESPONSE_CACHE_MB: `MiB of API answers kept in memory per process, least recently used dropped first (default \`${DEFAULT_CACHE_MIB.responses}\`).`,
  PAGE_CACHE_MB: `MiB of pages (HTML, brotli and gzip) kept in memory per process, least recently used dropped first (default \`${DEFAULT_CACHE_MIB.pages}\`).`,
  DEMO_DATA: '`on` (default): `serve` loads demo data when the database is empty and no `LOAD_SOURCE` is set; `off`: never.',
  DEMO_DAYS: 'Days of demo data `serve` loads into an empty database (default `180`, at most RETENTION_DAYS).',
  DEMO_PACKAGES: `Packages in the demo data (default \`${DEFAULT_DEMO_OPTIONS.packages}\`).`,
  DEMO_SEED: `Seed of the demo data: the same seed gives the same data (default \`${DEFAULT_DEMO_OPTIONS.seed}\`).`,
  DEMO_EVENTS_PER_DAY: `Average raw download events per demo day (default \`${DEFAULT_DEMO_OPTIONS.eventsPerDay}\`).`,
  LOAD_SOURCE: '`files`, `bigquery` or `access-log`: `serve` loads the previous UTC day every day at `LOAD_TIME`, and on start the days missing within `LOAD_CATCH_UP_DAYS` (default `none`: no scheduled loads).',
  LOAD_INPUT:
    'For `LOAD_SOURCE=files`: the raw event files, a path or glob in which `{date}` stands for the day (`/exports/{date}/*.parquet`); for `LOAD_SOURCE=access-log`: the access logs, plain or gzip (`/var/log/nginx/access.log*`).',
  ACCESS_LOG_FORMAT:
    'For the access-log source: `combined` (default; nginx\'s and Apache\'s), or the server\'s own format string, nginx `log_format` (`$remote_addr … [$time_local] "$request" $status … "$http_user_agent"`) or Apache `LogFormat` (`%h … %t "%r" %>s … "%{User-Agent}i"`); it must hold the client address, the time, the request and the status.',
  ACCESS_LOG_COUNT_NOT_MODIFIED: 'For the access-log source: `on` counts a `304 Not Modified` of a file as a download (default `off`).',
  COUNTRY_DATABASE:
    'For the access-log source: the country of each client address, from this MaxMind-format `.mmdb` file (GeoLite2 or GeoIP2 Country or City, or any with `country_code`); `off`: every country `null` (default: the database shipped by `@ip-location-db/geo-whois-asn-country-mmdb`, see A private index).',
  INDEX_NAME: 'The private index these downloads are from (`packages.example.com`), shown on the site in place of PyPI (default: none, PyPI; `serve --index-name` overrides it).',
  LOAD_TIME: 'When the daily load runs, `HH:MM` in UTC (default `01:00`).',
  LOAD_CATCH_UP_DAYS: 'Days, ending yesterday, that each scheduled run makes sure are loaded (default and at most `RETENTION_DAYS`).',
  LOAD_RETRIES: 'Retries of a failed scheduled load before it waits for the next run (default `5`).',
  LOAD_RETRY_DELAY: 'Seconds before the first retry of a failed scheduled load; each next retry waits twice as long (default `60`).',
  LOAD_MIN_SHARE:
    'A load (by hand, `demo` or scheduled) is refused when the day has fewer downloads than this percentage of the median of the loaded days within 3 days of it (at least 3 of them); `--allow-drop` overrides it, `0` turns it off (default `30`: on PyPI a weekend day is about 70% of that median and the quietest holiday about half, so only a day missing most of its events is refused).',
  PYPI_URL: 'Base URL of PyPI\'s JSON API (`/pypi/<name>/json`), where the package page reads summary, license and dependencies; `off`: none is asked (default `https://pypi.org`, or `off` when INDEX_NAME is set: a private package\'s name is not sent to PyPI, whose package of that name, if any, is another\'s; a private index with that API gives its own URL).',
  PYPI_TIMEOUT_MS: 'Milliseconds the package page waits for PyPI before it renders without that metadata (default `1500`).',
  GOOGLE_SERVICE_ACCOUNT_JSON:
    'A Google service-account key as a JSON string, for `load --source bigquery` (the variable of the original pypistats.org; used rather than GOOGLE_APPLICATION_CREDENTIALS when both are set).',
  GOOGLE_APPLICATION_CREDENTIALS: 'Path of a Google Cloud credentials file (a service-account key), for `load --source bigquery`.',
  BIGQUERY_PROJECT: "Google Cloud project that runs, and pays for, the BigQuery jobs (default: the credentials' `project_id`).",
  BIGQUERY_TABLE: `Table of raw download events (default \`${DEFAULT_BIGQUERY_TABLE}\`).`,
  BIGQUERY_API_ENDPOINT: "BigQuery API endpoint, for an emulator or a test stand-in (default Google's, `https://bigquery.googleapis.com`).",
  BIGQUERY_PRICE_PER_TIB: 'US dollars per TiB scanned, for the cost `load --source bigquery --dry-run` prints (default `6.25`, the on-demand price).',
  RATE_LIMIT_PER_SECOND: 'Requests to the JSON API each client address may make in a second (default `5`; `0`: no per-second limit).',
  RATE_LIMIT_PER_MINUTE: 'Requests to the JSON API each client address may make in a minute (default `30`; `0`: no per-minute limit).',
  PAGE_RATE_LIMIT_PER_SECOND: 'Package pages (the pages that ask PyPI) each client address may request in a second (default `10`; `0`: no per-second limit).',
  PAGE_RATE_LIMIT_PER_MINUTE: 'Package pages each client address may request in a minute (default `120`; `0`: no per-minute limit).',
  EMBED_RATE_LIMIT_PER_SECOND:
    'Badges, README charts and shields.io answers (`/badge`, `/chart`, `/api/shields`) each client address may request in a second, apart from the JSON API\'s limit: GitHub fetches every README image from the few addresses of its image proxy, so this is generous and only stops a flood (default `100`; `0`: no per-second limit).',
  EMBED_RATE_LIMIT_PER_MINUTE: 'Badges, README charts and shields.io answers each client address may request in a minute (default `3000`; `0`: no per-minute limit).',
  REDIS_URL: 'Redis that API processes share their rate-limit counts through: `redis://[:PASSWORD@]HOST[:PORT][/DB]` or `rediss://…` (unset: each process counts in its own memory).',
  REDIS_KEY_PREFIX: 'Start of every key written to Redis, so deployments sharing one Redis stay apart (default `pypistats:`).',
  HSTS_MAX_AGE:
    'Seconds of `Strict-Transport-Security: max-age` on responses served over HTTPS (directly, or per `X-Forwarded-Proto` from a `TRUSTED_PROXIES` proxy); never sent over plain HTTP (default `31536000`, a year; `0`: never).',
  ...accountVariables,
  TRUSTED_PROXIES: 'Comma-separated addresses or CIDR ranges (or `loopback`, `linklocal`, `uniquelocal`) of proxies whose `X-Forwarded-For` names the client (default none: the connecting address is the client).',
} as const;

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
    return {
      kind: 'postgres',
      url: raw,
      poolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 2, 1000),
      // At least 100 ms: below that a healthy server on another host could not make it.
      connectTimeoutMs: integer(env, 'DATABASE_CONNECT_TIMEOUT_MS', DEFAULT_CONNECT_TIMEOUT_MS, 100, 600_000),
      queryTimeoutMs: integer(env, 'DATABASE_QUERY_TIMEOUT_MS', DEFAULT_QUERY_TIMEOUT_MS, 100, 600_000),
    };
  }
  throw new ConfigError(`DATABASE_URL must look like sqlite:PATH or postgres://host/database, got "${raw.replace(/:[^:@/]*@/, ':***@')}"`);
}


const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * PYPI_URL: where package pages ask for a package's metadata, or null for nowhere. A private
 * index's site (INDEX_NAME) asks nothing by default: its packages' names are not PyPI's to know,
 * and PyPI's project of the same name, if there is one, is someone else's. A private index that
 * answers PyPI's JSON API (`BASE/pypi/<name>/json`) is named by PYPI_URL.
 */
function pypiUrl(env: Env): string | null {
  const raw = env.PYPI_URL?.trim() ?? '';
  if (raw.toLowerCase() === 'off') return null;
  if (raw === '' && indexName(env.INDEX_NAME) !== null) return null;
  return httpUrl(env, 'PYPI_URL', 'https://pypi.org');
}

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
  const databaseConfig = database(env.DATABASE_URL?.trim(), env);
  const rateLimit = {
    perSecond: integer(env, 'RATE_LIMIT_PER_SECOND', 5, 0, 1_000_000),
    perMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 30, 0, 60_000_000),
  };
  const pageRateLimit = {
    perSecond: integer(env, 'PAGE_RATE_LIMIT_PER_SECOND', 10, 0, 1_000_000),
    perMinute: integer(env, 'PAGE_RATE_LIMIT_PER_MINUTE', 120, 0, 60_000_000),
  };
  const embedRateLimit = {
    perSecond: integer(env, 'EMBED_RATE_LIMIT_PER_SECOND', 100, 0, 1_000_000),
    perMinute: integer(env, 'EMBED_RATE_LIMIT_PER_MINUTE', 3000, 0, 60_000_000),
  };
  const redisConfig = redis(env);
  // 64: more than the cores of any machine this runs on, so a typo's extra digit is caught.
  const processes = integer(env, 'SERVE_PROCESSES', 1, 1, 64);
  const limited = [rateLimit, pageRateLimit, embedRateLimit].some((limit) => limit.perSecond > 0 || limit.perMinute > 0);
  if (processes > 1 && limited && redisConfig === null) {
    throw new ConfigError(
      `SERVE_PROCESSES=${processes} needs REDIS_URL: each process would count a client's requests on its own, so a client opening ${processes} connections would get ${processes} times its rate limit (or turn the limits off: RATE_LIMIT_PER_SECOND, RATE_LIMIT_PER_MINUTE, PAGE_RATE_LIMIT_PER_SECOND, PAGE_RATE_LIMIT_PER_MINUTE, EMBED_RATE_LIMIT_PER_SECOND and EMBED_RATE_LIMIT_PER_MINUTE 0)`,
    );
  }
  return {
    database: databaseConfig,
    host,
    port: integer(env, 'PORT', 8080, 0, 65_535),
    server: serverLimits(env, databaseConfig.kind === 'postgres' ? databaseConfig.poolSize : 0),
    retentionDays,
    dimensions: enabledDimensionNames(env),
    mirrorInstallers: mirrors,
    logLevel: logLevel as Config['logLevel'],
    cacheMaxAge: integer(env, 'CACHE_MAX_AGE', 3600, 0, 31_536_000),
    // At least 1 MiB: a cache that cannot hold one answer or page would render each one twice.
    // At most 64 GiB, more than any machine this runs on, so a typo's extra digits are caught.
    cacheBytes: {
      responses: integer(env, 'RESPONSE_CACHE_MB', DEFAULT_CACHE_MIB.responses, 1, 65_536) * MIB,
      pages: integer(env, 'PAGE_CACHE_MB', DEFAULT_CACHE_MIB.pages, 1, 65_536) * MIB,
    },
    demo: {
      enabled: onOff(env, 'DEMO_DATA', true),
      days: demoDays,
      packages: integer(env, 'DEMO_PACKAGES', DEFAULT_DEMO_OPTIONS.packages, 1, 100_000),
      seed: integer(env, 'DEMO_SEED', DEFAULT_DEMO_OPTIONS.seed, 0, 2 ** 31 - 1),
      eventsPerDay: integer(env, 'DEMO_EVENTS_PER_DAY', DEFAULT_DEMO_OPTIONS.eventsPerDay, 100, 100_000_000),
    },
    load: loadSchedule(env, retentionDays),
    pypi: {
      url: pypiUrl(env),
      timeoutMs: integer(env, 'PYPI_TIMEOUT_MS', 1500, 1, 60_000),
    },
    bigquery: bigquery(env),
    accessLog: accessLog(env),
    indexName: indexName(env.INDEX_NAME),
    rateLimit,
    pageRateLimit,
    embedRateLimit,
    redis: redisConfig,
    trustedProxies: trustedProxies(env.TRUSTED_PROXIES),
    processes,
    // Two years is what browsers' HSTS preload lists ask for, and more than anyone needs.
    hstsMaxAge: integer(env, 'HSTS_MAX_AGE', 31_536_000, 0, 63_072_000),
    accounts: accounts(env),
  };
}
