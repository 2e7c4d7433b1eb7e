/**
 * Which PostgreSQL failures mean "the database is unavailable" (down, restarting, unreachable, too
 * slow, out of connections) rather than a bug or bad data: those become StoreUnavailableError.
 */
import { StoreUnavailableError } from '../types.js';

/** Socket errors of a server that is gone or cannot be reached. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * SQLSTATEs of a server that cannot serve now: class 08 (connection exception), 53300 too many
 * connections, 57P01-57P03 shut down by an administrator, crashed, or still starting up.
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '53300' || code === '57P01' || code === '57P02' || code === '57P03';
}

/** node-postgres says these in words only (no code). */
const CLIENT_MESSAGES = [
  'timeout expired',
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
];

export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || isUnavailableSqlState(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return CLIENT_MESSAGES.some((message) => error.message.startsWith(message));
}

/** What the failure was, in words a person running the service can act on. */
export function describeFailure(error: unknown, timeouts: { connectTimeoutMs: number; queryTimeoutMs: number }): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith('timeout expired') || message.startsWith('Connection terminated due to connection timeout') || message.startsWith('timeout exceeded')) {
    return `no connection within ${timeouts.connectTimeoutMs} ms (DATABASE_CONNECT_TIMEOUT_MS)`;
  }
  if (message.startsWith('Query read timeout')) return `no answer within ${timeouts.queryTimeoutMs} ms (DATABASE_QUERY_TIMEOUT_MS)`;
  if (error instanceof AggregateError && error.errors.length > 0) return describeFailure(error.errors[0], timeouts);
  return message || (error as { code?: string }).code || 'unknown failure';
}

/** `error` as a StoreUnavailableError naming where the database is, when it is one; else itself. */
export function asUnavailable(error: unknown, where: string, timeouts: { connectTimeoutMs: number; queryTimeoutMs: number }): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error;
  return new StoreUnavailableError(`the database is unavailable (PostgreSQL at ${where}): ${describeFailure(error, timeouts)}`, { cause: error });
}
