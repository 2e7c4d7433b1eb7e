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
      rateLimit: { perSecond: 5, perMinute: 30 },
      redis: null,
      trustedProxies: [],
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
      RATE_LIMIT_PER_SECOND: '10',
      RATE_LIMIT_PER_MINUTE: '0',
      REDIS_URL: 'redis://:secret@cache.internal:6380/2',
      REDIS_KEY_PREFIX: 'staging:',
      TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,loopback, 2001:db8::/32',
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
      rateLimit: { perSecond: 10, perMinute: 0 },
      redis: { url: 'redis://:secret@cache.internal:6380/2', keyPrefix: 'staging:' },
      trustedProxies: ['10.0.0.1', '192.168.0.0/16', 'loopback', '2001:db8::/32'],
    });
    expect(loadConfig({ REDIS_URL: 'rediss://cache.internal' }).redis).toEqual({ url: 'rediss://cache.internal', keyPrefix: 'pypistats:' });
    expect(loadConfig({ TRUSTED_PROXIES: ' , ' }).trustedProxies).toEqual([]);
    expect(loadConfig({ DATABASE_URL: 'sqlite:///var/lib/p.sqlite' }).database).toEqual({ kind: 'sqlite', file: '/var/lib/p.sqlite' });
    expect(loadConfig({ RETENTION_DAYS: '30' }).demo.days).toBe(30);
  });

  it('stops on a bad value with a message naming the variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: 'eighty' }, /^PORT must be a whole number from 0 to 65535, got "eighty"$/],
      [{ PORT: '70000' }, /^PORT must be/],
      [{ PORT: '-1' }, /^PORT must be/],
      [{ RETENTION_DAYS: '0' }, /^RETENTION_DAYS must be a whole number from 1/],
      [{ RETENTION_DAYS: '1.5' }, /^RETENTION_DAYS must be/],
      [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must look like sqlite:PATH, got "mysql:\/\/x"$/],
      [{ DATABASE_URL: 'sqlite:' }, /^DATABASE_URL must name a file/],
      [{ DATABASE_URL: 'postgres://localhost/x' }, /^DATABASE_URL: the PostgreSQL store is not in this version yet/],
      [{ DEMO_DATA: 'maybe' }, /^DEMO_DATA must be on or off, got "maybe"$/],
      [{ DEMO_DAYS: '200' }, /^DEMO_DAYS \(200\) must not exceed RETENTION_DAYS \(180\)$/],
      [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
      [{ HOST: 'a b' }, /^HOST must be a host name or address/],
      [{ DEMO_EVENTS_PER_DAY: '5' }, /^DEMO_EVENTS_PER_DAY must be a whole number from 100/],
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
    ];
    for (const [env, message] of cases) expect(() => loadConfig(env)).toThrow(message);
  });
});
