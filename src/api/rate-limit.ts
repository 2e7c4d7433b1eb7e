/**
 * Rate limits on the JSON API: each request spends one of its client's budget in every window,
 * and one over a limit gets 429 with `Retry-After`. Responses say where the client stands in the
 * IETF draft's headers (`RateLimit-Limit`, `-Remaining`, `-Reset`, `-Policy`).
 *
 * A revalidation answered 304 costs nothing: a client polling with `If-None-Match` stays free.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientKey } from '../rate-limit/client-key.js';
import type { ClientRateLimiter, RateDecision, RateWindow } from '../rate-limit/limiter.js';
import { sendError } from './errors.js';

export interface RateLimitOptions {
  limiter: ClientRateLimiter;
  /** Whether the request, answered successfully, would be 304 Not Modified. */
  isRevalidation(request: FastifyRequest): Promise<boolean>;
}

/**
 * Limits every route of `scope`, including those registered after. Hooks rather than a plugin:
 * a plugin's hooks would stay inside the plugin.
 */
export function limitRequests(scope: FastifyInstance, { limiter, isRevalidation }: RateLimitOptions): void {
  // Revalidations go ahead uncounted; the rare one that ends as something else is counted then.
  const uncounted = new WeakSet<FastifyRequest>();

  scope.addHook('onRequest', async (request, reply) => {
    if (await isRevalidation(request)) {
      uncounted.add(request);
      return;
    }
    const decision = await limiter.consume(clientKey(request.ip));
    setHeaders(reply, decision, limiter.policy);
    if (decision.allowed) return;
    const retryAfter = Math.max(1, decision.resetSeconds);
    reply.header('retry-after', String(retryAfter));
    return sendError(reply, 429, `too many requests: the API answers ${describeWindow(decision.window)} from one address; retry in ${retryAfter} s`);
  });

  scope.addHook('onResponse', (request, reply, done) => {
    if (reply.statusCode !== 304 && uncounted.has(request)) void limiter.consume(clientKey(request.ip));
    done();
  });
}

function setHeaders(reply: FastifyReply, decision: RateDecision, policy: string): void {
  reply.header('ratelimit-limit', String(decision.window.limit));
  reply.header('ratelimit-remaining', String(decision.remaining));
  reply.header('ratelimit-reset', String(decision.resetSeconds));
  reply.header('ratelimit-policy', policy);
}

function describeWindow(window: RateWindow): string {
  const per = window.seconds === 1 ? 'a second' : window.seconds === 60 ? 'a minute' : `in ${window.seconds} seconds`;
  return `at most ${window.limit} requests ${per}`;
}
