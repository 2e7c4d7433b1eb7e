/** Every error the API gives is JSON: `{"error": "<for a person>", "status": <code>}`. Never a stack trace. */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { isStoreUnavailable } from '../store/types.js';

/**
 * Seconds a client is asked to wait when the database is away: a PostgreSQL restart or fail-over
 * takes seconds to tens of seconds, and a shorter wait would only bring the retries sooner.
 */
export const STORE_RETRY_AFTER_SECONDS = 10;

export const STORE_UNAVAILABLE_MESSAGE = 'the database is unavailable; try again shortly';

function errorBody(status: number, message: string): string {
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
      return `${name} must be given at most once`;
    default:
      return `${name} ${error.message ?? 'is not valid'}`;
  }
}

/** Paths of the JSON API: whatever is not found under them is a JSON 404, as the contract says. */
function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

export interface ErrorHandlerOptions {
  /** Answers an unknown path outside the API (the website's 404 page). */
  pageNotFound?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply;
}

export function registerErrorHandlers(app: FastifyInstance, options: ErrorHandlerOptions = {}): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) return sendError(reply, 400, error.message);
    if (isStoreUnavailable(error)) {
      // Not the request's fault, and no bug: one line without a stack, the details for the operator.
      request.log.warn(error.message);
      return sendError(reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS)), 503, STORE_UNAVAILABLE_MESSAGE);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendError(reply, status, error.message);
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, 'internal error: the failure was logged');
  });
  app.setNotFoundHandler((request, reply) => {
    if (options.pageNotFound && !isApiPath(request.url)) return options.pageNotFound(request, reply);
    return sendError(reply, 404, `nothing here: ${request.url.split('?')[0]}`);
  });
}
