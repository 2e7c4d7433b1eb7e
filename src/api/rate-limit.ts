/**
 * Rate limits on the JSON API: each request spends one of its client's budget in every window,
 * and one over a limit gets 429 with `Retry-After`. Responses say where the client stands in the
 * IETF draft's headers (`RateLimit-Limit`, `-Remaining`, `-Reset`, `-Policy`).
 *
 * A revalidation answered 304 is free while its client is within its limit: it is counted like
 * any request, before anything is computed, and given back once answered 304. So a client over its
 * limit gets 429 for it too, and learns nothing (not even whether a name exists) until its window
 * starts over; and a burst of revalidations cannot compute more answers than the budget allows.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { clientKey } from '../rate-limit/client-key.js';
import type { ClientRateLimiter, RateDecision } from '../rate-limit/limiter.js';
import { describeWindow, setRateLimitHeaders, setRetryAfter } from '../rate-limit/reply.js';
import { sendError } from './errors.js';

export interface RateLimitOptions {
  limiter: ClientRateLimiter;
  /** Whether the request, answered successfully, would be 304 Not Modified (`If-None-Match: *` is not one). */
  isRevalidation(request: FastifyRequest): Promise<boolean>;
}

/**
 * Limits every route of `scope`, including those registered after. Hooks rather than a plugin:
 * a plugin's hooks would stay inside the plugin.
 */
export function limitRequests(scope: FastifyInstance, { limiter, isRevalidation }: RateLimitOptions): void {
  // Revalidations that went ahead, with how they were counted, to give back if answered 304.
  const refundable = new WeakMap<FastifyRequest, RateDecision>();

  scope.addHook('onRequest', async (request, reply) => {
    const [decision, revalidation] = await Promise.all([limiter.consume(clientKey(request.ip)), isRevalidation(request)]);
    setRateLimitHeaders(reply, decision, limiter.policy);
    if (decision.allowed) {
      if (revalidation) refundable.set(request, decision);
      return;
    }
    const retryAfter = setRetryAfter(reply, decision);
    return sendError(reply, 429, `too many requests: the API answers ${describeWindow(decision.window)} from one address; retry in ${retryAfter} s`);
  });

  // Before the reply is written, so the count is right by the time the client reads the answer.
  // A callback hook: the answers that owe no refund (nearly all) pass without a promise made.
  scope.addHook('onSend', (request, reply, payload, done) => {
    const decision = refundable.get(request);
    if (decision === undefined || reply.statusCode !== 304) return done(null, payload);
    limiter.refund(clientKey(request.ip), decision).then(() => done(null, payload), done);
  });
}
