/** The Redis connection rate limits are shared through: it fails fast, so a request never waits on it. */
import { Redis } from 'ioredis';

/** Longest a rate-limit count may take before the request goes ahead on this process's own count. */
const COMMAND_TIMEOUT_MS = 250;
const CONNECT_TIMEOUT_MS = 5000;

/** `host:port` of a Redis URL, for messages: never its password. */
export function redisAddress(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || '6379'}`;
}

/**
 * Connects, or throws a message naming the address: a server configured to share its limits
 * does not start without them. Once connected, a lost connection is retried in the background.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // While disconnected a command fails at once instead of queueing until a reconnection.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // The counts of one request's windows go to Redis in one write.
    enableAutoPipelining: true,
  });
  let lastError: Error | undefined;
  // Every failed reconnection emits an error; the limiter says when counting stops being shared.
  client.on('error', (error: Error) => (lastError = error));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new Error(`cannot connect to Redis at ${redisAddress(url)} (REDIS_URL): ${(lastError ?? (error as Error)).message}`);
  }
  return client;
}

/** Closes politely when Redis answers, at once when it does not. */
export async function closeRedis(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
