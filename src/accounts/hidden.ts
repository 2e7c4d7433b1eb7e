import type { FastifySchema } from 'fastify';

/**
 * The schema of a page or form route: `hide` keeps it out of the generated API description
 * (@fastify/swagger reads it), which is for the JSON API only.
 */
export const HIDDEN_FROM_API = { hide: true } as FastifySchema;
