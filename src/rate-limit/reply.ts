/** What a rate-limited reply says of its client's budget, on the API and on the pages alike. */
import type { FastifyReply } from 'fastify';
import type { RateDecision, RateWindow } from './limiter.js';

/** Where the client stands, in the IETF draft's headers. */
export function setRateLimitHeaders(reply: FastifyReply, decision: RateDecision, policy: string): void {
  reply.header('ratelimit-limit', String(decision.window.limit));
  reply.header('ratelimit-remaining', String(decision.remaining));
  reply.header('ratelimit-reset', String(decision.resetSeconds));
  reply.header('ratelimit-policy', policy);
}

/** Sets `Retry-After` on a refused reply and gives its seconds: at least 1, since 0 invites a retry at once. */
export function setRetryAfter(reply: FastifyReply, decision: RateDecision): number {
  const seconds = Math.max(1, decision.resetSeconds);
  reply.header('retry-after', String(seconds));
  return seconds;
}

export function describeWindow(window: RateWindow, what = 'requests'): string {
  const per = window.seconds === 1 ? 'a second' : window.seconds === 60 ? 'a minute' : `in ${window.seconds} seconds`;
  return `at most ${window.limit} ${what} ${per}`;
}
