/** How long the server waits for a client, how many it holds at once, and how long it drains. */
import { readFileSync } from 'node:fs';
import { ConfigError, integer, type Env } from './parse.js';

export interface ServerLimitsConfig {
  /** Milliseconds a client has to send its request's headers (slowloris is cut here). */
  headersTimeoutMs: number;
  /** Milliseconds a client has to send its whole request; also how long a silent socket is kept. */
  requestTimeoutMs: number;
  /** Milliseconds an idle keep-alive connection is kept between requests. */
  keepAliveTimeoutMs: number;
  /** Connections held at once; a new one past it is closed at once. */
  maxConnections: number;
  /** Milliseconds SIGTERM waits for requests in flight before the process exits anyway. */
  drainTimeoutMs: number;
}

/**
 * Descriptors kept for everything that is not a client: the store's files or pool, Redis, PyPI
 * fetches, DuckDB, logs. Past the descriptor limit every accept fails, so the cap stays below it.
 */
const RESERVED_DESCRIPTORS = 128;
/** Assumed where /proc/self/limits cannot say: the usual soft limit. */
const USUAL_DESCRIPTOR_LIMIT = 1024;

/** The soft limit on open files (`ulimit -n`) as Linux reports it; null where it cannot be read. */
export function descriptorLimit(limits = readProcLimits()): number | null {
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits ?? '')?.[1];
  if (soft === undefined) return null;
  return soft === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(soft);
}

function readProcLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}

export function defaultMaxConnections(descriptors: number, poolSize: number): number {
  return Math.max(1, descriptors - RESERVED_DESCRIPTORS - poolSize);
}

export function serverLimits(env: Env, poolSize: number, descriptors: number | null = descriptorLimit()): ServerLimitsConfig {
  const headersTimeoutMs = integer(env, 'HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeoutMs = integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs}): the headers are part of the request`);
  }
  const fallbackCap = defaultMaxConnections(descriptors ?? USUAL_DESCRIPTOR_LIMIT, poolSize);
  const maxConnections = integer(env, 'MAX_CONNECTIONS', fallbackCap, 1, 10_000_000);
  if (descriptors !== null && maxConnections >= descriptors) {
    throw new ConfigError(`MAX_CONNECTIONS (${maxConnections}) must stay below the open-file limit (${descriptors}, ulimit -n): past it every new connection fails`);
  }
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 5000, 1, 600_000),
    maxConnections,
    drainTimeoutMs: integer(env, 'DRAIN_TIMEOUT_MS', 10_000, 1000, 600_000),
  };
}
