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

/**
 * API tokens: a request with `Authorization: Bearer <token>` spends its token's budget instead of
 * its address's; an unknown, revoked or malformed token is refused with 401.
 */
export interface TokenBudgets {
  /** The token's id, 'invalid', or null for a request without a token. */
  identify(request: FastifyRequest): Promise<number | 'invalid' | null>;
  /** null: tokens are not limited. */
  limiter: ClientRateLimiter | null;
}

export interface RateLimitOptions {
  /** null: addresses are not limited (tokens may be). */
  limiter: ClientRateLimiter | null;
  tokens?: TokenBudgets | null;
  /** Whether the request, answered successfully, would be 304 Not Modified (`If-None-Match: *` is not one). */
  isRevalidation(request: FastifyRequest): Promise<boolean>;
}

/**
 * Limits every route of `scope`, including those registered after. Hooks rather than a plugin:
 * a plugin's hooks would stay inside the plugin.
 */
export function limitRequests(scope: FastifyInstance, { limiter, tokens, isRevalidation }: RateLimitOptions): void {
  // Revalidations that went ahead, with how they were counted (and where), to give back if answered 304.
  const refundable = new WeakMap<FastifyRequest, { decision: RateDecision; limiter: ClientRateLimiter; key: string }>();

  scope.addHook('onRequest', async (request, reply) => {
    const token = tokens ? await tokens.identify(request) : null;
    if (token === 'invalid') {
      reply.header('www-authenticate', 'Bearer error="invalid_token"');
      return sendError(reply, 401, 'the API token is unknown or revoked: make one on /user, or send no Authorization header');
    }
    const budget = token === null ? { limiter, key: clientKey(request.ip), per: 'from one address' } : { limiter: tokens!.limiter, key: `token:${token}`, per: 'per API token' };
    if (budget.limiter === null) return;
    const [decision, revalidation] = await Promise.all([budget.limiter.consume(budget.key), isRevalidation(request)]);
    setRateLimitHeaders(reply, decision, budget.limiter.policy);
    if (decision.allowed) {
      if (revalidation) refundable.set(request, { decision, limiter: budget.limiter, key: budget.key });
      return;
    }
    const retryAfter = setRetryAfter(reply, decision);
    return sendError(reply, 429, `too many requests: the API answers ${describeWindow(decision.window)} ${budget.per}; retry in ${retryAfter} s`);
  });

  // Before the reply is written, so the count is right by the time the client reads the answer.
  // A callback hook: the answers that owe no refund (nearly all) pass without a promise made.
  scope.addHook('onSend', (request, reply, payload, done) => {
    const counted = refundable.get(request);
    if (counted === undefined || reply.statusCode !== 304) return done(null, payload);
    counted.limiter.refund(counted.key, counted.decision).then(() => done(null, payload), done);
  });
}
