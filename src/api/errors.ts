/** Every error the API gives is JSON: `{"error": "<for a person>", "status": <code>}`. Never a stack trace. */
import type { FastifyReply } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';

/**
 * Seconds a client is asked to wait when the database is away: a PostgreSQL restart or fail-over
 * takes seconds to tens of seconds, and a shorter wait would only bring the retries sooner.
 */
export const STORE_RETRY_AFTER_SECONDS = 10;

export const STORE_UNAVAILABLE_MESSAGE = 'the database is unavailable; try again shortly';

export function errorBody(status: number, message: string): string {
  return JSON.stringify({ error: message, status });
}

export function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(errorBody(status, message));
}

/** A validation failure, said the way a person would: which parameter, and what it accepts. */
export function describeValidationError(errors: FastifySchemaValidationError[], dataVar: string): string {
  const error = errors[0];
  if (!error) return `invalid ${dataVar}`;
  const name = error.instancePath.replace(/^\//, '') || String(error.params.missingProperty ?? dataVar);
  switch (error.keyword) {
    case 'enum':
      return `${name} must be one of: ${(error.params.allowedValues as string[]).join(', ')}`;
    case 'format':
      return `${name} must be a date as YYYY-MM-DD`;
    case 'maxLength':
      return `${name} is too long (at most ${error.params.limit} characters)`;
    case 'type':
      // A repeated string parameter is refused before the schema (package-routes.ts); a number's type is its own.
      return error.params.type === 'integer' ? `${name} must be a whole number` : `${name} must be given at most once`;
    case 'minimum':
      return `${name} must be at least ${error.params.limit}`;
    case 'maximum':
      return `${name} must be at most ${error.params.limit}`;
    default:
      return `${name} ${error.message ?? 'is not valid'}`;
  }
}
