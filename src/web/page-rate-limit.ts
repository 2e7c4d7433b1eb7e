/**
 * A per-client limit on the pages that make outbound requests (the package page asks PyPI), with
 * windows of its own: generous enough that a person never meets it, tight enough that a crawler
 * cannot turn the site into a way to flood PyPI. Refused with the site's HTML 429 page.
 */
import type { FastifyReply, onRequestAsyncHookHandler } from 'fastify';
import { clientKey } from '../rate-limit/client-key.js';
import type { ClientRateLimiter } from '../rate-limit/limiter.js';
import { describeWindow, setRateLimitHeaders, setRetryAfter } from '../rate-limit/reply.js';

export function limitPage(limiter: ClientRateLimiter, refuse: (reply: FastifyReply, message: string) => FastifyReply): onRequestAsyncHookHandler {
  return async (request, reply) => {
    const decision = await limiter.consume(clientKey(request.ip));
    setRateLimitHeaders(reply, decision, limiter.policy);
    if (decision.allowed) return;
    const retryAfter = setRetryAfter(reply, decision);
    return refuse(reply, `This site shows ${describeWindow(decision.window, 'package pages')} to one address. Try again in ${retryAfter} s.`);
  };
}
