/**
 * Counts each client's requests in fixed windows (by default 5 a second and 30 a minute, both
 * applying), in this process's memory or, when several processes serve together, in Redis.
 *
 * A Redis that fails while serving must not take the API down with it: the counting falls back to
 * this process's memory (limits per process instead of shared), a warning is logged once, and Redis
 * is asked again a second later.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateWindow {
  /** Requests allowed in the window. */
  limit: number;
  seconds: number;
}

/** Requests each client may make a second and a minute, as configured; 0 turns a window off. */
export interface RateLimits {
  perSecond: number;
  perMinute: number;
}

export function rateWindows({ perSecond, perMinute }: RateLimits): RateWindow[] {
  return [
    { limit: perSecond, seconds: 1 },
    { limit: perMinute, seconds: 60 },
  ].filter((window) => window.limit > 0);
}

export interface RateDecision {
  allowed: boolean;
  /** The window that binds: the one exceeded, or else the one with the fewest requests left. */
  window: RateWindow;
  remaining: number;
  /** Whole seconds until the binding window starts over. */
  resetSeconds: number;
  /** Where the request was counted, so a refund goes back to the same counts. */
  countedIn: 'shared' | 'local';
}

export interface SharedCounts {
  client: Redis;
  /** Start of every key this limiter writes, so deployments (and test runs) sharing a Redis stay apart. */
  keyPrefix: string;
}

export interface ClientRateLimiterOptions {
  windows: readonly RateWindow[];
  shared?: SharedCounts | undefined;
  log: FastifyBaseLogger;
}

const SHARED_RETRY_MS = 1000;

type Outcome = PromiseSettledResult<RateLimiterRes>;

export class ClientRateLimiter {
  readonly windows: readonly RateWindow[];
  /** The windows as the draft standard's `RateLimit-Policy` writes them: `5;w=1, 30;w=60`. */
  readonly policy: string;
  private readonly local: RateLimiterAbstract[];
  private readonly shared: RateLimiterAbstract[] | null;
  private readonly log: FastifyBaseLogger;
  private sharedFailing = false;
  private sharedRetryAt = 0;

  constructor({ windows, shared, log }: ClientRateLimiterOptions) {
    if (windows.length === 0) throw new Error('a rate limiter needs at least one window');
    this.windows = windows;
    this.policy = windows.map((window) => `${window.limit};w=${window.seconds}`).join(', ');
    this.log = log;
    this.local = windows.map((window) => new RateLimiterMemory({ points: window.limit, duration: window.seconds }));
    this.shared = shared
      ? windows.map(
          (window) =>
            new RateLimiterRedis({
              storeClient: shared.client,
              keyPrefix: `${shared.keyPrefix}${window.seconds}s`,
              points: window.limit,
              duration: window.seconds,
              // Fail at once while disconnected, rather than wait in a queue for a reconnection.
              rejectIfRedisNotReady: true,
              // A client over a limit is turned away from memory until its window ends: a flood
              // costs Redis nothing.
              inMemoryBlockOnConsumed: window.limit + 1,
            }),
        )
      : null;
  }

  /** Spends one request of `client`'s budget in every window and says whether it may go ahead. */
  async consume(client: string): Promise<RateDecision> {
    if (this.shared !== null && (!this.sharedFailing || performance.now() >= this.sharedRetryAt)) {
      const outcomes = await Promise.allSettled(this.shared.map((limiter) => limiter.consume(client)));
      const failure = outcomes.find((outcome) => outcome.status === 'rejected' && !(outcome.reason instanceof RateLimiterRes));
      if (failure === undefined) {
        if (this.sharedFailing) {
          this.sharedFailing = false;
          this.log.info('rate limits: Redis answers again; counts are shared again');
        }
        return this.decide(outcomes, 'shared');
      }
      this.sharedFailed((failure as PromiseRejectedResult).reason);
    }
    return this.decide(await Promise.allSettled(this.local.map((limiter) => limiter.consume(client))), 'local');
  }

  /** Gives back the request `decision` counted: it turned out to cost nothing. Never throws. */
  async refund(client: string, decision: RateDecision): Promise<void> {
    const limiters = decision.countedIn === 'shared' && this.shared !== null ? this.shared : this.local;
    // A refund that fails (Redis gone meanwhile) leaves the request counted: the client loses one.
    await Promise.allSettled(limiters.map((limiter) => limiter.reward(client, 1)));
  }

  private sharedFailed(error: unknown): void {
    this.sharedRetryAt = performance.now() + SHARED_RETRY_MS;
    if (this.sharedFailing) return;
    this.sharedFailing = true;
    const message = error instanceof Error ? error.message : String(error);
    this.log.warn(`rate limits: Redis failed (${message}); counting in this process's memory until Redis answers again`);
  }

  private decide(outcomes: Outcome[], countedIn: RateDecision['countedIn']): RateDecision {
    const states = outcomes.map((outcome, index): WindowState => {
      const allowed = outcome.status === 'fulfilled';
      const result = (allowed ? outcome.value : outcome.reason) as RateLimiterRes;
      return { allowed, window: this.windows[index]!, remaining: allowed ? result.remainingPoints : 0, ms: Math.max(0, result.msBeforeNext) };
    });
    const binding = states.reduce((current, candidate) => (bindsOver(candidate, current) ? candidate : current));
    return { allowed: binding.allowed, window: binding.window, remaining: binding.remaining, resetSeconds: Math.ceil(binding.ms / 1000), countedIn };
  }
}

interface WindowState {
  allowed: boolean;
  window: RateWindow;
  remaining: number;
  /** Milliseconds until the window starts over. */
  ms: number;
}

/** An exceeded window binds over an open one, and of two exceeded the later to end; of two open, the fuller. */
function bindsOver(candidate: WindowState, current: WindowState): boolean {
  if (candidate.allowed !== current.allowed) return !candidate.allowed;
  if (!candidate.allowed) return candidate.ms > current.ms;
  return candidate.remaining < current.remaining || (candidate.remaining === current.remaining && candidate.ms > current.ms);
}
