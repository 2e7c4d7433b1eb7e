import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { descriptorLimit, serverLimits } from '../src/config/server-limits.js';

/** The connection cap's default on this machine: its open-file limit less 128 (SQLite: no pool). */
const DEFAULT_CAP = (descriptorLimit() ?? 1024) - 128;

describe('configuration from the environment', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      database: { kind: 'sqlite', file: 'data/pypistats.sqlite' },
      host: 'localhost',
      port: 8080,
      server: { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5000, maxConnections: DEFAULT_CAP, drainTimeoutMs: 10_000 },
      retentionDays: 180,
      dimensions: ['overall', 'python_major', 'python_minor', 'system', 'version', 'installer', 'ci', 'country', 'implementation', 'cpu', 'libc', 'distro', 'file_type'],
      mirrorInstallers: ['bandersnatch', 'z3c.pypimirror', 'Artifactory', 'devpi'],
      logLevel: 'info',
      cacheMaxAge: 3600,
      cacheBytes: { responses: 256 * 1024 * 1024, pages: 64 * 1024 * 1024 },
      demo: { enabled: true, days: 180, packages: 300, seed: 1, eventsPerDay: 30_000 },
      load: { source: 'none', inputs: [], minute: 60, catchUpDays: 180, retries: 5, retryDelaySeconds: 60, minShare: 30 },
      pypi: { url: 'https://pypi.org', timeoutMs: 1500 },
      bigquery: { table: 'bigquery-public-data.pypi.file_downloads', project: null, credentials: null, apiEndpoint: null, pricePerTib: 6.25 },
      accessLog: { format: 'combined', countNotModified: false, countries: { kind: 'shipped' } },
      indexName: null,
      rateLimit: { perSecond: 5, perMinute: 30 },
      pageRateLimit: { perSecond: 10, perMinute: 120 },
      embedRateLimit: { perSecond: 100, perMinute: 3000 },
      redis: null,
      trustedProxies: [],
      processes: 1,
      hstsMaxAge: 31_536_000,
      accounts: { github: null, sessionSecret: null, trackedPackagesMax: 20, adminGithubUsers: [], tokenRateLimit: { perSecond: 50, perMinute: 3000 } },
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
      RESPONSE_CACHE_MB: '32',
      PAGE_CACHE_MB: '8',
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
      LOAD_MIN_SHARE: '45',
      PYPI_URL: 'http://127.0.0.1:3141/root/pypi/',
      PYPI_TIMEOUT_MS: '250',
      GOOGLE_APPLICATION_CREDENTIALS: '/keys/loader.json',
      BIGQUERY_PROJECT: 'billing-project',
      BIGQUERY_TABLE: 'my-project.pypi.downloads',
      BIGQUERY_API_ENDPOINT: 'http://127.0.0.1:9050/',
      BIGQUERY_PRICE_PER_TIB: '5',
      RATE_LIMIT_PER_SECOND: '10',
      RATE_LIMIT_PER_MINUTE: '0',
      PAGE_RATE_LIMIT_PER_SECOND: '0',
      PAGE_RATE_LIMIT_PER_MINUTE: '30',
      EMBED_RATE_LIMIT_PER_SECOND: '0',
      EMBED_RATE_LIMIT_PER_MINUTE: '600',
      HEADERS_TIMEOUT_MS: '2000',
      REQUEST_TIMEOUT_MS: '4000',
      KEEP_ALIVE_TIMEOUT_MS: '65000',
      MAX_CONNECTIONS: '500',
      DRAIN_TIMEOUT_MS: '25000',
      REDIS_URL: 'redis://:secret@cache.internal:6380/2',
      REDIS_KEY_PREFIX: 'staging:',
      TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,loopback, 2001:db8::/32',
      HSTS_MAX_AGE: '0',
      SERVE_PROCESSES: '3',
    });
    expect(config).toEqual({
      database: { kind: 'sqlite', file: '/tmp/x.sqlite' },
      host: '0.0.0.0',
      port: 9000,
      server: { headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 65_000, maxConnections: 500, drainTimeoutMs: 25_000 },
      retentionDays: 30,
      dimensions: ['overall', 'python_major', 'python_minor', 'system', 'version', 'installer', 'ci', 'country', 'implementation', 'cpu', 'libc', 'distro', 'file_type'],
      mirrorInstallers: ['bandersnatch', 'my-mirror'],
      logLevel: 'warn',
      cacheMaxAge: 60,
      cacheBytes: { responses: 32 * 1024 * 1024, pages: 8 * 1024 * 1024 },
      demo: { enabled: false, days: 7, packages: 50, seed: 42, eventsPerDay: 1000 },
      load: { source: 'files', inputs: ['/exports/{date}/*.parquet'], minute: 150, catchUpDays: 10, retries: 3, retryDelaySeconds: 30, minShare: 45 },
      pypi: { url: 'http://127.0.0.1:3141/root/pypi', timeoutMs: 250 },
      bigquery: { table: 'my-project.pypi.downloads', project: 'billing-project', credentials: { kind: 'key-file', path: '/keys/loader.json' }, apiEndpoint: 'http://127.0.0.1:9050', pricePerTib: 5 },
      accessLog: { format: 'combined', countNotModified: false, countries: { kind: 'shipped' } },
      indexName: null,
      rateLimit: { perSecond: 10, perMinute: 0 },
      pageRateLimit: { perSecond: 0, perMinute: 30 },
      embedRateLimit: { perSecond: 0, perMinute: 600 },
      redis: { url: 'redis://:secret@cache.internal:6380/2', keyPrefix: 'staging:' },
      trustedProxies: ['10.0.0.1', '192.168.0.0/16', 'loopback', '2001:db8::/32'],
      processes: 3,
      hstsMaxAge: 0,
      accounts: { github: null, sessionSecret: null, trackedPackagesMax: 20, adminGithubUsers: [], tokenRateLimit: { perSecond: 50, perMinute: 3000 } },
    });
    expect(loadConfig({ REDIS_URL: 'rediss://cache.internal' }).redis).toEqual({ url: 'rediss://cache.internal', keyPrefix: 'pypistats:' });
    expect(loadConfig({ TRUSTED_PROXIES: ' , ' }).trustedProxies).toEqual([]);
    expect(loadConfig({ DATABASE_URL: 'sqlite:///var/lib/p.sqlite' }).database).toEqual({ kind: 'sqlite', file: '/var/lib/p.sqlite' });
    expect(loadConfig({ RETENTION_DAYS: '30' }).demo.days).toBe(30);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/stats' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@db:5432/stats',
      poolSize: 10,
      connectTimeoutMs: 5000,
      queryTimeoutMs: 10_000,
    });
    expect(loadConfig({ DATABASE_URL: 'postgres://db/x', DATABASE_CONNECT_TIMEOUT_MS: '250', DATABASE_QUERY_TIMEOUT_MS: '60000' }).database).toMatchObject({
      connectTimeoutMs: 250,
      queryTimeoutMs: 60_000,
    });
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/stats', DATABASE_POOL_SIZE: '25' }).database).toMatchObject({ kind: 'postgres', poolSize: 25 });
  });

  it("keeps PyPI's URL without trailing slashes, as the metadata source appends paths to it", () => {
    expect(loadConfig({ PYPI_URL: ' https://PyPI.org// ' }).pypi.url).toBe('https://pypi.org');
    expect(loadConfig({ PYPI_URL: 'http://127.0.0.1:3141/root/pypi/' }).pypi.url).toBe('http://127.0.0.1:3141/root/pypi');
  });

  it('asks no JSON API for package metadata with PYPI_URL=off, nor by default on a private index (INDEX_NAME)', () => {
    expect(loadConfig({ PYPI_URL: 'off' }).pypi.url).toBeNull();
    expect(loadConfig({ PYPI_URL: ' OFF ' }).pypi.url).toBeNull();
    // A private package's name is not sent to PyPI, whose project of that name would be another's.
    expect(loadConfig({ INDEX_NAME: 'packages.example.com' }).pypi.url).toBeNull();
    // The index's own JSON API (devpi's, say), named by the operator.
    expect(loadConfig({ INDEX_NAME: 'packages.example.com', PYPI_URL: 'https://packages.example.com/root/pypi/' }).pypi.url).toBe('https://packages.example.com/root/pypi');
    expect(loadConfig({ INDEX_NAME: ' ' }).pypi.url).toBe('https://pypi.org');
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
      [{ DATABASE_URL: 'postgres://db/x', DATABASE_CONNECT_TIMEOUT_MS: '50' }, /^DATABASE_CONNECT_TIMEOUT_MS must be a whole number from 100 to 600000, got "50"$/],
      [{ DATABASE_URL: 'postgres://db/x', DATABASE_QUERY_TIMEOUT_MS: '10s' }, /^DATABASE_QUERY_TIMEOUT_MS must be a whole number from 100 to 600000, got "10s"$/],
      [{ DATABASE_URL: 'sqlite:' }, /^DATABASE_URL must name a file/],
      [{ DEMO_DATA: 'maybe' }, /^DEMO_DATA must be on or off, got "maybe"$/],
      [{ DEMO_DAYS: '200' }, /^DEMO_DAYS \(200\) must not exceed RETENTION_DAYS \(180\)$/],
      [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
      [{ HOST: 'a b' }, /^HOST must be a host name or address/],
      [{ HSTS_MAX_AGE: 'forever' }, /^HSTS_MAX_AGE must be a whole number from 0 to 63072000, got "forever"$/],
      [{ HSTS_MAX_AGE: '63072001' }, /^HSTS_MAX_AGE must be/],
      [{ DEMO_EVENTS_PER_DAY: '5' }, /^DEMO_EVENTS_PER_DAY must be a whole number from 100/],
      [{ LOAD_SOURCE: 'ftp' }, /^LOAD_SOURCE must be none, files, bigquery or access-log, got "ftp"$/],
      [{ LOAD_SOURCE: 'files' }, /^LOAD_INPUT must name the raw event files when LOAD_SOURCE=files$/],
      [{ LOAD_TIME: '25:00' }, /^LOAD_TIME must be HH:MM in UTC, got "25:00"$/],
      [{ LOAD_TIME: 'noon' }, /^LOAD_TIME must be HH:MM in UTC, got "noon"$/],
      [{ LOAD_CATCH_UP_DAYS: '200' }, /^LOAD_CATCH_UP_DAYS must be a whole number from 1 to 180, got "200"$/],
      [{ LOAD_RETRIES: 'many' }, /^LOAD_RETRIES must be a whole number/],
      [{ LOAD_MIN_SHARE: '150' }, /^LOAD_MIN_SHARE must be a whole number from 0 to 100, got "150"$/],
      [{ PYPI_URL: 'pypi.org' }, /^PYPI_URL must be an http\(s\) URL, got "pypi.org"$/],
      [{ PYPI_URL: 'javascript:alert(1)' }, /^PYPI_URL must be an http\(s\) URL without query or fragment/],
      [{ PYPI_URL: 'ftp://pypi.org' }, /^PYPI_URL must be an http\(s\) URL/],
      [{ PYPI_URL: 'https://pypi.org/?x=1' }, /^PYPI_URL must be an http\(s\) URL without query or fragment/],
      [{ PYPI_TIMEOUT_MS: '0' }, /^PYPI_TIMEOUT_MS must be a whole number from 1 to 60000, got "0"$/],
      [{ PYPI_TIMEOUT_MS: '1.5s' }, /^PYPI_TIMEOUT_MS must be/],
      [{ BIGQUERY_TABLE: 'file_downloads' }, /^BIGQUERY_TABLE must be a table name as project\.dataset\.table, got "file_downloads"$/],
      [{ BIGQUERY_TABLE: 'p.d.t`; DROP' }, /^BIGQUERY_TABLE must be a table name/],
      [{ BIGQUERY_PROJECT: 'My Project' }, /^BIGQUERY_PROJECT must be a Google Cloud project ID/],
      [{ BIGQUERY_API_ENDPOINT: 'localhost:9050' }, /^BIGQUERY_API_ENDPOINT must be an http\(s\) URL, got "localhost:9050"$/],
      [{ BIGQUERY_PRICE_PER_TIB: '-1' }, /^BIGQUERY_PRICE_PER_TIB must be a number of US dollars such as 6\.25, got "-1"$/],
      [{ BIGQUERY_PRICE_PER_TIB: 'cheap' }, /^BIGQUERY_PRICE_PER_TIB must be/],
      [{ RATE_LIMIT_PER_SECOND: 'ten' }, /^RATE_LIMIT_PER_SECOND must be a whole number from 0 to 1000000, got "ten"$/],
      [{ RATE_LIMIT_PER_SECOND: '-1' }, /^RATE_LIMIT_PER_SECOND must be a whole number from 0/],
      [{ RATE_LIMIT_PER_MINUTE: '2.5' }, /^RATE_LIMIT_PER_MINUTE must be a whole number from 0 to 60000000, got "2.5"$/],
      [{ RATE_LIMIT_PER_MINUTE: '1e3' }, /^RATE_LIMIT_PER_MINUTE must be a whole number/],
      [{ REDIS_URL: 'localhost:6379' }, /^REDIS_URL must be a URL like redis:\/\/HOST:PORT, got "localhost:6379"$/],
      [{ REDIS_URL: 'cache.internal' }, /^REDIS_URL must be a URL like redis:\/\/HOST:PORT$/],
      [{ REDIS_URL: 'http://cache.internal:6379' }, /^REDIS_URL must be a URL like redis:\/\/HOST:PORT, got "http:\/\/cache.internal:6379\/"$/],
      // The password is not repeated where it would end up in logs.
      [{ REDIS_URL: 'https://:hunter2@cache.internal' }, /^REDIS_URL must be .*, got "https:\/\/:\*\*\*@cache.internal\/"$/],
      [{ REDIS_KEY_PREFIX: 'my prefix' }, /^REDIS_KEY_PREFIX must be at most 100 letters, digits and any of _:.- , got "my prefix"$/],
      [{ TRUSTED_PROXIES: 'my-proxy' }, /^TRUSTED_PROXIES must list addresses or CIDR ranges: invalid IP address: my-proxy$/],
      [{ TRUSTED_PROXIES: '10.0.0.1,10.0.0.0/33' }, /^TRUSTED_PROXIES must list addresses or CIDR ranges: invalid range on address: 10.0.0.0\/33$/],
      [{ TRUSTED_PROXIES: '*' }, /^TRUSTED_PROXIES must list addresses or CIDR ranges: invalid IP address: \*$/],
      [{ HEADERS_TIMEOUT_MS: '0' }, /^HEADERS_TIMEOUT_MS must be a whole number from 100 to 600000, got "0"$/],
      [{ REQUEST_TIMEOUT_MS: 'never' }, /^REQUEST_TIMEOUT_MS must be a whole number from 100 to 600000, got "never"$/],
      [{ HEADERS_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '10000' }, /^HEADERS_TIMEOUT_MS \(20000\) must not exceed REQUEST_TIMEOUT_MS \(10000\): the headers are part of the request$/],
      [{ KEEP_ALIVE_TIMEOUT_MS: '0' }, /^KEEP_ALIVE_TIMEOUT_MS must be a whole number from 1/],
      [{ MAX_CONNECTIONS: '0' }, /^MAX_CONNECTIONS must be a whole number from 1/],
      [{ DRAIN_TIMEOUT_MS: '500' }, /^DRAIN_TIMEOUT_MS must be a whole number from 1000 to 600000, got "500"$/],
      [{ PAGE_RATE_LIMIT_PER_SECOND: 'lots' }, /^PAGE_RATE_LIMIT_PER_SECOND must be a whole number from 0/],
      [{ PAGE_RATE_LIMIT_PER_MINUTE: '-5' }, /^PAGE_RATE_LIMIT_PER_MINUTE must be a whole number from 0/],
      [{ EMBED_RATE_LIMIT_PER_SECOND: 'many' }, /^EMBED_RATE_LIMIT_PER_SECOND must be a whole number from 0/],
      [{ EMBED_RATE_LIMIT_PER_MINUTE: '1.5' }, /^EMBED_RATE_LIMIT_PER_MINUTE must be a whole number from 0/],
      [{ RESPONSE_CACHE_MB: '0' }, /^RESPONSE_CACHE_MB must be a whole number from 1 to 65536, got "0"$/],
      [{ RESPONSE_CACHE_MB: '256MB' }, /^RESPONSE_CACHE_MB must be a whole number from 1 to 65536, got "256MB"$/],
      [{ PAGE_CACHE_MB: '100000' }, /^PAGE_CACHE_MB must be a whole number from 1 to 65536, got "100000"$/],
      [{ SERVE_PROCESSES: '0' }, /^SERVE_PROCESSES must be a whole number from 1 to 64, got "0"$/],
      [{ SERVE_PROCESSES: '65' }, /^SERVE_PROCESSES must be a whole number from 1 to 64, got "65"$/],
      [{ SERVE_PROCESSES: 'auto' }, /^SERVE_PROCESSES must be a whole number/],
      // Counted per process, a limit would be multiplied by the processes a client's connections reach.
      [{ SERVE_PROCESSES: '2' }, /^SERVE_PROCESSES=2 needs REDIS_URL: each process would count a client's requests on its own/],
      [{ SERVE_PROCESSES: '2', RATE_LIMIT_PER_SECOND: '0', RATE_LIMIT_PER_MINUTE: '0' }, /^SERVE_PROCESSES=2 needs REDIS_URL/],
    ];
    for (const [env, message] of cases) expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('configuration: several serving processes', () => {
  it('is one process by default, and several with Redis to share the rate limits, or with every limit off', () => {
    expect(loadConfig({}).processes).toBe(1);
    expect(loadConfig({ SERVE_PROCESSES: '4', REDIS_URL: 'redis://127.0.0.1:6379' }).processes).toBe(4);
    const unlimited = { RATE_LIMIT_PER_SECOND: '0', RATE_LIMIT_PER_MINUTE: '0', PAGE_RATE_LIMIT_PER_SECOND: '0', PAGE_RATE_LIMIT_PER_MINUTE: '0', EMBED_RATE_LIMIT_PER_SECOND: '0', EMBED_RATE_LIMIT_PER_MINUTE: '0' };
    expect(loadConfig({ SERVE_PROCESSES: '2', ...unlimited }).processes).toBe(2);
  });
});

describe('configuration: the connection cap', () => {
  const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units     \nMax open files            ${soft}                524288               files     \n`;

  it('reads the open-file limit as Linux reports it, and says null where it cannot', () => {
    expect(descriptorLimit(limits('1024'))).toBe(1024);
    expect(descriptorLimit(limits('unlimited'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(descriptorLimit('')).toBeNull();
  });

  it('defaults to the open-file limit less 128 and the PostgreSQL pool, so a full cap never runs out of descriptors', () => {
    expect(serverLimits({}, 0, 1024).maxConnections).toBe(896);
    expect(serverLimits({}, 10, 1024).maxConnections).toBe(886);
    expect(serverLimits({}, 0, 100).maxConnections).toBe(1);
    // Where the limit cannot be read, the usual 1024 is assumed.
    expect(serverLimits({}, 0, null).maxConnections).toBe(896);
  });

  it('refuses a cap at or past the open-file limit, and accepts any where the limit is unknown', () => {
    expect(() => serverLimits({ MAX_CONNECTIONS: '1024' }, 0, 1024)).toThrow(
      'MAX_CONNECTIONS (1024) must stay below the open-file limit (1024, ulimit -n): past it every new connection fails',
    );
    expect(serverLimits({ MAX_CONNECTIONS: '1023' }, 0, 1024).maxConnections).toBe(1023);
    expect(serverLimits({ MAX_CONNECTIONS: '50000' }, 0, null).maxConnections).toBe(50_000);
  });
});

describe('configuration: Google credentials for the BigQuery source', () => {
  const key = {
    type: 'service_account',
    project_id: 'pypistats-prod',
    private_key_id: 'abc',
    private_key: '-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n',
    client_email: 'loader@pypistats-prod.iam.gserviceaccount.com',
    token_uri: 'https://oauth2.googleapis.com/token',
  };

  it('parses GOOGLE_SERVICE_ACCOUNT_JSON, and prefers it to GOOGLE_APPLICATION_CREDENTIALS', () => {
    expect(loadConfig({ GOOGLE_SERVICE_ACCOUNT_JSON: JSON.stringify(key) }).bigquery.credentials).toEqual({ kind: 'service-account-json', key });
    expect(loadConfig({ GOOGLE_SERVICE_ACCOUNT_JSON: JSON.stringify(key), GOOGLE_APPLICATION_CREDENTIALS: '/k.json' }).bigquery.credentials?.kind).toBe(
      'service-account-json',
    );
  });

  it('stops on a malformed GOOGLE_SERVICE_ACCOUNT_JSON, naming the variable and never echoing the key', () => {
    const cases: [string, string][] = [
      ['{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----', 'GOOGLE_SERVICE_ACCOUNT_JSON must be a service-account key in JSON, and it is not JSON'],
      ['["a"]', 'GOOGLE_SERVICE_ACCOUNT_JSON must be a service-account key, a JSON object'],
      [JSON.stringify({ ...key, type: 'authorized_user' }), 'GOOGLE_SERVICE_ACCOUNT_JSON must be a service-account key ("type": "service_account"), got type "authorized_user"'],
      [JSON.stringify({ ...key, client_email: undefined }), 'GOOGLE_SERVICE_ACCOUNT_JSON must be a service-account key, and it has no client_email'],
      [JSON.stringify({ ...key, private_key: '' }), 'GOOGLE_SERVICE_ACCOUNT_JSON must be a service-account key, and it has no private_key'],
      [JSON.stringify({ ...key, private_key: 'secret' }), 'GOOGLE_SERVICE_ACCOUNT_JSON: its private_key is not a PEM private key'],
      [JSON.stringify({ ...key, project_id: 7 }), 'GOOGLE_SERVICE_ACCOUNT_JSON: its project_id must be a string'],
      [JSON.stringify({ ...key, token_uri: 'file:///etc/passwd' }), 'GOOGLE_SERVICE_ACCOUNT_JSON: its token_uri must be an http(s) URL'],
    ];
    for (const [json, message] of cases) {
      let thrown: Error | undefined;
      try {
        loadConfig({ GOOGLE_SERVICE_ACCOUNT_JSON: json });
      } catch (error) {
        thrown = error as Error;
      }
      expect(thrown?.constructor.name).toBe('ConfigError');
      expect(thrown?.message).toBe(message);
      expect(thrown?.message).not.toContain('MIIE');
    }
  });
});
