import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('configuration from the environment', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      database: { kind: 'sqlite', file: 'data/pypistats.sqlite' },
      host: 'localhost',
      port: 8080,
      retentionDays: 180,
      mirrorInstallers: ['bandersnatch', 'z3c.pypimirror', 'Artifactory', 'devpi'],
      logLevel: 'info',
      cacheMaxAge: 3600,
      demo: { enabled: true, days: 180, packages: 300, seed: 1, eventsPerDay: 30_000 },
      load: { source: 'none', inputs: [], minute: 60, catchUpDays: 180, retries: 5, retryDelaySeconds: 60 },
      pypi: { url: 'https://pypi.org', timeoutMs: 1500 },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      DATABASE_URL: 'sqlite:/tmp/x.sqlite',
      HOST: '0.0.0.0',
      PORT: '9000',
      RETENTION_DAYS: '30',
      MIRROR_INSTALLERS: 'bandersnatch, my-mirror',
      LOG_LEVEL: 'WARN',
      CACHE_MAX_AGE: '60',
      DEMO_DATA: 'off',
      DEMO_DAYS: '7',
      DEMO_PACKAGES: '50',
      DEMO_SEED: '42',
      DEMO_EVENTS_PER_DAY: '1000',
      LOAD_SOURCE: 'files',
      LOAD_INPUT: '/exports/{date}/*.parquet',
      LOAD_TIME: '2:30',
      LOAD_CATCH_UP_DAYS: '10',
      LOAD_RETRIES: '3',
      LOAD_RETRY_DELAY: '30',
      PYPI_URL: 'http://127.0.0.1:3141/root/pypi/',
      PYPI_TIMEOUT_MS: '250',
    });
    expect(config).toEqual({
      database: { kind: 'sqlite', file: '/tmp/x.sqlite' },
      host: '0.0.0.0',
      port: 9000,
      retentionDays: 30,
      mirrorInstallers: ['bandersnatch', 'my-mirror'],
      logLevel: 'warn',
      cacheMaxAge: 60,
      demo: { enabled: false, days: 7, packages: 50, seed: 42, eventsPerDay: 1000 },
      load: { source: 'files', inputs: ['/exports/{date}/*.parquet'], minute: 150, catchUpDays: 10, retries: 3, retryDelaySeconds: 30 },
      pypi: { url: 'http://127.0.0.1:3141/root/pypi', timeoutMs: 250 },
    });
    expect(loadConfig({ DATABASE_URL: 'sqlite:///var/lib/p.sqlite' }).database).toEqual({ kind: 'sqlite', file: '/var/lib/p.sqlite' });
    expect(loadConfig({ RETENTION_DAYS: '30' }).demo.days).toBe(30);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/stats' }).database).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/stats', poolSize: 10 });
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/stats', DATABASE_POOL_SIZE: '25' }).database).toMatchObject({ kind: 'postgres', poolSize: 25 });
  });

  it("keeps PyPI's URL without trailing slashes, as the metadata source appends paths to it", () => {
    expect(loadConfig({ PYPI_URL: ' https://PyPI.org// ' }).pypi.url).toBe('https://pypi.org');
    expect(loadConfig({ PYPI_URL: 'http://127.0.0.1:3141/root/pypi/' }).pypi.url).toBe('http://127.0.0.1:3141/root/pypi');
  });

  it('stops on a bad value with a message naming the variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: 'eighty' }, /^PORT must be a whole number from 0 to 65535, got "eighty"$/],
      [{ PORT: '70000' }, /^PORT must be/],
      [{ PORT: '-1' }, /^PORT must be/],
      [{ RETENTION_DAYS: '0' }, /^RETENTION_DAYS must be a whole number from 1/],
      [{ RETENTION_DAYS: '1.5' }, /^RETENTION_DAYS must be/],
      [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must look like sqlite:PATH or postgres:\/\/host\/database, got "mysql:\/\/x"$/],
      // The password never reaches the message.
      [{ DATABASE_URL: 'mysql://user:secret@x' }, /got "mysql:\/\/user:\*\*\*@x"$/],
      [{ DATABASE_URL: 'postgres://[bad' }, /^DATABASE_URL is not a valid postgres:\/\/ URL$/],
      [{ DATABASE_URL: 'postgres://db/x', DATABASE_POOL_SIZE: '1' }, /^DATABASE_POOL_SIZE must be a whole number from 2 to 1000, got "1"$/],
      [{ DATABASE_URL: 'sqlite:' }, /^DATABASE_URL must name a file/],
      [{ DEMO_DATA: 'maybe' }, /^DEMO_DATA must be on or off, got "maybe"$/],
      [{ DEMO_DAYS: '200' }, /^DEMO_DAYS \(200\) must not exceed RETENTION_DAYS \(180\)$/],
      [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
      [{ HOST: 'a b' }, /^HOST must be a host name or address/],
      [{ DEMO_EVENTS_PER_DAY: '5' }, /^DEMO_EVENTS_PER_DAY must be a whole number from 100/],
      [{ LOAD_SOURCE: 'ftp' }, /^LOAD_SOURCE must be none, files or bigquery, got "ftp"$/],
      [{ LOAD_SOURCE: 'files' }, /^LOAD_INPUT must name the raw event files when LOAD_SOURCE=files$/],
      [{ LOAD_TIME: '25:00' }, /^LOAD_TIME must be HH:MM in UTC, got "25:00"$/],
      [{ LOAD_TIME: 'noon' }, /^LOAD_TIME must be HH:MM in UTC, got "noon"$/],
      [{ LOAD_CATCH_UP_DAYS: '200' }, /^LOAD_CATCH_UP_DAYS must be a whole number from 1 to 180, got "200"$/],
      [{ LOAD_RETRIES: 'many' }, /^LOAD_RETRIES must be a whole number/],
      [{ PYPI_URL: 'pypi.org' }, /^PYPI_URL must be an http\(s\) URL, got "pypi.org"$/],
      [{ PYPI_URL: 'javascript:alert(1)' }, /^PYPI_URL must be an http\(s\) URL without query or fragment/],
      [{ PYPI_URL: 'ftp://pypi.org' }, /^PYPI_URL must be an http\(s\) URL/],
      [{ PYPI_URL: 'https://pypi.org/?x=1' }, /^PYPI_URL must be an http\(s\) URL without query or fragment/],
      [{ PYPI_TIMEOUT_MS: '0' }, /^PYPI_TIMEOUT_MS must be a whole number from 1 to 60000, got "0"$/],
      [{ PYPI_TIMEOUT_MS: '1.5s' }, /^PYPI_TIMEOUT_MS must be/],
    ];
    for (const [env, message] of cases) expect(() => loadConfig(env)).toThrow(message);
  });
});
