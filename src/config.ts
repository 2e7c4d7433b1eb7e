/**
 * Configuration from environment variables, parsed and validated once at start-up into one typed
 * object. A bad value stops start-up with a message that names the variable.
 */
import proxyAddr from '@fastify/proxy-addr';
import { DEFAULT_DEMO_OPTIONS } from './domain/demo.js';
import { DEFAULT_MIRROR_INSTALLERS } from './domain/mirrors.js';

export type DatabaseConfig = { kind: 'sqlite'; file: string };

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
  /** Requests each client address may make to the JSON API; 0 turns a window off. */
  rateLimit: { perSecond: number; perMinute: number };
  /** Where rate-limit counts are shared between processes; null: each process counts in memory. */
  redis: { url: string; keyPrefix: string } | null;
  /** Proxies whose `X-Forwarded-For` is believed, as Fastify's `trustProxy` takes them. */
  trustedProxies: string[];
}

/** Every variable the service reads, with what it means: the README's table is made from this. */
export const variables = {
  DATABASE_URL: 'Where the aggregates live: `sqlite:PATH` (unset: `sqlite:data/pypistats.sqlite`).',
  HOST: 'Address the server listens on (default `localhost`; `0.0.0.0` in a container).',
  PORT: 'Port the server listens on (default `8080`).',
  RETENTION_DAYS: 'Days of data kept, ending at the latest loaded day; older days are purged after each load (default `180`).',
  MIRROR_INSTALLERS: 'Comma-separated installer names counted as mirrors (default `bandersnatch,z3c.pypimirror,Artifactory,devpi`).',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent (default `info`; `debug` logs every request).',
  CACHE_MAX_AGE: 'Seconds in the `Cache-Control: max-age` of API responses (default `3600`).',
  DEMO_DATA: '`on` (default): `serve` loads demo data when the database is empty; `off`: never.',
  DEMO_DAYS: 'Days of demo data `serve` loads into an empty database (default `180`, at most RETENTION_DAYS).',
  DEMO_PACKAGES: `Packages in the demo data (default \`${DEFAULT_DEMO_OPTIONS.packages}\`).`,
  DEMO_SEED: `Seed of the demo data: the same seed gives the same data (default \`${DEFAULT_DEMO_OPTIONS.seed}\`).`,
  DEMO_EVENTS_PER_DAY: `Average raw download events per demo day (default \`${DEFAULT_DEMO_OPTIONS.eventsPerDay}\`).`,
  RATE_LIMIT_PER_SECOND: 'Requests to the JSON API each client address may make in a second (default `5`; `0`: no per-second limit).',
  RATE_LIMIT_PER_MINUTE: 'Requests to the JSON API each client address may make in a minute (default `30`; `0`: no per-minute limit).',
  REDIS_URL: 'Redis that API processes share their rate-limit counts through: `redis://[:PASSWORD@]HOST[:PORT][/DB]` or `rediss://…` (unset: each process counts in its own memory).',
  REDIS_KEY_PREFIX: 'Start of every key written to Redis, so deployments sharing one Redis stay apart (default `pypistats:`).',
  TRUSTED_PROXIES: 'Comma-separated addresses or CIDR ranges (or `loopback`, `linklocal`, `uniquelocal`) of proxies whose `X-Forwarded-For` names the client (default none: the connecting address is the client).',
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

function database(raw: string | undefined): DatabaseConfig {
  if (raw === undefined || raw === '') return { kind: 'sqlite', file: 'data/pypistats.sqlite' };
  if (raw.startsWith('sqlite:')) {
    let file = raw.slice('sqlite:'.length);
    if (file.startsWith('//')) file = file.slice(2);
    if (file === '') throw new ConfigError(`DATABASE_URL must name a file after "sqlite:", got "${raw}"`);
    return { kind: 'sqlite', file };
  }
  if (/^postgres(ql)?:/.test(raw)) {
    throw new ConfigError('DATABASE_URL: the PostgreSQL store is not in this version yet; use sqlite:PATH');
  }
  throw new ConfigError(`DATABASE_URL must look like sqlite:PATH, got "${raw}"`);
}

function onOff(env: Env, name: keyof typeof variables, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off, got "${env[name]}"`);
}

function redis(env: Env): Config['redis'] {
  const url = redisUrl(env.REDIS_URL?.trim());
  const keyPrefix = redisKeyPrefix(env.REDIS_KEY_PREFIX?.trim());
  return url === null ? null : { url, keyPrefix };
}

function redisUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL must be a URL like redis://HOST:PORT');
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    // The password stays out of the message: it ends up in logs.
    if (url.password) url.password = '***';
    throw new ConfigError(`REDIS_URL must be a URL like redis://HOST:PORT, got "${url.href}"`);
  }
  return raw;
}

function redisKeyPrefix(raw: string | undefined): string {
  if (raw === undefined || raw === '') return 'pypistats:';
  if (!/^[\w:.-]{1,100}$/.test(raw)) {
    throw new ConfigError(`REDIS_KEY_PREFIX must be at most 100 letters, digits and any of _:.- , got "${raw}"`);
  }
  return raw;
}

function trustedProxies(raw: string | undefined): string[] {
  const proxies = (raw ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (proxies.length === 0) return [];
  try {
    // Fastify compiles the list with this same function: what passes here, it accepts.
    proxyAddr.compile(proxies);
  } catch (error) {
    throw new ConfigError(`TRUSTED_PROXIES must list addresses or CIDR ranges: ${(error as Error).message}`);
  }
  return proxies;
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
    database: database(env.DATABASE_URL?.trim()),
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
    rateLimit: {
      perSecond: integer(env, 'RATE_LIMIT_PER_SECOND', 5, 0, 1_000_000),
      perMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 30, 0, 60_000_000),
    },
    redis: redis(env),
    trustedProxies: trustedProxies(env.TRUSTED_PROXIES),
  };
}
