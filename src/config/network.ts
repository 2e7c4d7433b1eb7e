/** Sharing rate limits between processes (Redis) and the proxies trusted to name the client. */
import proxyAddr from '@fastify/proxy-addr';
import { ConfigError, type Env } from './parse.js';

export interface RedisConfig {
  url: string;
  keyPrefix: string;
}

export function redis(env: Env): RedisConfig | null {
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

export function trustedProxies(raw: string | undefined): string[] {
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
